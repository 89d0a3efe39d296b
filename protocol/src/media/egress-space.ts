import { writeRtpHeader } from "../wire/rtp/write.ts";
import { writeTelephoneEvent, TELEPHONE_EVENT_LENGTH } from "../wire/rfc4733/telephone-event.ts";
import { RTP_FIXED_HEADER_LENGTH } from "../wire/rtp/header.ts";

/**
 * The RTP sequence/timestamp space of one egress leg (DOMAIN.md §6.5: "Regenerate seq/timestamp in
 * the egress leg's RTP space"). Audio forwarded from the other leg and the telephone-event packets
 * the relay emits share it: one SSRC, one sequence space with no holes of our making, timestamps
 * continuous with the audio.
 *
 * Forwarded packets map `out = in + offset` (mod 2^16 / 2^32), so ingress loss stays a hole and a
 * reordered packet keeps its place. A packet the relay inserts (an extra end packet, a generated
 * event) takes `highest + 1` and shifts later packets up by one; an ingress packet the relay
 * swallows (a telephone-event it re-emits or drops) shifts later packets down by one, so the peer
 * never sees a hole for it. RFC 3550 §5.1: "The sequence number increments by one for each RTP
 * data packet sent".
 *
 * RTP fixed header (RFC 3550 §5.1), the 12 bytes rewritten here:
 *
 *  0                   1                   2                   3
 * |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 * |                           timestamp                           |
 * |           synchronization source (SSRC) identifier            |
 */

/** RFC 3550 Appendix A.1's MAX_DROPOUT / MAX_MISORDER: a sequence jump beyond these re-anchors */
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;
const SEQ_OFFSET = 2;
const TS_OFFSET = 4;
const SSRC_OFFSET = 8;

/** true when 16-bit `a` is after `b` (RFC 1982 serial arithmetic) */
function seqNewer(a: number, b: number): boolean {
  const d = (a - b) & 0xffff;
  return d !== 0 && d < 0x8000;
}

export interface EventPacketFields {
  readonly payloadType: number;
  readonly marker: boolean;
  readonly timestamp: number;
  readonly event: number;
  readonly end: boolean;
  readonly volume: number;
  readonly durationTs: number;
}

export class EgressSpace {
  private highestSeq: number;
  private seqOffset = 0;
  private tsOffset = 0;
  private anchored = false;
  private sourceSsrc = 0;
  /** mapped seq of the ingress packet being handled, reserved for its first re-emission; -1 none */
  private reservedSeq = -1;
  private lastTs: number;
  private lastTsAtMs = 0;
  private tsStarted = false;
  /** packets written in this space */
  sent = 0;

  constructor(
    readonly ssrc: number,
    initialSequence: number,
    initialTimestamp: number,
    private readonly clockRate: number,
  ) {
    this.highestSeq = (initialSequence - 1) & 0xffff;
    this.lastTs = initialTimestamp >>> 0;
  }

  /** The RTP timestamp "now" in this space: the last forwarded audio timestamp plus elapsed time. */
  nowTs(nowMs: number): number {
    if (!this.tsStarted) {
      this.tsStarted = true;
      this.lastTsAtMs = nowMs;
    }
    return (this.lastTs + Math.round(((nowMs - this.lastTsAtMs) * this.clockRate) / 1000)) >>> 0;
  }

  /** An ingress timestamp mapped into this space. */
  mapTs(ingressTs: number): number {
    return (ingressTs + this.tsOffset) >>> 0;
  }

  /**
   * Follows the ingress stream: the first packet, a new SSRC or a jump past MAX_DROPOUT re-anchors
   * the mapping so the egress stream continues where it was (RFC 3550 §8.2: an SSRC change is a new
   * source, which the peer of this leg must not see). `positionTs` is the ingress timestamp "now".
   */
  private follow(ssrc: number, seq: number, positionTs: number, nowMs: number): void {
    if (this.anchored && ssrc === this.sourceSsrc) {
      const d = (((seq + this.seqOffset - this.highestSeq) & 0xffff) << 16) >> 16;
      if (d > -MAX_MISORDER && d < MAX_DROPOUT) return;
    }
    const nowTs = this.nowTs(nowMs);
    this.anchored = true;
    this.sourceSsrc = ssrc;
    this.seqOffset = (this.highestSeq + 1 - seq) & 0xffff;
    this.tsOffset = (nowTs - positionTs) >>> 0;
  }

