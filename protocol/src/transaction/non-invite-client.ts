/**
 * Non-INVITE client transaction (RFC 3261 §17.1.2, Figure 6).
 *
 *                                    |Request from TU
 *                                    |send request
 *                Timer E             V
 *                send request  +-----------+
 *                    +---------|           |-------------------+
 *                    |         |  Trying   |  Timer F          |
 *                    +-------->|           |  or Transport Err.|
 *                              +-----------+  inform TU        |
 *                 200-699         |  |                         |
 *                 resp. to TU     |  |1xx                      |
 *                 +---------------+  |resp. to TU              |
 *                 |                  |                         |
 *                 |   Timer E        V       Timer F           |
 *                 |   send req +-----------+ or Transport Err. |
 *                 |  +---------|           | inform TU         |
 *                 |  |         |Proceeding |------------------>|
 *                 |  +-------->|           |-----+             |
 *                 |            +-----------+     |1xx          |
 *                 |              |      ^        |resp to TU   |
 *                 | 200-699      |      +--------+             |
 *                 | resp. to TU  |                             |
 *                 |              V                             |
 *                 |            +-----------+                   |
 *                 |            | Completed |                   |
 *                 |            +-----------+                   |
 *                 |              ^   |                         |
 *                 |              |   | Timer K                 |
 *                 +--------------+   | -                       |
 *                                    V                         |
 *                              +-----------+                   |
 *                              | Terminated|<------------------+
 *                              +-----------+
 */
import type { SipRequest, SipResponse } from "../wire/sip/types.ts";
import { TimerSet } from "./timer-set.ts";
import { defaultTransactionConfig, deriveTimers, nextInterval } from "./timers.ts";
import type { TransactionTimers } from "./timers.ts";
import type { ClientTransactionUser, TransactionDeps } from "./transaction-user.ts";

export type NonInviteClientState = "trying" | "proceeding" | "completed" | "terminated";

export const nonInviteClientTransitions: Readonly<
  Record<NonInviteClientState, readonly NonInviteClientState[]>
> = Object.freeze({
  trying: Object.freeze(["proceeding", "completed", "terminated"] as const),
  proceeding: Object.freeze(["completed", "terminated"] as const),
  completed: Object.freeze(["terminated"] as const),
  terminated: Object.freeze([] as const),
});

export type NonInviteClientTimer = "E" | "F" | "K";

export type NonInviteClientEvent =
  | { readonly kind: "response"; readonly response: SipResponse }
  | { readonly kind: "timer"; readonly timer: NonInviteClientTimer }
  | { readonly kind: "transport-error"; readonly reason: string };

export class NonInviteClientTransaction {
  readonly kind = "non-invite-client" as const;
  readonly request: SipRequest;
  readonly reliable: boolean;
  private current: NonInviteClientState = "trying";
  private readonly timers: TimerSet<NonInviteClientTimer>;
  private readonly values: TransactionTimers;
  private readonly retransmitCap: number | undefined;
  private intervalE: number;
  private retransmits = 0;
  private started = false;
  private terminateAfterEvent = false;
  /** RFC 3261 §18.4: the transport could not send one of our messages. */
  private readonly onSendError = (reason: string): void => this.transportError(reason);

  constructor(
    request: SipRequest,
    private readonly deps: TransactionDeps,
    private readonly tu: ClientTransactionUser,
  ) {
    // RFC 3261 §17.1: "There is no client transaction for ACK."
    if (request.method === "INVITE" || request.method === "ACK") {
      throw new Error(`bug: non-INVITE client transaction for ${request.method}`);
    }
    this.request = request;
    this.reliable = deps.reliable;
    const config = deps.config ?? defaultTransactionConfig;
    this.values = deriveTimers(config.timers, deps.reliable);
    this.retransmitCap = config.retryCaps?.nonInvite;
    this.intervalE = this.values.E ?? 0;
    this.timers = new TimerSet(deps.clock, (timer) => this.handle({ kind: "timer", timer }));
  }

  get state(): NonInviteClientState {
    return this.current;
  }

  get retransmissions(): number {
    return this.retransmits;
  }

  /**
   * RFC 3261 §17.1.2.2: "The 'Trying' state is entered when the TU initiates a new client
   * transaction with a request. When entering this state, the client transaction SHOULD set
   * timer F to fire in 64*T1 seconds. The request MUST be passed to the transport layer for
   * transmission. If an unreliable transport is in use, the client transaction MUST set timer E
   * to fire in T1 seconds."
   */
  start(): void {
    if (this.started) throw new Error("bug: non-INVITE client transaction started twice");
    this.started = true;
    this.timers.start("F", this.values.F);
    this.deps.send(this.request, this.onSendError);
    if (this.current !== "trying") return;
    if (this.values.E !== null) this.timers.start("E", this.values.E);
  }

