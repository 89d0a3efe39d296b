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

/**
 * Where an EgressSpace keeps its state: slots of a Float64Array, so the native audio fast path
 * (protocol/native/udp-batch-fast.c, its SP_* enum in udp-batch.h: keep the two in step) can forward
 * audio in the same space as the telephone-event packets emitted here. Booleans are 0 / 1.
 */
export const SPACE = Object.freeze({
  highestSeq: 0,
  seqOffset: 1,
  tsOffset: 2,
  anchored: 3,
  sourceSsrc: 4,
  /** mapped seq of the ingress packet being handled, reserved for its first re-emission; -1 none */
  reservedSeq: 5,
  lastTs: 6,
  lastTsAtMs: 7,
  tsStarted: 8,
  /** packets written in this space */
  sent: 9,
  ssrc: 10,
  clockRate: 11,
});
export const SPACE_SLOTS = 12;

export class EgressSpace {
  private readonly st: Float64Array;

  /** `state`: SPACE_SLOTS slots to keep the state in (shared with the fast path); default: its own */
  constructor(
    readonly ssrc: number,
    initialSequence: number,
    initialTimestamp: number,
    clockRate: number,
    state: Float64Array = new Float64Array(SPACE_SLOTS),
  ) {
    if (state.length < SPACE_SLOTS) throw new RangeError(`EgressSpace state needs ${SPACE_SLOTS} slots`);
    const st = state;
    this.st = st;
    st.fill(0, 0, SPACE_SLOTS);
    st[SPACE.highestSeq] = (initialSequence - 1) & 0xffff;
    st[SPACE.reservedSeq] = -1;
    st[SPACE.lastTs] = initialTimestamp >>> 0;
    st[SPACE.ssrc] = ssrc >>> 0;
    st[SPACE.clockRate] = clockRate;
  }

  /** packets written in this space (by JS and by the fast path) */
  get sent(): number {
    return this.st[SPACE.sent]!;
  }

  /** The RTP timestamp "now" in this space: the last forwarded audio timestamp plus elapsed time. */
  nowTs(nowMs: number): number {
    const st = this.st;
    if (st[SPACE.tsStarted] === 0) {
      st[SPACE.tsStarted] = 1;
      st[SPACE.lastTsAtMs] = nowMs;
    }
    return (
      (st[SPACE.lastTs]! + Math.round(((nowMs - st[SPACE.lastTsAtMs]!) * st[SPACE.clockRate]!) / 1000)) >>> 0
    );
  }

  /** An ingress timestamp mapped into this space. */
  mapTs(ingressTs: number): number {
    return (ingressTs + this.st[SPACE.tsOffset]!) >>> 0;
  }

  /**
   * Follows the ingress stream: the first packet, a new SSRC or a jump past MAX_DROPOUT re-anchors
   * the mapping so the egress stream continues where it was (RFC 3550 §8.2: an SSRC change is a new
   * source, which the peer of this leg must not see). `positionTs` is the ingress timestamp "now".
   */
  private follow(ssrc: number, seq: number, positionTs: number, nowMs: number): void {
    const st = this.st;
    if (st[SPACE.anchored] !== 0 && ssrc === st[SPACE.sourceSsrc]) {
      const d = (((seq + st[SPACE.seqOffset]! - st[SPACE.highestSeq]!) & 0xffff) << 16) >> 16;
      if (d > -MAX_MISORDER && d < MAX_DROPOUT) return;
    }
    const nowTs = this.nowTs(nowMs);
    st[SPACE.anchored] = 1;
    st[SPACE.sourceSsrc] = ssrc;
    st[SPACE.seqOffset] = (st[SPACE.highestSeq]! + 1 - seq) & 0xffff;
    st[SPACE.tsOffset] = (nowTs - positionTs) >>> 0;
  }

  /**
   * Hot path: rewrites the fixed header of an audio packet in place (sequence, timestamp, SSRC;
   * PT, marker, CSRCs, extensions and payload untouched). The caller checked length ≥ 12 and V=2.
   * udp-batch-fast.c's forward_audio is the same code in C: change both.
   */
  forwardAudio(buf: Uint8Array, nowMs: number): void {
    const st = this.st;
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
    const outSeq = (seq + st[SPACE.seqOffset]!) & 0xffff;
    const outTs = (ts + st[SPACE.tsOffset]!) >>> 0;
    if (seqNewer(outSeq, st[SPACE.highestSeq]!)) {
      st[SPACE.highestSeq] = outSeq;
      st[SPACE.lastTs] = outTs;
      st[SPACE.lastTsAtMs] = nowMs;
      st[SPACE.tsStarted] = 1;
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
    st[SPACE.sent]!++;
  }

  /**
   * An ingress packet the relay swallows (telephone-event): its slot goes to the first packet the
   * relay emits while handling it, or, if none, disappears. Call `endIngress()` when done with it.
   */
  beginIngress(ssrc: number, seq: number, positionTs: number, nowMs: number): void {
    this.follow(ssrc, seq, positionTs, nowMs);
    const st = this.st;
    const mapped = (seq + st[SPACE.seqOffset]!) & 0xffff;
    if (seqNewer(mapped, st[SPACE.highestSeq]!)) {
      st[SPACE.reservedSeq] = mapped;
      st[SPACE.seqOffset] = (st[SPACE.seqOffset]! - 1) & 0xffff;
    }
  }

  endIngress(): void {
    this.st[SPACE.reservedSeq] = -1;
  }

  private takeSeq(): number {
    const st = this.st;
    if (st[SPACE.reservedSeq]! >= 0) {
      st[SPACE.highestSeq] = st[SPACE.reservedSeq]!;
      st[SPACE.reservedSeq] = -1;
    } else {
      st[SPACE.highestSeq] = (st[SPACE.highestSeq]! + 1) & 0xffff;
    }
    st[SPACE.seqOffset] = (st[SPACE.seqOffset]! + 1) & 0xffff;
    return st[SPACE.highestSeq]!;
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
    this.st[SPACE.sent]!++;
    return out;
  }
}
