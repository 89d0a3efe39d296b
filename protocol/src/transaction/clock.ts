/**
 * The clock is injected into every transaction (ARCHITECTURE.md rule 7): production code uses
 * `realClock`, tests use `FakeClock` and move time by hand, so retransmission schedules are
 * checked to the millisecond without waiting.
 */

/** Opaque timer handle; only the clock that issued it may clear it. */
export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** milliseconds on a monotonic scale (the origin is the clock's own) */
  now(): number;
  setTimer(ms: number, fn: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

interface FakeTimer {
  readonly due: number;
  readonly seq: number;
  readonly fn: () => void;
}

/**
 * A clock that only moves when told. `advance(ms)` fires every timer due up to now+ms in due
 * order (ties in creation order); a timer set by a firing callback fires in the same call if it
 * falls due within the window.
 */
export class FakeClock implements Clock {
  private nowMs: number;
  private nextId = 1;
  private readonly timers = new Map<number, FakeTimer>();

  constructor(startMs = 0) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { due: this.nowMs + Math.max(0, ms), seq: id, fn });
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    this.timers.delete(handle.id);
  }

  /** Moves time forward by `ms`, firing due timers in order. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`cannot advance by ${ms}`);
    const target = this.nowMs + ms;
    for (;;) {
      const next = this.earliestDue(target);
      if (next === null) break;
      this.timers.delete(next[0]);
      this.nowMs = next[1].due;
      next[1].fn();
    }
    this.nowMs = target;
  }

  /** Advances to an absolute time. */
  advanceTo(ms: number): void {
    this.advance(ms - this.nowMs);
  }

  /** Number of timers still armed (the "no leftovers" checks use it). */
  pendingCount(): number {
    return this.timers.size;
  }

  private earliestDue(limit: number): [number, FakeTimer] | null {
    let best: [number, FakeTimer] | null = null;
    for (const entry of this.timers) {
      const t = entry[1];
      if (t.due > limit) continue;
      if (best === null || t.due < best[1].due || (t.due === best[1].due && t.seq < best[1].seq))
        best = entry;
    }
    return best;
  }
}

/** A real clock's handle carries its Node timer (no table to keep: a B2BUA arms ~10 per call). */
interface RealTimerHandle extends TimerHandle {
  readonly timeout: ReturnType<typeof setTimeout>;
}

/**
 * The process clock: performance.now() and setTimeout. With `unref`, pending timers (Timer D/J/K
 * lingering after a call) do not keep the process alive once its sockets are closed.
 */
export function createRealClock(options: { readonly unref?: boolean } = {}): Clock {
  const unref = options.unref === true;
  let nextId = 1;
  return {
    now: () => performance.now(),
    setTimer(ms, fn): RealTimerHandle {
      const timeout = setTimeout(fn, ms);
      if (unref) timeout.unref();
      return { id: nextId++, timeout };
    },
    clearTimer(handle) {
      // clearTimeout of a fired or cleared timer is a no-op
      if ("timeout" in handle) clearTimeout((handle as RealTimerHandle).timeout);
    },
  };
}
