/**
 * Non-INVITE server transaction (RFC 3261 §17.2.2, Figure 8).
 *
 *                                   |Request received
 *                                   |pass to TU
 *                                   V
 *                             +-----------+
 *                             | Trying    |-------------+
 *                             +-----------+             |200-699 from TU
 *                                   |                   |send response
 *                                   |1xx from TU        |
 *                                   |send response      |
 *                Request            V      1xx from TU  |
 *                send response+-----------+send response|
 *                    +--------|           |--------+    |
 *                    |        | Proceeding|        |    |
 *                    +------->|           |<-------+    |
 *             +<--------------|           |             |
 *             |Trnsprt Err    +-----------+             |
 *             |Inform TU            |                   |
 *             |                     |200-699 from TU    |
 *             |                     |send response      |
 *             |  Request            V                   |
 *             |  send response+-----------+             |
 *             |      +--------|           |             |
 *             |      |        | Completed |<------------+
 *             |      +------->|           |
 *             +<--------------|           |
 *             |Trnsprt Err    +-----------+
 *             |Inform TU            |
 *             |                     |Timer J fires
 *             |                     |-
 *             |                     V
 *             |               +-----------+
 *             +-------------->| Terminated|
 *                             +-----------+
 */
import type { SipRequest, SipResponse } from "../wire/sip/types.ts";
import { TimerSet } from "./timer-set.ts";
import { defaultTransactionConfig, deriveTimers } from "./timers.ts";
import type { TransactionTimers } from "./timers.ts";
import type { ServerTransactionUser, TransactionDeps } from "./transaction-user.ts";

export type NonInviteServerState = "trying" | "proceeding" | "completed" | "terminated";

export const nonInviteServerTransitions: Readonly<
  Record<NonInviteServerState, readonly NonInviteServerState[]>
> = Object.freeze({
  trying: Object.freeze(["proceeding", "completed", "terminated"] as const),
  proceeding: Object.freeze(["completed", "terminated"] as const),
  completed: Object.freeze(["terminated"] as const),
  terminated: Object.freeze([] as const),
});

export type NonInviteServerTimer = "J";

export type NonInviteServerEvent =
  | { readonly kind: "request"; readonly request: SipRequest }
  | { readonly kind: "tu-response"; readonly response: SipResponse }
  | { readonly kind: "timer"; readonly timer: NonInviteServerTimer }
  | { readonly kind: "transport-error"; readonly reason: string };

export class NonInviteServerTransaction {
  readonly kind = "non-invite-server" as const;
  readonly request: SipRequest;
  readonly reliable: boolean;
  private current: NonInviteServerState = "trying";
  private readonly timers: TimerSet<NonInviteServerTimer>;
  private readonly values: TransactionTimers;
  private lastProvisional: SipResponse | null = null;
  private finalResponse: SipResponse | null = null;
  private sentCount = 0;
  private retransmits = 0;
  private terminateAfterEvent = false;
  /** RFC 3261 §18.4: the transport could not send one of our messages. */
  private readonly onSendError = (reason: string): void => this.transportError(reason);

  constructor(
    request: SipRequest,
    private readonly deps: TransactionDeps,
    private readonly tu: ServerTransactionUser,
  ) {
    // §17.2.2: "is passed a request other than INVITE or ACK when initialized"
    if (request.method === "INVITE" || request.method === "ACK") {
      throw new Error(`bug: non-INVITE server transaction for ${request.method}`);
    }
    this.request = request;
    this.reliable = deps.reliable;
    this.values = deriveTimers((deps.config ?? defaultTransactionConfig).timers, deps.reliable);
    this.timers = new TimerSet(deps.clock, (timer) => this.handle({ kind: "timer", timer }));
  }

  get state(): NonInviteServerState {
    return this.current;
  }

  get lastResponse(): SipResponse | null {
    return this.finalResponse ?? this.lastProvisional;
  }

  /** Responses re-sent because the request was retransmitted. */
  get retransmissions(): number {
    return this.retransmits;
  }

  /** Nothing to arm: the machine waits in "Trying" for the TU (kept for a uniform interface). */
  start(): void {}

  receive(request: SipRequest): void {
    this.handle({ kind: "request", request });
  }

