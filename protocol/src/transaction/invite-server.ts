/**
 * INVITE server transaction (RFC 3261 §17.2.1, Figure 7).
 *
 *                                |INVITE
 *                                |pass INV to TU
 *             INVITE             V send 100 if TU won't in 200ms
 *             send response+-----------+
 *                 +--------|           |--------+101-199 from TU
 *                 |        | Proceeding|        |send response
 *                 +------->|           |<-------+
 *                          |           |          Transport Err.
 *                          |           |          Inform TU
 *                          |           |--------------->+
 *                          +-----------+                |
 *             300-699 from TU |     |2xx from TU        |
 *             send response   |     |send response      |
 *                             |     +------------------>+
 *                             |                         |
 *             INVITE          V          Timer G fires  |
 *             send response+-----------+ send response  |
 *                 +--------|           |--------+       |
 *                 |        | Completed |        |       |
 *                 +------->|           |<-------+       |
 *                          +-----------+                |
 *                             |     |                   |
 *                         ACK |     |                   |
 *                         -   |     +------------------>+
 *                             |        Timer H fires    |
 *                             V        or Transport Err.|
 *                          +-----------+  Inform TU     |
 *                          | Confirmed |                |
 *                          +-----------+                |
 *                                |                      |
 *                                |Timer I fires         |
 *                                |-                     |
 *                                V                      |
 *                          +-----------+                |
 *                          | Terminated|<---------------+
 *                          +-----------+
 *
 * The request is passed to the TU by the transaction layer (it returns "new-request" to the core,
 * which creates this transaction); the 2xx is sent once here and retransmitted by the UAS core
 * (uas-2xx.ts, RFC 3261 §13.3.1.4).
 */
import type { SipRequest, SipResponse } from "../wire/sip/types.ts";
import { TimerSet } from "./timer-set.ts";
import { defaultTransactionConfig, deriveTimers, nextInterval, TRYING_100_AFTER_MS } from "./timers.ts";
import type { TransactionTimers } from "./timers.ts";
import type { ServerTransactionUser, TransactionDeps } from "./transaction-user.ts";
import { buildResponse } from "./build-response.ts";

export type InviteServerState = "proceeding" | "completed" | "confirmed" | "terminated";

export const inviteServerTransitions: Readonly<Record<InviteServerState, readonly InviteServerState[]>> =
  Object.freeze({
    proceeding: Object.freeze(["completed", "terminated"] as const),
    completed: Object.freeze(["confirmed", "terminated"] as const),
    confirmed: Object.freeze(["terminated"] as const),
    terminated: Object.freeze([] as const),
  });

export type InviteServerTimer = "trying-100" | "G" | "H" | "I";

export type InviteServerEvent =
  | { readonly kind: "request"; readonly request: SipRequest }
  | { readonly kind: "tu-response"; readonly response: SipResponse }
  | { readonly kind: "timer"; readonly timer: InviteServerTimer }
  | { readonly kind: "transport-error"; readonly reason: string };

export class InviteServerTransaction {
  readonly kind = "invite-server" as const;
  readonly request: SipRequest;
  readonly reliable: boolean;
  private current: InviteServerState = "proceeding";
  private readonly timers: TimerSet<InviteServerTimer>;
  private readonly values: TransactionTimers;
  private readonly retransmitCap: number | undefined;
  private readonly trying100Ms: number;
  private intervalG: number;
  private retransmits = 0;
  private lastProvisional: SipResponse | null = null;
  private finalResponse: SipResponse | null = null;
  private lastSentCount = 0;
  private started = false;
  private terminateAfterEvent = false;
  /** RFC 3261 §18.4: the transport could not send one of our messages. */
  private readonly onSendError = (reason: string): void => this.transportError(reason);

