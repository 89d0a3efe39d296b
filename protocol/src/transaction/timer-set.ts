/**
 * The named timers of one transaction ("A", "B", "D", ...). Starting a running timer restarts it;
 * `cancelAll()` runs when the transaction enters "Terminated", so nothing outlives it
 * (RFC 3261 §17.1.1.2: "The client transaction MUST be destroyed the instant it enters the
 * 'Terminated' state").
 */
import type { Clock, TimerHandle } from "./clock.ts";

export class TimerSet<N extends string> {
  private readonly running = new Map<N, TimerHandle>();

  constructor(
    private readonly clock: Clock,
    private readonly onFire: (name: N) => void,
  ) {}

  start(name: N, ms: number): void {
    this.cancel(name);
    const handle = this.clock.setTimer(ms, () => {
      if (this.running.get(name) !== handle) return;
      this.running.delete(name);
      this.onFire(name);
    });
    this.running.set(name, handle);
  }

  cancel(name: N): void {
    const handle = this.running.get(name);
    if (handle === undefined) return;
    this.clock.clearTimer(handle);
    this.running.delete(name);
  }

  cancelAll(): void {
    for (const name of [...this.running.keys()]) this.cancel(name);
  }

  has(name: N): boolean {
    return this.running.has(name);
  }

  get size(): number {
    return this.running.size;
  }
}
