/**
 * A per-source budget: at most `perWindow` events per source IP in each window (fixed windows).
 * Used to cap the 400 / 505 answers to malformed input, so a flood of garbage from one address
 * is not reflected back at full rate. The table is cleared at every window, so it stays bounded
 * by the number of distinct sources seen in one window (and by `maxSources`).
 */
export class SourceLimiter {
  private windowStart = -Infinity;
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly perWindow: number,
    private readonly windowMs: number,
    private readonly now: () => number = () => performance.now(),
    private readonly maxSources = 10_000,
  ) {}

  /** Counts one event for `source`; false when its budget for this window is spent. */
  allow(source: string): boolean {
    const t = this.now();
    if (t - this.windowStart >= this.windowMs) {
      this.windowStart = t;
      this.counts.clear();
    }
    const n = this.counts.get(source) ?? 0;
    if (n >= this.perWindow) return false;
    if (n === 0 && this.counts.size >= this.maxSources) return false;
    this.counts.set(source, n + 1);
    return true;
  }
}
