import { TCP_FLAG } from "./tcp-header.ts";

/*
 * One direction of a TCP connection, turned back into its byte stream (RFC 9293 §3.4 "Sequence
 * Numbers"): "each octet of data sent over a TCP connection has a sequence number"; "the SYN is
 * considered to occur before the first actual data octet of the segment in which it occurs"
 * (so data starts at ISN+1), "while the FIN is considered to occur after the last actual data
 * octet". Comparisons are modulo 2^32 (§3.4: "arithmetic [...] must be performed modulo 2**32").
 *
 * Delivered: each byte once, in order. Retransmitted/overlapping bytes are dropped; segments
 * ahead of the next expected byte are held (bounded) until the hole fills. When it cannot fill —
 * the hold is full, the jump is too large to be a window, a RST, a new SYN, or the end of the
 * capture — the stream skips forward and the next delivery carries gap=true.
 */
export interface TcpLimits {
  /** directions tracked at once; beyond, idle then oldest streams are evicted */
  maxStreams: number;
  /** held (out-of-order) bytes per direction */
  maxHeldBytes: number;
  /** held segments per direction */
  maxHeldSegments: number;
  /** held bytes across all directions */
  maxHeldBytesTotal: number;
  /** a sequence jump (either way) larger than this is a new sequence space, not a hole */
  maxJumpBytes: number;
  /** a direction silent this long (capture time) may be evicted */
  idleS: number;
}

export const DEFAULT_TCP_LIMITS: TcpLimits = Object.freeze({
  maxStreams: 16384,
  maxHeldBytes: 1024 * 1024,
  maxHeldSegments: 1024,
  maxHeldBytesTotal: 64 * 1024 * 1024,
  maxJumpBytes: 16 * 1024 * 1024,
  idleS: 600,
});

interface Held {
  seq: number;
  data: Buffer;
  frame: number;
  tsS: number;
}

/** A direction's identity and state; `srcIp`... are read by the delivery callback. */
export class TcpStream {
  nextSeq = 0;
  synced = false;
  /** the SYN's sequence number; -1 before one is seen */
  isn = -1;
  closed = false;
  gapNext = false;
  delivered = 0;
  held: Held[] = [];
  heldBytes = 0;
  lastTsS = 0;

  constructor(
    readonly srcIp: string,
    readonly srcPort: number,
    readonly dstIp: string,
    readonly dstPort: number,
  ) {}
}

/** Receives new in-order bytes `buf[off .. off + len)` (a view: copy what you keep). */
export type TcpDeliver = (
  stream: TcpStream,
  frame: number,
  tsS: number,
  buf: Buffer,
  off: number,
  len: number,
  gap: boolean,
) => void;

export class TcpReassembler {
  private readonly streams = new Map<string, TcpStream>();
  private heldTotal = 0;
  /** skips over missing bytes so far */
  gaps = 0;

  constructor(
    private readonly deliver: TcpDeliver,
    private readonly limits: TcpLimits = DEFAULT_TCP_LIMITS,
  ) {}

  /** One segment; `seq` and `flags` from its header, payload `buf[off .. off + len)`. */
  segment(
    srcIp: string,
    srcPort: number,
    dstIp: string,
    dstPort: number,
    frame: number,
    tsS: number,
    seq: number,
    flags: number,
    buf: Buffer,
    off: number,
    len: number,
  ): void {
    const key = `${srcIp}|${srcPort}|${dstIp}|${dstPort}`;
    let s = this.streams.get(key);
    if (!s) {
      if (this.streams.size >= this.limits.maxStreams) this.evict(tsS);
      s = new TcpStream(srcIp, srcPort, dstIp, dstPort);
      this.streams.set(key, s);
    }
    s.lastTsS = tsS;
    if (flags & TCP_FLAG.SYN) {
      this.syn(s, seq);
      seq = (seq + 1) >>> 0;
    }
    if (!s.synced) {
      // First segment of a stream whose SYN was not captured: its first byte is the start.
      s.synced = true;
      s.nextSeq = seq;
    }
    if (len > 0) this.data(s, frame, tsS, seq, buf, off, len);
    if (flags & TCP_FLAG.FIN && !s.closed && (seq + len) >>> 0 === s.nextSeq) {
      s.nextSeq = (s.nextSeq + 1) >>> 0;
      s.closed = true;
    }
    if (flags & TCP_FLAG.RST) {
      this.skipForward(s);
      s.closed = true;
    }
  }

  /** End of capture: held bytes are delivered (after their holes, with gap=true). */
  flushAll(): void {
    for (const s of this.streams.values()) this.skipForward(s);
  }

  get streamCount(): number {
    return this.streams.size;
  }