  constructor(
    request: SipRequest,
    private readonly deps: TransactionDeps,
    private readonly tu: ServerTransactionUser,
  ) {
    if (request.method !== "INVITE") throw new Error(`bug: INVITE server transaction for ${request.method}`);
    this.request = request;
    this.reliable = deps.reliable;
    const config = deps.config ?? defaultTransactionConfig;
    this.values = deriveTimers(config.timers, deps.reliable);
    this.retransmitCap = config.retryCaps?.nonInvite;
    this.trying100Ms = config.trying100Ms ?? TRYING_100_AFTER_MS;
    this.intervalG = this.values.G ?? 0;
    this.timers = new TimerSet(deps.clock, (timer) => this.handle({ kind: "timer", timer }));
  }

  get state(): InviteServerState {
    return this.current;
  }

  /** The most recent response passed to the transport (provisional or final), or null. */
  get lastResponse(): SipResponse | null {
    return this.finalResponse ?? this.lastProvisional;
  }

  /** Retransmissions of the final response by Timer G or on INVITE retransmission. */
  get retransmissions(): number {
    return this.retransmits;
  }

  /**
   * RFC 3261 §17.2.1: "When a server transaction is constructed for a request, it enters the
   * 'Proceeding' state. The server transaction MUST generate a 100 (Trying) response unless it
   * knows that the TU will generate a provisional or final response within 200 ms, in which case
   * it MAY generate a 100 (Trying) response."
   */
  start(): void {
    if (this.started) throw new Error("bug: INVITE server transaction started twice");
    this.started = true;
    this.timers.start("trying-100", this.trying100Ms);
  }

  /** A retransmitted INVITE or an ACK matched to this transaction (§17.2.3). */
  receive(request: SipRequest): void {
    this.handle({ kind: "request", request });
  }

  /** A response from the TU; false when the machine discarded it (not in a state to send it). */
  sendResponse(response: SipResponse): boolean {
    const before = this.lastSentCount;
    this.handle({ kind: "tu-response", response });
    return this.lastSentCount !== before;
  }

  /**
   * Ends the wait in "Confirmed" now, as if Timer I had fired: the layer's bound on
   * transactions that only absorb retransmissions (transaction-layer.ts). Elsewhere a no-op.
   */
  endLinger(): void {
    if (this.current === "confirmed") this.terminate();
  }

  transportError(reason: string): void {
    this.handle({ kind: "transport-error", reason });
  }

