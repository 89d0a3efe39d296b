import { SPACE_SLOTS } from "./egress-space.ts";
import { PT_AUDIO } from "./dtmf-relay-config.ts";

/**
 * The block one direction of a call shares with the native audio fast path
 * (protocol/native/udp-batch-fast.c; the layout is BLOCK_* / SP_* / RT_* in udp-batch.h: keep the
 * two in step). Audio received on the ingress leg is rewritten into the egress leg's RTP space and
 * sent in C, without a call into JS; JS keeps everything else (telephone-events, RTCP, PTs not
 * negotiated, a leg not yet connected).
 *
 *   byte 0    u8[128]  PT classes of the ingress leg: 1 = audio the fast path forwards
 *   byte 128  f64[12]  the egress leg's EgressSpace state (egress-space.ts SPACE)
 *   byte 224  f64      audio packets the fast path forwarded
 *   byte 232  f64      the relay's clock minus performance.now(), ms
 */

export const FAST_BLOCK_BYTES = 256;
/** `MVSCT_AUDIO_FAST_PATH=0`: the media workers keep all audio in JS (for A/B runs) */
export const AUDIO_FAST_PATH_ENV = "MVSCT_AUDIO_FAST_PATH";
const F64_BASE = 128;
const FAST_AUDIO = 1;
const AUDIO_IN = SPACE_SLOTS;
const CLOCK_OFFSET_MS = SPACE_SLOTS + 1;

export class FastRoute {
  readonly block = new ArrayBuffer(FAST_BLOCK_BYTES);
  /** the EgressSpace state slots (pass to the egress leg's EgressSpace) */
  readonly space = new Float64Array(this.block, F64_BASE, SPACE_SLOTS);
  private readonly f64 = new Float64Array(this.block, F64_BASE, 16);
  private readonly classes = new Uint8Array(this.block, 0, 128);

  /** `clockOffsetMs`: the relay clock's time minus performance.now() */
  constructor(clockOffsetMs: number) {
    this.f64[CLOCK_OFFSET_MS] = clockOffsetMs;
  }

  /** The ingress leg's PT classes (ResolvedLeg.ingressPtClass): its audio PTs go the fast way. */
  setPtClasses(ingressPtClass: Uint8Array): void {
    for (let pt = 0; pt < 128; pt++) this.classes[pt] = ingressPtClass[pt] === PT_AUDIO ? FAST_AUDIO : 0;
  }

  /** audio packets the fast path forwarded in this direction */
  get audioIn(): number {
    return this.f64[AUDIO_IN]!;
  }
}
