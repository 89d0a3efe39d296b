/**
 * RTP port allocation for media anchoring. RFC 3550 §11: "For UDP and similar protocols, RTP SHOULD
 * use an even destination port number and the corresponding RTCP stream SHOULD use the next higher
 * (odd) destination port number". Each allocation therefore reserves the pair (p, p + 1), p even.
 *
 * Free ports are handed out first-in first-out, so a port just released (whose late packets may
 * still be in flight) is the last to be reused. O(1) allocate and release, no allocation after
 * construction; a release of a port that is not allocated is a caller bug and throws.
 */

export interface PortRange {
  /** lowest port of the range (inclusive) */
  readonly min: number;
  /** highest port of the range (inclusive); the last pair is (p, p + 1) with p + 1 ≤ max */
  readonly max: number;
}

/** Where a MediaRelay takes its ports from: a PortPool, or (in a media worker) the ports handed to it. */
export interface PortSource {
  /** an even RTP port (RTCP is port + 1), or null when none is left */
  allocate(): number | null;
  release(port: number): void;
}

export class PortPool implements PortSource {
  /** first even port of the range */
  private readonly first: number;
  readonly capacity: number;
  /** ring of free pair indexes */
  private readonly free: Int32Array;
  private head = 0;
  private freeCount: number;
  /** 1 = allocated, by pair index */
  private readonly used: Uint8Array;

  constructor(range: PortRange) {
    const { min, max } = range;
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 65535 || min > max) {
      throw new RangeError(`bad port range ${min}-${max}`);
    }
    this.first = min % 2 === 0 ? min : min + 1;
    this.capacity = Math.max(0, Math.floor((max - this.first + 1) / 2));
    if (this.capacity === 0) throw new RangeError(`port range ${min}-${max} holds no even/odd pair`);
    this.free = new Int32Array(this.capacity);
    for (let i = 0; i < this.capacity; i++) this.free[i] = i;
    this.freeCount = this.capacity;
    this.used = new Uint8Array(this.capacity);
  }

  /** An even RTP port (RTCP is port + 1), or null when every pair is taken. */
  allocate(): number | null {
    if (this.freeCount === 0) return null;
    const index = this.free[this.head]!;
    this.head = (this.head + 1) % this.capacity;
    this.freeCount--;
    this.used[index] = 1;
    return this.first + index * 2;
  }

  /** Gives the pair back. Throws RangeError for a port this pool did not hand out (double release). */
  release(port: number): void {
    const index = this.indexOf(port);
    if (index < 0 || this.used[index] === 0)
      throw new RangeError(`port ${port} is not allocated from this pool`);
    this.used[index] = 0;
    this.free[(this.head + this.freeCount) % this.capacity] = index;
    this.freeCount++;
  }

  isAllocated(port: number): boolean {
    const index = this.indexOf(port);
    return index >= 0 && this.used[index] === 1;
  }

  get inUse(): number {
    return this.capacity - this.freeCount;
  }

  get available(): number {
    return this.freeCount;
  }

  private indexOf(port: number): number {
    const off = port - this.first;
    if (!Number.isInteger(port) || off < 0 || off % 2 !== 0) return -1;
    const index = off / 2;
    return index < this.capacity ? index : -1;
  }
}