  /**
   * Hot path: rewrites the fixed header of an audio packet in place (sequence, timestamp, SSRC;
   * PT, marker, CSRCs, extensions and payload untouched). The caller checked length ≥ 12 and V=2.
   */
  forwardAudio(buf: Uint8Array, nowMs: number): void {
    const seq = (buf[SEQ_OFFSET]! << 8) | buf[SEQ_OFFSET + 1]!;
    const ts =
      ((buf[TS_OFFSET]! << 24) |
        (buf[TS_OFFSET + 1]! << 16) |
        (buf[TS_OFFSET + 2]! << 8) |
        buf[TS_OFFSET + 3]!) >>>
      0;
    const ssrc =
      ((buf[SSRC_OFFSET]! << 24) |
        (buf[SSRC_OFFSET + 1]! << 16) |
        (buf[SSRC_OFFSET + 2]! << 8) |
        buf[SSRC_OFFSET + 3]!) >>>
      0;
    this.follow(ssrc, seq, ts, nowMs);
    const outSeq = (seq + this.seqOffset) & 0xffff;
    const outTs = (ts + this.tsOffset) >>> 0;
    if (seqNewer(outSeq, this.highestSeq)) {
      this.highestSeq = outSeq;
      this.lastTs = outTs;
      this.lastTsAtMs = nowMs;
      this.tsStarted = true;
    }
    buf[SEQ_OFFSET] = outSeq >>> 8;
    buf[SEQ_OFFSET + 1] = outSeq & 0xff;
    buf[TS_OFFSET] = outTs >>> 24;
    buf[TS_OFFSET + 1] = (outTs >>> 16) & 0xff;
    buf[TS_OFFSET + 2] = (outTs >>> 8) & 0xff;
    buf[TS_OFFSET + 3] = outTs & 0xff;
    const s = this.ssrc;
    buf[SSRC_OFFSET] = s >>> 24;
    buf[SSRC_OFFSET + 1] = (s >>> 16) & 0xff;
    buf[SSRC_OFFSET + 2] = (s >>> 8) & 0xff;
    buf[SSRC_OFFSET + 3] = s & 0xff;
    this.sent++;
  }

  /**
   * An ingress packet the relay swallows (telephone-event): its slot goes to the first packet the
   * relay emits while handling it, or, if none, disappears. Call `endIngress()` when done with it.
   */
  beginIngress(ssrc: number, seq: number, positionTs: number, nowMs: number): void {
    this.follow(ssrc, seq, positionTs, nowMs);
    const mapped = (seq + this.seqOffset) & 0xffff;
    if (seqNewer(mapped, this.highestSeq)) {
      this.reservedSeq = mapped;
      this.seqOffset = (this.seqOffset - 1) & 0xffff;
    }
  }

  endIngress(): void {
    this.reservedSeq = -1;
  }

  private takeSeq(): number {
    if (this.reservedSeq >= 0) {
      this.highestSeq = this.reservedSeq;
      this.reservedSeq = -1;
    } else {
      this.highestSeq = (this.highestSeq + 1) & 0xffff;
    }
    this.seqOffset = (this.seqOffset + 1) & 0xffff;
    return this.highestSeq;
  }

  /** A fresh 16-byte telephone-event packet (RFC 4733 §2.3) with the next sequence number. */
  eventPacket(f: EventPacketFields): Buffer {
    const out = Buffer.allocUnsafe(RTP_FIXED_HEADER_LENGTH + TELEPHONE_EVENT_LENGTH);
    writeRtpHeader(out, 0, {
      marker: f.marker,
      payloadType: f.payloadType,
      sequence: this.takeSeq(),
      timestamp: f.timestamp >>> 0,
      ssrc: this.ssrc,
    });
    writeTelephoneEvent(out, RTP_FIXED_HEADER_LENGTH, {
      event: f.event,
      end: f.end,
      volume: f.volume,
      durationTs: f.durationTs,
    });
    this.sent++;
    return out;
  }
}
