/**
 * One RTP sender (one SSRC, RFC 3550 §5.1) for the rule tests: G.711 audio every 20 ms and RFC 4733
 * key presses, each optionally breaking one sending rule of RFC 4733 §2.5.1. Sequence numbers are
 * given in time order when the capture is written, so audio and events share one sequence space.
 *
 *  0                   1                   2                   3
 * |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 * |                           timestamp                           |
 * |           synchronization source (SSRC) identifier            |
 * |     event     |E|R| volume    |          duration             |   RFC 4733 §2.3
 */
import type { CaptureBuilder, Endpoint, RtpMeta } from "./capture-builder.ts";

const PTIME_S = 0.02;
const AUDIO_HZ = 8000;
/** RFC 4733 §3.2: 0-9, *, #, A-D => 0-15 */
const KEYS = "0123456789*#ABCD";

export interface PressSpec {
  /** first packet time, seconds from the capture start */
  atS: number;
  /** DTMF key, or an event code */
  key: string | number;
  /** tone length (default 100 ms); the final duration is onMs at the duration clock */
  onMs?: number;
  pt?: number;
  /** clock of the duration field (default 8000) */
  durationHz?: number;
  /** duration of the end packet(s), in timestamp units (default onMs at the duration clock) */
  finalDuration?: number;
  /** number of end packets (default 3; 0 = the end never comes) */
  endCopies?: number;
  /** no M on the first packet */
  noMarker?: boolean;
  markerEveryPacket?: boolean;
  /** from this packet index on, the RTP timestamp moves to that packet's time (one move) */
  tsChangeAt?: number;
  /** every packet stamped with its own send time, as if it were audio (ts += 160 per packet) */
  tsEveryPacket?: boolean;
  /** extra silence before the moved part, seconds (default 0) */
  tsChangeGapS?: number;
  /** this packet index carries a duration one step below its predecessor's */
  durationDecreaseAt?: number;
  /** the second end packet goes out with E=0 */
  endCleared?: boolean;
  reserved?: boolean;
  /** the first n packets never reach the capture (their sequence numbers are still used) */
  lostFirst?: number;
  /** end copies after the first reuse its sequence number (retransmission, not a new packet) */
  reuseEndSeq?: boolean;
}

interface Pkt {
  atS: number;
  meta: Omit<RtpMeta, "seq">;
  payload: Buffer;
  /** "reuse": same seq as the previous packet; "skip": use a seq, send nothing */
  seqMode: "next" | "reuse" | "skip";
}

export class RtpSender {
  private readonly pkts: Pkt[] = [];
  private readonly busy: [number, number][] = [];

  constructor(
    cap: CaptureBuilder,
    private readonly from: Endpoint,
    private readonly to: Endpoint,
    private readonly o: { ssrc: number; seq0?: number; ts0?: number; audioPt?: number },
  ) {
    cap.beforeWrite(() => this.flushTo(cap));
  }

  /** RTP timestamp of a time on this stream (8 kHz audio clock). */
  tsAt(atS: number): number {
    return ((this.o.ts0 ?? 160_000) + Math.round(atS * AUDIO_HZ)) >>> 0;
  }

  /** Audio every 20 ms in [fromS, toS), except while a key press is on the wire. */
  audio(fromS: number, toS: number, pt = this.o.audioPt ?? 0): this {
    for (let i = 0; fromS + i * PTIME_S < toS - 1e-9; i++) {
      const at = Math.round((fromS + i * PTIME_S) * 1e6) / 1e6;
      this.pkts.push({
        atS: at,
        meta: { pt, ts: this.tsAt(at), ssrc: this.o.ssrc, marker: i === 0 },
        payload: Buffer.alloc(160, pt === 8 ? 0xd5 : 0xff),
        seqMode: "next",
      });
    }
    return this;
  }

  /** One key press as RFC 4733 packets: updates every 20 ms, then the end packet(s). */
  press(p: PressSpec): this {
    const code = typeof p.key === "number" ? p.key : KEYS.indexOf(p.key);
    if (code < 0) throw new Error(`not a DTMF key: ${p.key}`);
    const updates = Math.max(1, Math.round((p.onMs ?? 100) / 20));
    const step = ((p.durationHz ?? AUDIO_HZ) * 20) / 1000;
    const copies = p.endCopies ?? 3;
    const startTs = this.tsAt(p.atS);
    const total = copies > 0 ? updates + copies - 1 : updates;
    let shift = 0;
    let ts = startTs;
    for (let i = 0; i < total; i++) {
      if (i === p.tsChangeAt) shift = p.tsChangeGapS ?? 0;
      const at = Math.round((p.atS + i * PTIME_S + shift) * 1e6) / 1e6;
      if (i === p.tsChangeAt || p.tsEveryPacket === true) ts = this.tsAt(at);
      const final = copies > 0 && i >= updates - 1;
      const end = final && !(p.endCleared === true && i === updates);
      const grown = (i === p.durationDecreaseAt ? i - 1 : Math.min(i + 1, updates)) * step;
      const duration =
        p.finalDuration === undefined ? grown : final ? p.finalDuration : Math.min(grown, p.finalDuration);
      const marker = p.markerEveryPacket === true || (i === 0 && p.noMarker !== true);
      const body = Buffer.alloc(4);
      body[0] = code;
      body[1] = (end ? 0x80 : 0) | (p.reserved === true ? 0x40 : 0) | 10;
      body.writeUInt16BE(duration, 2);
      this.pkts.push({
        atS: at + 0.0005,
        meta: {
          pt: p.pt ?? 101,
          ts,
          ssrc: this.o.ssrc,
          marker,
          event: { code, end, reserved: p.reserved === true, duration },
        },
        payload: body,
        seqMode:
          i < (p.lostFirst ?? 0) ? "skip" : p.reuseEndSeq === true && end && i >= updates ? "reuse" : "next",
      });
    }
    this.busy.push([p.atS - 0.001, p.atS + total * PTIME_S + shift]);
    return this;
  }

  private flushTo(cap: CaptureBuilder): void {
    const live = this.pkts
      .filter((k) => k.meta.event !== undefined || !this.busy.some(([a, b]) => k.atS >= a && k.atS < b))
      .sort((a, b) => a.atS - b.atS);
    let seq = ((this.o.seq0 ?? 1000) - 1) & 0xffff;
    for (const k of live) {
      if (k.seqMode !== "reuse") seq = (seq + 1) & 0xffff;
      if (k.seqMode === "skip") continue;
      const h = Buffer.alloc(12);
      h[0] = 0x80;
      h[1] = (k.meta.marker ? 0x80 : 0) | k.meta.pt;
      h.writeUInt16BE(seq, 2);
      h.writeUInt32BE(k.meta.ts >>> 0, 4);
      h.writeUInt32BE(k.meta.ssrc >>> 0, 8);
      cap.udp(k.atS, this.from, this.to, Buffer.concat([h, k.payload]), {
        kind: "rtp",
        label: "rtp",
        rtp: { ...k.meta, seq },
      });
    }
  }
}
