/**
 * The running session timer of one dialog (RFC 4028 §10), on the injected clock.
 *
 * RFC 4028 §10: "the refresher ... SHOULD send the refresh request at the midpoint of the session
 * interval ... If the side not performing refreshes does not receive a session refresh request
 * before the session expiration, it SHOULD send a BYE to terminate the session, slightly before
 * the session expiration. The minimum of 32 seconds and one third of the session interval is
 * RECOMMENDED." The refresher has no such guard: a refresh that gets no answer times out (408)
 * and the dialog ends with a BYE then (RFC 3261 §12.2.1.2, target-refresh.ts).
 *
 *            start(S, we refresh)                 S/2
 *   stopped ----------------------> refreshing ----------> onRefreshDue
 *      |     start(S, they refresh)            S - min(32, S/3)
 *      +----------------------------> guarding ----------------------> onExpiring (send BYE)
 *   stop() from any state -> stopped
 */
import type { Clock, TimerHandle } from "../transaction/index.ts";
import type { NegotiatedTimer } from "./session-timer-negotiation.ts";

export interface SessionTimerHooks {
  /** time to send a refresh (re-INVITE or UPDATE) */
  onRefreshDue(): void;
  /** no refresh arrived: send BYE now */
  onExpiring(): void;
}

/** RFC 4028 §10: BYE min(32 s, S/3) before expiry. */
export function byeBeforeExpiryS(intervalS: number): number {
  return Math.min(32, intervalS / 3);
}

export class SessionTimer {
  private refreshHandle: TimerHandle | null = null;
  private expiryHandle: TimerHandle | null = null;
  private running: NegotiatedTimer | null = null;
  private refreshAt: number | null = null;
  private expireAt: number | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly hooks: SessionTimerHooks,
  ) {}

  get current(): NegotiatedTimer | null {
    return this.running;
  }
  /** clock time of the next refresh (null when we do not refresh) */
  get refreshAtMs(): number | null {
    return this.refreshAt;
  }
  /** clock time at which BYE is sent if nothing refreshes the session */
  get expiryByeAtMs(): number | null {
    return this.expireAt;
  }

  /** (Re)starts the interval after a successful negotiation or refresh. */
  start(t: NegotiatedTimer): void {
    this.stop();
    this.running = t;
    const now = this.clock.now();
    if (t.weRefresh) {
      const ms = (t.intervalS * 1000) / 2;
      this.refreshAt = now + ms;
      this.refreshHandle = this.clock.setTimer(ms, () => {
        this.refreshHandle = null;
        this.refreshAt = null;
        this.hooks.onRefreshDue();
      });
    }
    if (t.weRefresh) return;
    const expiryMs = (t.intervalS - byeBeforeExpiryS(t.intervalS)) * 1000;
    this.expireAt = now + expiryMs;
    this.expiryHandle = this.clock.setTimer(expiryMs, () => {
      this.expiryHandle = null;
      this.stop();
      this.hooks.onExpiring();
    });
  }

  stop(): void {
    if (this.refreshHandle !== null) this.clock.clearTimer(this.refreshHandle);
    if (this.expiryHandle !== null) this.clock.clearTimer(this.expiryHandle);
    this.refreshHandle = null;
    this.expiryHandle = null;
    this.refreshAt = null;
    this.expireAt = null;
    this.running = null;
  }
}
