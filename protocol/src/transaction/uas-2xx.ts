/**
 * The UAS core's 2xx retransmission (RFC 3261 §13.3.1.4).
 *
 * "Once the response has been constructed, it is passed to the INVITE server transaction. Note,
 * however, that the INVITE server transaction will be destroyed as soon as it receives this final
 * response and passes it to the transport. Therefore, it is necessary to periodically pass the
 * response directly to the transport until the ACK arrives. The 2xx response is passed to the
 * transport with an interval that starts at T1 seconds and doubles for each retransmission until
 * it reaches T2 seconds (T1 and T2 are defined in Section 17). Response retransmissions cease when
 * an ACK request for the response is received. This is independent of whatever transport
 * protocols are used to send the response."
 *
 * "If the server retransmits the 2xx response for 64*T1 seconds without receiving an ACK, the
 * dialog is confirmed, but the session SHOULD be terminated. This is accomplished with a BYE, as
 * described in Section 15." -> reported as "ack-timeout"; the dialog layer sends the BYE.
 *
 *     start --> retransmitting --ACK--> acknowledged
 *                    |   \--64*T1--> ack-timeout
 *                    \--stop()--> stopped
 */
import type { SipResponse } from "../wire/sip/types.ts";
import type { Clock } from "./clock.ts";
import { TimerSet } from "./timer-set.ts";
import { defaultTransactionConfig, nextInterval, TIMEOUT_T1_MULTIPLIER } from "./timers.ts";
import type { TransactionConfig } from "./timers.ts";
import type { Sender } from "./transaction-user.ts";

export type Uas2xxState = "retransmitting" | "acknowledged" | "ack-timeout" | "stopped";

export const uas2xxTransitions: Readonly<Record<Uas2xxState, readonly Uas2xxState[]>> = Object.freeze({
  retransmitting: Object.freeze(["acknowledged", "ack-timeout", "stopped"] as const),
  acknowledged: Object.freeze([] as const),
  "ack-timeout": Object.freeze([] as const),
  stopped: Object.freeze([] as const),
});

export type Uas2xxEvent = "retransmit-timer" | "give-up-timer" | "ack" | "stop";

export interface Uas2xxHooks {
  /** 64*T1 without ACK: the dialog should send BYE */
  onAckTimeout(): void;
  /** any terminal state reached (the layer removes its bookkeeping here) */
  onFinished?(state: Uas2xxState): void;
}

export interface Uas2xxDeps {
  readonly clock: Clock;
  readonly send: Sender;
  readonly config?: TransactionConfig;
}

export class Uas2xxRetransmitter {
  readonly response: SipResponse;
  private current: Uas2xxState = "retransmitting";
  private readonly timers: TimerSet<"retransmit" | "give-up">;
  private readonly T2: number;
  private readonly T1: number;
  private readonly cap: number | undefined;
  private interval: number;
  private retransmits = 0;
  private started = false;

  constructor(
    response: SipResponse,
    private readonly deps: Uas2xxDeps,
    private readonly hooks: Uas2xxHooks,
  ) {
    if (response.status < 200 || response.status > 299)
      throw new Error(`bug: 2xx retransmission of ${response.status}`);
    this.response = response;
    const config = deps.config ?? defaultTransactionConfig;
    this.T1 = config.timers.T1;
    this.T2 = config.timers.T2;
    this.cap = config.retryCaps?.nonInvite;
    this.interval = this.T1;
    this.timers = new TimerSet(deps.clock, (name) =>
      this.handle(name === "retransmit" ? "retransmit-timer" : "give-up-timer"),
    );
  }

  get state(): Uas2xxState {
    return this.current;
  }

  get retransmissions(): number {
    return this.retransmits;
  }

  /** Arms the schedule; the first transmission was made by the INVITE server transaction. */
  start(): void {
    if (this.started) throw new Error("bug: 2xx retransmission started twice");
    this.started = true;
    this.timers.start("retransmit", this.interval);
    this.timers.start("give-up", TIMEOUT_T1_MULTIPLIER * this.T1);
  }

  ackReceived(): void {
    this.handle("ack");
  }

  /** The dialog ended some other way (e.g. BYE received): stop quietly. */
  stop(): void {
    this.handle("stop");
  }

  handle(event: Uas2xxEvent): void {
    if (this.current !== "retransmitting") return;
    switch (event) {
      case "retransmit-timer":
        this.retransmits++;
        this.deps.send(this.response);
        if (this.current !== "retransmitting") return;
        this.interval = nextInterval(this.interval, this.T2);
        if (this.cap === undefined || this.retransmits < this.cap)
          this.timers.start("retransmit", this.interval);
        return;
      case "give-up-timer":
        this.transition("ack-timeout");
        return;
      case "ack":
        // "Response retransmissions cease when an ACK request for the response is received."
        this.transition("acknowledged");
        return;
      case "stop":
        this.transition("stopped");
        return;
    }
  }

  private transition(to: Uas2xxState): void {
    if (!uas2xxTransitions[this.current].includes(to))
      throw new Error(`bug: 2xx retransmission ${this.current} -> ${to}`);
    this.current = to;
    this.timers.cancelAll();
    if (to === "ack-timeout") this.hooks.onAckTimeout();
    this.hooks.onFinished?.(to);
  }
}