  private syn(s: TcpStream, seq: number): void {
    if (s.isn === seq) return; // retransmitted SYN
    const dataStart = (seq + 1) >>> 0;
    if (s.isn === -1 && s.synced && !s.closed) {
      const d = (dataStart - s.nextSeq) | 0;
      if (d <= 0 && d >= -this.limits.maxJumpBytes) {
        // A late SYN of the connection whose data we already follow.
        s.isn = seq;
        return;
      }
    }
    if (s.synced) {
      // The 4-tuple is reused by a new connection: what is held belongs to the old one.
      this.skipForward(s);
      if (s.delivered > 0) s.gapNext = true;
    }
    s.isn = seq;
    s.synced = true;
    s.closed = false;
    s.nextSeq = dataStart;
  }

  private data(
    s: TcpStream,
    frame: number,
    tsS: number,
    seq: number,
    buf: Buffer,
    off: number,
    len: number,
  ): void {
    const d = (seq - s.nextSeq) | 0;
    const jump = this.limits.maxJumpBytes;
    if (d <= 0 && d >= -jump) {
      if (d + len <= 0) return; // all retransmitted
      this.emit(s, frame, tsS, buf, off - d, len + d, false);
      this.drain(s, frame, tsS);
      return;
    }
    if (d > 0 && d <= jump) {
      this.hold(s, frame, tsS, seq, buf, off, len);
      return;
    }
    // Far outside any window: a new sequence space. Deliver what was held, then restart here.
    this.skipForward(s);
    s.nextSeq = seq;
    this.emit(s, frame, tsS, buf, off, len, true);
  }

  private emit(
    s: TcpStream,
    frame: number,
    tsS: number,
    buf: Buffer,
    off: number,
    len: number,
    gap: boolean,
  ): void {
    const g = gap || s.gapNext;
    if (g) this.gaps++;
    s.gapNext = false;
    s.nextSeq = (s.nextSeq + len) >>> 0;
    s.delivered += len;
    this.deliver(s, frame, tsS, buf, off, len, g);
  }

  /** Delivers held segments that are now in order (completed by the current frame). */
  private drain(s: TcpStream, frame: number, tsS: number): void {
    const held = s.held;
    while (held.length > 0) {
      const h = held[0]!;
      const d = (h.seq - s.nextSeq) | 0;
      if (d > 0) return;
      held.shift();
      this.release(s, h);
      if (d + h.data.length > 0) this.emit(s, frame, tsS, h.data, -d, h.data.length + d, false);
    }
  }

  private hold(
    s: TcpStream,
    frame: number,
    tsS: number,
    seq: number,
    buf: Buffer,
    off: number,
    len: number,
  ): void {
    const held = s.held;
    let i = held.length;
    // sorted by sequence (relative to nextSeq, which all held segments are ahead of)
    while (i > 0 && ((held[i - 1]!.seq - seq) | 0) > 0) i--;
    const prev = held[i - 1];
    if (prev && prev.seq === seq && prev.data.length >= len) return; // retransmitted out-of-order segment
    const data = Buffer.allocUnsafe(len);
    buf.copy(data, 0, off, off + len);
    held.splice(i, 0, { seq, data, frame, tsS });
    s.heldBytes += len;
    this.heldTotal += len;
    if (
      s.heldBytes > this.limits.maxHeldBytes ||
      held.length > this.limits.maxHeldSegments ||
      this.heldTotal > this.limits.maxHeldBytesTotal
    ) {
      this.skipForward(s);
    }
  }

  /** Gives up on the hole(s): delivers every held segment in order, each jump flagged as a gap. */
  private skipForward(s: TcpStream): void {
    const held = s.held;
    s.held = [];
    for (const h of held) {
      this.release(s, h);
      const d = (h.seq - s.nextSeq) | 0;
      if (d > 0) {
        s.nextSeq = h.seq;
        s.gapNext = true;
      }
      const skip = d < 0 ? -d : 0;
      if (skip < h.data.length) this.emit(s, h.frame, h.tsS, h.data, skip, h.data.length - skip, false);
    }
  }

  private release(s: TcpStream, h: Held): void {
    s.heldBytes -= h.data.length;
    this.heldTotal -= h.data.length;
  }

  /** Makes room: drops directions idle for `idleS`, else the oldest tenth (held bytes delivered first). */
  private evict(nowS: number): void {
    const idleBefore = nowS - this.limits.idleS;
    for (const [key, s] of this.streams) {
      if (s.lastTsS < idleBefore) this.drop(key, s);
    }
    const target = Math.floor(this.limits.maxStreams * 0.9);
    for (const [key, s] of this.streams) {
      if (this.streams.size <= target) break;
      this.drop(key, s);
    }
  }

  private drop(key: string, s: TcpStream): void {
    this.skipForward(s);
    this.streams.delete(key);
  }
}
