/**
 * Reassembly of fragmented IP datagrams, shared by IPv4 (RFC 791 §3.2) and IPv6 (RFC 8200 §4.5).
 *
 * Bounded so hostile input cannot grow memory: at most `maxDatagrams` datagrams in progress and
 * `maxBytes` of buffers; the oldest is dropped first, and any older than `maxAgeS` (capture
 * time) is dropped when the next fragment arrives. A datagram never exceeds 65535 bytes.
 *
 * Overlaps: "first wins" — a byte already received is never overwritten, so overlapping or
 * duplicated fragments cannot crash or loop; RFC 5722's "discard the datagram" is stricter than a
 * capture analyzer needs (the bytes we keep are the ones the receiver most likely used).
 */
export interface FragmentLimits {
  maxDatagrams: number;
  maxBytes: number;
  maxAgeS: number;
  /** distinct non-adjacent pieces per datagram (a hole list longer than this is hostile) */
  maxPieces: number;
}

export const DEFAULT_FRAGMENT_LIMITS: FragmentLimits = Object.freeze({
  maxDatagrams: 1024,
  maxBytes: 16 * 1024 * 1024,
  maxAgeS: 60,
  maxPieces: 128,
});

/** The largest reassembled payload: the 16-bit length fields of both IP versions. */
export const MAX_DATAGRAM_BYTES = 65535;

interface Pending {
  buf: Buffer;
  /** received byte ranges, sorted and merged: [start0, end0, start1, end1, ...] */
  filled: number[];
  /** payload length, known once the last fragment ("more fragments" clear) arrived; -1 before */
  total: number;
  firstTsS: number;
  /** protocol / next header carried by the fragment at offset 0; -1 until it arrives */
  meta: number;
}

/** A completed datagram; the object is reused, `buf` belongs to the caller. */
export interface Reassembled {
  buf: Buffer;
  length: number;
  meta: number;
}

export class FragmentTable {
  private readonly pending = new Map<string, Pending>();
  private bytes = 0;
  private readonly done: Reassembled = { buf: Buffer.alloc(0), length: 0, meta: -1 };
  /** datagrams given up on (evicted, malformed or left at the end) */
  incomplete = 0;

  constructor(private readonly limits: FragmentLimits = DEFAULT_FRAGMENT_LIMITS) {}

  /**
   * Adds the fragment payload `buf[off .. off + present)` placed at `fragOffset`. `claimed` is the
   * fragment's length per its IP header (more than `present` when the capture cut the packet).
   * Returns the whole datagram when this fragment completed it, else null.
   */
  add(
    key: string,
    tsS: number,
    fragOffset: number,
    more: boolean,
    buf: Buffer,
    off: number,
    present: number,
    claimed: number,
    meta: number,
  ): Reassembled | null {
    this.expire(tsS);
    const claimedEnd = fragOffset + claimed;
    if (claimedEnd > MAX_DATAGRAM_BYTES || (more && claimed === 0)) return null;
    let p = this.pending.get(key);
    if (!p) {
      p = {
        buf: Buffer.allocUnsafe(Math.min(MAX_DATAGRAM_BYTES, Math.max(2048, claimedEnd))),
        filled: [],
        total: -1,
        firstTsS: tsS,
        meta: -1,
      };
      this.pending.set(key, p);
      this.bytes += p.buf.length;
      this.enforceSize(p);
    }
    if (fragOffset === 0) p.meta = meta;
    if (!more && p.total < 0) p.total = claimedEnd;
    let end = fragOffset + Math.min(present, claimed);
    if (p.total >= 0 && end > p.total) end = p.total;
    if (end > fragOffset) {
      if (end > p.buf.length) this.grow(p, end);
      copyHoles(p, buf, off - fragOffset, fragOffset, end);
      if (p.filled.length > 2 * this.limits.maxPieces) {
        this.drop(key, p);
        return null;
      }
    }
    const f = p.filled;
    if (p.total >= 0 && f.length === 2 && f[0] === 0 && f[1]! >= p.total && p.meta >= 0) {
      this.pending.delete(key);
      this.bytes -= p.buf.length;
      this.done.buf = p.buf;
      this.done.length = p.total;
      this.done.meta = p.meta;
      return this.done;
    }
    return null;
  }

  /** Number of datagrams in progress. */
  get size(): number {
    return this.pending.size;
  }

  /** Gives up on everything in progress (end of capture); returns how many were incomplete. */
  finish(): number {
    this.incomplete += this.pending.size;
    this.pending.clear();
    this.bytes = 0;
    return this.incomplete;
  }

  private expire(tsS: number): void {
    for (const [key, p] of this.pending) {
      if (p.firstTsS >= tsS - this.limits.maxAgeS) break;
      this.drop(key, p);
    }
  }

  /** Drops the oldest datagrams (never `keep`, the one being filled) until within the limits. */
  private enforceSize(keep: Pending): void {
    for (const [key, p] of this.pending) {
      if (this.pending.size <= this.limits.maxDatagrams && this.bytes <= this.limits.maxBytes) break;
      if (p !== keep) this.drop(key, p);
    }
  }

  private drop(key: string, p: Pending): void {
    this.pending.delete(key);
    this.bytes -= p.buf.length;
    this.incomplete++;
  }

  private grow(p: Pending, need: number): void {
    const grown = Buffer.allocUnsafe(Math.min(MAX_DATAGRAM_BYTES, Math.max(need, p.buf.length * 2)));
    p.buf.copy(grown, 0, 0, p.buf.length);
    this.bytes += grown.length - p.buf.length;
    p.buf = grown;
    this.enforceSize(p);
  }
}

/**
 * Copies the bytes of [from, to) that no earlier fragment filled (`src[delta + i]` is byte i of
 * the datagram), then merges [from, to) into the filled list.
 */
function copyHoles(p: Pending, src: Buffer, delta: number, from: number, to: number): void {
  const f = p.filled;
  let cursor = from;
  for (let i = 0; i < f.length && cursor < to; i += 2) {
    const s = f[i]!;
    const e = f[i + 1]!;
    if (e <= cursor) continue;
    if (s >= to) break;
    if (s > cursor) src.copy(p.buf, cursor, delta + cursor, delta + s);
    cursor = Math.max(cursor, e);
  }
  if (cursor < to) src.copy(p.buf, cursor, delta + cursor, delta + to);
  // merge
  const merged: number[] = [];
  let ns = from;
  let ne = to;
  let placed = false;
  for (let i = 0; i < f.length; i += 2) {
    const s = f[i]!;
    const e = f[i + 1]!;
    if (e < ns) merged.push(s, e);
    else if (s > ne) {
      if (!placed) {
        merged.push(ns, ne);
        placed = true;
      }
      merged.push(s, e);
    } else {
      ns = Math.min(ns, s);
      ne = Math.max(ne, e);
    }
  }
  if (!placed) merged.push(ns, ne);
  p.filled = merged;
}
