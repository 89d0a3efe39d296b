/**
 * Transactions that are finished but kept to absorb retransmissions, oldest first, with a bound.
 *
 * RFC 3261 §17.2.2: "The purpose of the 'Completed' state is to absorb retransmissions"; the
 * lingering states are INVITE client "Completed" (Timer D, ≥ 32 s over UDP), non-INVITE client
 * "Completed" (Timer K, T4), INVITE server "Confirmed" (Timer I, T4) and non-INVITE server
 * "Completed" (Timer J, 64·T1). They do no work unless a retransmission comes, so the layer's cap
 * on live transactions leaves them out and this bound keeps their memory in check instead: past
 * it the oldest one ends early, as if its timer had fired (it has lingered the longest).
 */

/** What a lingering machine offers: end the wait now. */
export interface Lingerer {
  endLinger(): void;
}

export class LingeringSet<T extends Lingerer> {
  /** a Set iterates in insertion order: the first entry lingered first */
  private readonly entries = new Set<T>();

  constructor(private readonly max: number) {
    if (!(max >= 0)) throw new RangeError(`bug: lingering bound ${max}`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** `tx` began to linger; returns the transactions ended early to stay within the bound. */
  add(tx: T): number {
    this.entries.add(tx);
    let ended = 0;
    while (this.entries.size > this.max) {
      const oldest = this.entries.values().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
      oldest.endLinger();
      ended++;
    }
    return ended;
  }

  /** `tx` terminated (no-op when it never lingered). */
  delete(tx: T): void {
    this.entries.delete(tx);
  }
}
