/**
 * The named timers of one transaction ("A", "B", "D", ...). Starting a running timer restarts it;
 * `cancelAll()` runs when the transaction enters "Terminated", so nothing outlives it
 * (RFC 3261 §17.1.1.2: "The client transaction MUST be destroyed the instant it enters the
 * 'Terminated' state").
 */
import type { Clock, TimerHandle } from "./clock.ts";

/** Stands in for the handle until setTimer returns it (the callback needs the entry first). */
const PLACEHOLDER: TimerHandle = Object.freeze({ id: 0 });

export class TimerSet<N extends string> {
  /** running timers as [name, handle] pairs: a machine has at most 4, so a scan beats a Map */
  private running: [N, TimerHandle][] = [];

  constructor(
    private readonly clock: Clock,
    private readonly onFire: (name: N) => void,
  ) {}

  start(name: N, ms: number): void {
    this.cancel(name);
    const entry: [N, TimerHandle] = [name, PLACEHOLDER];
    entry[1] = this.clock.setTimer(ms, () => {
      const i = this.running.indexOf(entry);
      if (i < 0) return;
      this.running.splice(i, 1);
      this.onFire(name);
    });
    this.running.push(entry);
  }

  cancel(name: N): void {
    const i = this.running.findIndex((e) => e[0] === name);
    if (i < 0) return;
    this.clock.clearTimer(this.running[i]![1]);
    this.running.splice(i, 1);
  }

  cancelAll(): void {
    const all = this.running;
    this.running = [];
    for (const e of all) this.clock.clearTimer(e[1]);
  }

  has(name: N): boolean {
    return this.running.some((e) => e[0] === name);
  }

  get size(): number {
    return this.running.length;
  }
}