  handle(event: InviteServerEvent): void {
    if (this.current === "terminated") return;
    switch (event.kind) {
      case "request":
        this.onRequest(event.request);
        break;
      case "tu-response":
        this.onTuResponse(event.response);
        break;
      case "timer":
        this.onTimer(event.timer);
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

  private onRequest(request: SipRequest): void {
    const s = this.current;
    if (request.method === "ACK") {
      // "If an ACK is received while the server transaction is in the 'Completed' state, the
      // server transaction MUST transition to the 'Confirmed' state. As Timer G is ignored in
      // this state, any retransmissions of the response will cease."
      // In 'Confirmed' further ACKs are absorbed: "The purpose of the 'Confirmed' state is to
      // absorb any additional ACK messages that arrive".
      if (s === "completed") this.transition("confirmed");
      return;
    }
    if (s === "proceeding") {
      // "If a request retransmission is received while in the 'Proceeding' state, the most
      // recent provisional response that was received from the TU MUST be passed to the
      // transport layer for retransmission." Before any provisional exists we send the 100
      // (Trying) early: it is "needed to quench request retransmissions rapidly".
      if (this.lastProvisional !== null) this.transmit(this.lastProvisional);
      else this.sendTrying();
      return;
    }
    if (s === "completed" && this.finalResponse !== null) {
      // "while in the 'Completed' state, if a request retransmission is received, the server
      // SHOULD pass the response to the transport for retransmission."
      this.retransmits++;
      this.transmit(this.finalResponse);
    }
  }

  private onTuResponse(response: SipResponse): void {
    if (this.current !== "proceeding") return; // after a final response the TU has no say
    this.timers.cancel("trying-100");
    const status = response.status;
    if (status < 200) {
      // "The TU passes any number of provisional responses to the server transaction. So long as
      // the server transaction is in the 'Proceeding' state, each of these MUST be passed to the
      // transport layer for transmission."
      this.lastProvisional = response;
      this.transmit(response);
      return;
    }
    this.finalResponse = response;
    if (status < 300) {
      // "If, while in the 'Proceeding' state, the TU passes a 2xx response to the server
      // transaction, the server transaction MUST pass this response to the transport layer for
      // transmission. It is not retransmitted by the server transaction; retransmissions of 2xx
      // responses are handled by the TU. The server transaction MUST then transition to the
      // 'Terminated' state."
      this.transmit(response);
      this.terminate();
      return;
    }
    // "While in the 'Proceeding' state, if the TU passes a response with status code from 300 to
    // 699 to the server transaction, the response MUST be passed to the transport layer for
    // transmission, and the state machine MUST enter the 'Completed' state."
    this.transition("completed");
    this.transmit(response);
  }

  private onTimer(timer: InviteServerTimer): void {
    const s = this.current;
    switch (timer) {
      case "trying-100":
        if (s === "proceeding" && this.lastProvisional === null) this.sendTrying();
        return;
      case "G":
        if (s !== "completed" || this.finalResponse === null) return;
        // "If timer G fires, the response is passed to the transport layer once more for
        // retransmission, and timer G is set to fire in MIN(2*T1, T2) seconds. From then on, when
        // timer G fires, the response is passed to the transport again for transmission, and
        // timer G is reset with a value that doubles, unless that value exceeds T2, in which case
        // it is reset with the value of T2."
        this.retransmits++;
        this.transmit(this.finalResponse);
        if (this.current !== "completed") return;
        this.intervalG = nextInterval(this.intervalG, this.values.T2);
        if (this.retransmitCap === undefined || this.retransmits < this.retransmitCap) {
          this.timers.start("G", this.intervalG);
        }
        return;
      case "H":
        // "If timer H fires while in the 'Completed' state, it implies that the ACK was never
        // received. In this case, the server transaction MUST transition to the 'Terminated'
        // state, and MUST indicate to the TU that a transaction failure has occurred."
        if (s !== "completed") return;
        this.tu.onTimeout?.();
        this.terminate();
        return;
      case "I":
        // "Once timer I fires, the server MUST transition to the 'Terminated' state."
        if (s === "confirmed") this.terminate();
        return;
    }
  }

  private sendTrying(): void {
    // §17.2.1: "the insertion of tags in the To header field of the response (when none was
    // present in the request) is downgraded from MAY to SHOULD NOT."
    const trying = buildResponse(this.request, 100);
    this.lastProvisional = trying;
    this.timers.cancel("trying-100");
    this.transmit(trying);
  }

  private transmit(response: SipResponse): void {
    this.lastSentCount++;
    this.deps.send(response, this.onSendError);
  }

  private terminate(): void {
    if (this.current !== "terminated") this.transition("terminated");
  }

  private transition(to: InviteServerState): void {
    if (!inviteServerTransitions[this.current].includes(to)) {
      throw new Error(`bug: INVITE server transaction ${this.current} -> ${to}`);
    }
    this.current = to;
    switch (to) {
      case "proceeding":
        break;
      case "completed":
        this.timers.cancel("trying-100");
        // "For unreliable transports, timer G is set to fire in T1 seconds, and is not set to
        // fire for reliable transports." ... "When the 'Completed' state is entered, timer H MUST
        // be set to fire in 64*T1 seconds for all transports."
        if (this.values.G !== null) this.timers.start("G", this.values.G);
        this.timers.start("H", this.values.H);
        break;
      case "confirmed":
        this.timers.cancel("G");
        this.timers.cancel("H");
        // "When this state is entered, timer I is set to fire in T4 seconds for unreliable
        // transports, and zero seconds for reliable transports."
        if (this.values.I === 0) this.terminateAfterEvent = true;
        else {
          this.timers.start("I", this.values.I);
          this.deps.onLinger?.();
        }
        break;
      case "terminated":
        // "Once the transaction is in the 'Terminated' state, it MUST be destroyed immediately."
        this.timers.cancelAll();
        this.tu.onTerminated?.();
        break;
    }
  }
}
