/**
 * The session descriptions the B2BUA sends on one leg: media anchored on our RTP port, one origin
 * per leg whose version moves only when the description changes.
 *
 * RFC 3264 §5: "the origin line ... The <sess-version> ... MUST be incremented on each new offer
 * or answer that changes the session"; RFC 3264 §8: "If the session description is unchanged
 * [in an offer] ... the version in the origin field MUST NOT change" (so a refresh is recognisable).
 * RFC 3264 §6: the answer has "the same number of m= lines as the offer"; a stream we do not relay
 * is rejected with port 0 ("An offered stream MAY be rejected in the answer ... by setting the
 * port to zero").
 */
import type { MediaDirection, SdpMedia, SdpMediaInput } from "../wire/sdp/index.ts";
import { writeSdp } from "../wire/sdp/index.ts";
import type { Codec } from "./codec-policy.ts";

/** telephone-event as we write it: our PT and the fmtp events list */
export interface TelephoneEventSpec {
  readonly pt: number;
  readonly events: string;
}

/** Our audio stream on a leg. */
export interface LegAudio {
  readonly port: number;
  readonly codecs: readonly Codec[];
  readonly telephoneEvent: TelephoneEventSpec | null;
  readonly direction: MediaDirection;
  readonly ptimeMs: number | null;
}

/** Default fmtp of the telephone-event we offer (RFC 4733 §2.4.1: the DTMF events) */
export const DEFAULT_TE_EVENTS = "0-15";

export class LegSdp {
  private version = 0;
  private lastBody: string | null = null;
  private lastText: string | null = null;

  constructor(
    /** the IP our RTP sockets are bound to (c= and o=) */
    private readonly address: string,
    /** o= sess-id, stable for the life of the leg */
    private readonly sessionId: string,
  ) {}

  /** The last description sent on the leg, or null. */
  get last(): string | null {
    return this.lastText;
  }

  /**
   * Our description with `audio` at the position of the offer's first audio stream and every other
   * offered stream rejected (port 0); without `offer`, a description with the audio stream alone.
   */
  write(audio: LegAudio, offer: readonly SdpMedia[] | null = null, audioIndex = 0): string {
    const ours = audioInput(audio);
    const media: SdpMediaInput[] =
      offer === null ? [ours] : offer.map((m, i) => (i === audioIndex ? ours : rejected(m)));
    const body = (version: number): string =>
      writeSdp({
        origin: {
          username: "mvsct",
          sessionId: this.sessionId,
          version: String(version),
          address: this.address,
        },
        sessionName: "mvsct",
        connection: this.address,
        media,
      });
    // compare without the o= line: the version alone must not count as a change
    const probe = body(0).replace(/^o=.*$/m, "");
    if (probe !== this.lastBody) {
      this.version++;
      this.lastBody = probe;
    }
    this.lastText = body(this.version);
    return this.lastText;
  }
}

function audioInput(a: LegAudio): SdpMediaInput {
  const rtpmaps = a.codecs.map((c) => ({
    pt: c.pt,
    name: c.name,
    clockRate: c.clockRate,
    ...(c.channels !== undefined && c.channels !== 1 ? { channels: c.channels } : {}),
  }));
  const fmtp: Record<number, string> = {};
  for (const c of a.codecs) if (c.fmtp !== null) fmtp[c.pt] = c.fmtp;
  const payloads = a.codecs.map((c) => c.pt);
  if (a.telephoneEvent !== null) {
    payloads.push(a.telephoneEvent.pt);
    rtpmaps.push({ pt: a.telephoneEvent.pt, name: "telephone-event", clockRate: 8000 });
    fmtp[a.telephoneEvent.pt] = a.telephoneEvent.events;
  }
  return {
    type: "audio",
    port: a.port,
    proto: "RTP/AVP",
    payloads,
    rtpmaps,
    fmtp,
    ptimeMs: a.ptimeMs,
    direction: a.direction,
  };
}

function rejected(m: SdpMedia): SdpMediaInput {
  const formats = m.formats.length > 0 ? m.formats : m.payloads.map(String);
  return { type: m.type, port: 0, proto: m.proto, formats: formats.length > 0 ? formats : ["0"] };
}