  receive(response: SipResponse): void {
    this.handle({ kind: "response", response });
  }

  /**
   * Ends the wait in "Completed" now, as if Timer K had fired: the layer's bound on
   * transactions that only absorb retransmissions (transaction-layer.ts). Elsewhere a no-op.
   */
  endLinger(): void {
    if (this.current === "completed") this.terminate();
  }

  transportError(reason: string): void {
    this.handle({ kind: "transport-error", reason });
  }

  handle(event: NonInviteClientEvent): void {
    if (this.current === "terminated") return;
    switch (event.kind) {
      case "response":
        this.onResponse(event.response);
        break;
      case "timer":
        this.onTimer(event.timer);
        break;
      case "transport-error":
        // RFC 3261 §17.1.4: "The client transaction SHOULD inform the TU that a transport failure
        // has occurred, and the client transaction SHOULD transition directly to the
        // 'Terminated' state."
        this.tu.onTransportError?.(event.reason);
        this.terminate();
        break;
    }
    if (this.terminateAfterEvent) {
      this.terminateAfterEvent = false;
      this.terminate();
    }
  }

  private onResponse(response: SipResponse): void {
    const s = this.current;
    if (s === "completed") {
      // "The 'Completed' state exists to buffer any additional response retransmissions that
      // may be received": absorbed, not passed up.
      return;
    }
    if (response.status < 200) {
      // "If a provisional response is received while in the 'Trying' state, the response MUST
      // be passed to the TU, and then the client transaction SHOULD move to the 'Proceeding'
      // state."
      if (s === "trying") this.transition("proceeding");
      this.tu.onResponse(response);
      return;
    }
    // "If a final response (status codes 200-699) is received while in the 'Trying' state, the
    // response MUST be passed to the TU, and the client transaction MUST transition to the
    // 'Completed' state." (the same sentence is repeated for 'Proceeding')
    this.transition("completed");
    this.tu.onResponse(response);
  }

  private onTimer(timer: NonInviteClientTimer): void {
    const s = this.current;
    switch (timer) {
      case "E": {
        if (s !== "trying" && s !== "proceeding") return;
        // Trying: "If timer E fires while still in this state, the timer is reset, but this time
        // with a value of MIN(2*T1, T2). When the timer fires again, it is reset to a MIN(4*T1,
        // T2)." Proceeding: "If Timer E fires while in the 'Proceeding' state, the request MUST
        // be passed to the transport layer for retransmission, and Timer E MUST be reset with a
        // value of T2 seconds."
        this.retransmits++;
        this.deps.send(this.request, this.onSendError);
        if (this.current !== s) return;
        this.intervalE = s === "trying" ? nextInterval(this.intervalE, this.values.T2) : this.values.T2;
        if (this.retransmitCap === undefined || this.retransmits < this.retransmitCap) {
          this.timers.start("E", this.intervalE);
        }
        return;
      }
      case "F":
        // "If Timer F fires while the client transaction is still in the 'Trying' state, the
        // client transaction SHOULD inform the TU about the timeout, and then it SHOULD enter the
        // 'Terminated' state." / "If timer F fires while in the 'Proceeding' state, the TU MUST
        // be informed of a timeout, and the client transaction MUST transition to the terminated
        // state."
        if (s !== "trying" && s !== "proceeding") return;
        this.tu.onTimeout?.();
        this.terminate();
        return;
      case "K":
        // "If Timer K fires while in this state, the client transaction MUST transition to the
        // 'Terminated' state."
        if (s === "completed") this.terminate();
        return;
    }
  }

  private terminate(): void {
    if (this.current !== "terminated") this.transition("terminated");
  }

  private transition(to: NonInviteClientState): void {
    if (!nonInviteClientTransitions[this.current].includes(to)) {
      throw new Error(`bug: non-INVITE client transaction ${this.current} -> ${to}`);
    }
    this.current = to;
    switch (to) {
      case "trying":
        break;
      case "proceeding":
        // retransmissions continue in Proceeding, now at T2 (set when E next fires)
        break;
      case "completed":
        this.timers.cancel("E");
        this.timers.cancel("F");
        // "Once the client transaction enters the 'Completed' state, it MUST set Timer K to fire
        // in T4 seconds for unreliable transports, and zero seconds for reliable transports."
        if (this.values.K === 0) this.terminateAfterEvent = true;
        else {
          this.timers.start("K", this.values.K);
          this.deps.onLinger?.();
        }
        break;
      case "terminated":
        // "Once the transaction is in the terminated state, it MUST be destroyed immediately."
        this.timers.cancelAll();
        this.tu.onTerminated?.();
        break;
    }
  }
}