  /** A response from the TU; false when discarded. */
  sendResponse(response: SipResponse): boolean {
    const before = this.sentCount;
    this.handle({ kind: "tu-response", response });
    return this.sentCount !== before;
  }

  /**
   * Ends the wait in "Completed" now, as if Timer J had fired: the layer's bound on
   * transactions that only absorb retransmissions (transaction-layer.ts). Elsewhere a no-op.
   */
  endLinger(): void {
    if (this.current === "completed") this.terminate();
  }

  transportError(reason: string): void {
    this.handle({ kind: "transport-error", reason });
  }

  handle(event: NonInviteServerEvent): void {
    if (this.current === "terminated") return;
    switch (event.kind) {
      case "request":
        this.onRequest();
        break;
      case "tu-response":
        this.onTuResponse(event.response);
        break;
      case "timer":
        // "The server transaction remains in this state until Timer J fires, at which point it
        // MUST transition to the 'Terminated' state."
        if (event.timer === "J" && this.current === "completed") this.terminate();
        break;
      case "transport-error":
        // RFC 3261 §17.2.4: "the server transaction SHOULD inform the TU that a failure has
        // occurred, and SHOULD transition to the terminated state."
        this.tu.onTransportError?.(event.reason);
        this.terminate();
        break;
    }
    if (this.terminateAfterEvent) {
      this.terminateAfterEvent = false;
      this.terminate();
    }
  }

  private onRequest(): void {
    switch (this.current) {
      case "trying":
        // "Once in the 'Trying' state, any further request retransmissions are discarded."
        return;
      case "proceeding":
        // "If a retransmission of the request is received while in the 'Proceeding' state, the
        // most recently sent provisional response MUST be passed to the transport layer for
        // retransmission."
        if (this.lastProvisional !== null) this.retransmit(this.lastProvisional);
        return;
      case "completed":
        // "While in the 'Completed' state, the server transaction MUST pass the final response to
        // the transport layer for retransmission whenever a retransmission of the request is
        // received."
        if (this.finalResponse !== null) this.retransmit(this.finalResponse);
        return;
      case "terminated":
        return;
    }
  }

  private onTuResponse(response: SipResponse): void {
    const s = this.current;
    // "Any other final responses passed by the TU to the server transaction MUST be discarded
    // while in the 'Completed' state."
    if (s !== "trying" && s !== "proceeding") return;
    if (response.status < 200) {
      // "While in the 'Trying' state, if the TU passes a provisional response to the server
      // transaction, the server transaction MUST enter the 'Proceeding' state. The response MUST
      // be passed to the transport layer for transmission. Any further provisional responses
      // that are received from the TU while in the 'Proceeding' state MUST be passed to the
      // transport layer for transmission."
      if (s === "trying") this.transition("proceeding");
      this.lastProvisional = response;
      this.transmit(response);
      return;
    }
    // "If the TU passes a final response (status codes 200-699) to the server while in the
    // 'Proceeding' state, the transaction MUST enter the 'Completed' state, and the response
    // MUST be passed to the transport layer for transmission." (Figure 8: the same from 'Trying')
    this.finalResponse = response;
    this.transition("completed");
    this.transmit(response);
  }

  private transmit(response: SipResponse): void {
    this.sentCount++;
    this.deps.send(response, this.onSendError);
  }

  private retransmit(response: SipResponse): void {
    this.retransmits++;
    this.deps.send(response, this.onSendError);
  }

  private terminate(): void {
    if (this.current !== "terminated") this.transition("terminated");
  }

  private transition(to: NonInviteServerState): void {
    if (!nonInviteServerTransitions[this.current].includes(to)) {
      throw new Error(`bug: non-INVITE server transaction ${this.current} -> ${to}`);
    }
    this.current = to;
    switch (to) {
      case "trying":
      case "proceeding":
        break;
      case "completed":
        // "When the server transaction enters the 'Completed' state, it MUST set Timer J to fire
        // in 64*T1 seconds for unreliable transports, and zero seconds for reliable transports."
        if (this.values.J === 0) this.terminateAfterEvent = true;
        else {
          this.timers.start("J", this.values.J);
          this.deps.onLinger?.();
        }
        break;
      case "terminated":
        // "The server transaction MUST be destroyed the instant it enters the 'Terminated' state."
        this.timers.cancelAll();
        this.tu.onTerminated?.();
        break;
    }
  }
}
