/**
 * INVITE client transaction (RFC 3261 §17.1.1, Figure 5).
 *
 *                                |INVITE from TU
 *              Timer A fires     |INVITE sent
 *              Reset A,          V                      Timer B fires
 *              INVITE sent +-----------+                or Transport Err.
 *                +---------|           |---------------+inform TU
 *                |         |  Calling  |               |
 *                +-------->|           |-------------->|
 *                          +-----------+ 2xx           |
 *                             |  |       2xx to TU     |
 *                             |  |1xx                  |
 *     300-699 +---------------+  |1xx to TU            |
 *    ACK sent |                  |                     |
 * resp. to TU |  1xx             V                     |
 *             |  1xx to TU  -----------+               |
 *             |  +---------|           |               |
 *             |  |         |Proceeding |-------------->|
 *             |  +-------->|           | 2xx           |
 *             |            +-----------+ 2xx to TU     |
 *             |       300-699    |                     |
 *             |       ACK sent,  |                     |
 *             |       resp. to TU|                     |
 *             |                  |                     |
 *             |  300-699         V                     |
 *             |  ACK sent  +-----------+Transport Err. |
 *             |  +---------|           |Inform TU      |
 *             |  |         | Completed |-------------->|
 *             |  +-------->|           |               |
 *             |            +-----------+               |
 *             |              ^   |                     |
 *             |              |   | Timer D fires       |
 *             +--------------+   | -                   |
 *                                V                     |
 *                          +-----------+               |
 *                          | Terminated|<--------------+
 *                          +-----------+
 */
import type { SipHeader, SipRequest, SipResponse } from "../wire/sip/types.ts";
import { TimerSet } from "./timer-set.ts";
import { defaultTransactionConfig, deriveTimers, TIMEOUT_T1_MULTIPLIER } from "./timers.ts";
import type { TransactionTimers } from "./timers.ts";
import type { ClientTransactionUser, TransactionDeps } from "./transaction-user.ts";
import { cseqOf, firstHeader, headerLines, makeHeader, topViaText } from "./message-fields.ts";

export type InviteClientState = "calling" | "proceeding" | "completed" | "terminated";

/** Figure 5 as a table: the only state changes the machine may make. */
export const inviteClientTransitions: Readonly<Record<InviteClientState, readonly InviteClientState[]>> =
  Object.freeze({
    calling: Object.freeze(["proceeding", "completed", "terminated"] as const),
    proceeding: Object.freeze(["completed", "terminated"] as const),
    completed: Object.freeze(["terminated"] as const),
    terminated: Object.freeze([] as const),
  });

/** "cancel-guard" is RFC 3261 §9.1's 64*T1 wait for a final response after CANCEL. */
export type InviteClientTimer = "A" | "B" | "D" | "cancel-guard";

export type InviteClientEvent =
  | { readonly kind: "response"; readonly response: SipResponse }
  | { readonly kind: "timer"; readonly timer: InviteClientTimer }
  | { readonly kind: "transport-error"; readonly reason: string };

export class InviteClientTransaction {
  readonly kind = "invite-client" as const;
  readonly request: SipRequest;
  readonly reliable: boolean;
  private current: InviteClientState = "calling";
  private readonly timers: TimerSet<InviteClientTimer>;
  private readonly values: TransactionTimers;
  private readonly retransmitCap: number | undefined;
  private intervalA: number;
  private retransmits = 0;
  private ack: SipRequest | null = null;
  private started = false;
  private terminateAfterEvent = false;
  /** RFC 3261 §18.4: the transport could not send one of our messages. */
  private readonly onSendError = (reason: string): void => this.transportError(reason);

  constructor(
    request: SipRequest,
    private readonly deps: TransactionDeps,
    private readonly tu: ClientTransactionUser,
  ) {
    if (request.method !== "INVITE") throw new Error(`bug: INVITE client transaction for ${request.method}`);
    this.request = request;
    this.reliable = deps.reliable;
    const config = deps.config ?? defaultTransactionConfig;
    this.values = deriveTimers(config.timers, deps.reliable);
    this.retransmitCap = config.retryCaps?.invite;
    this.intervalA = this.values.A ?? 0;
    this.timers = new TimerSet(deps.clock, (timer) => this.handle({ kind: "timer", timer }));
  }

  get state(): InviteClientState {
    return this.current;
  }

  /** Retransmissions of the INVITE so far (not counting the first transmission). */
  get retransmissions(): number {
    return this.retransmits;
  }

  /** The ACK this transaction generated for a non-2xx final response, if any. */
  get generatedAck(): SipRequest | null {
    return this.ack;
  }

  /**
   * RFC 3261 §17.1.1.2: "The initial state, 'calling', MUST be entered when the TU initiates a
   * new client transaction with an INVITE request. The client transaction MUST pass the request
   * to the transport layer for transmission (see Section 18). If an unreliable transport is being
   * used, the client transaction MUST start timer A with a value of T1. If a reliable transport is
   * being used, the client transaction SHOULD NOT start timer A (Timer A controls request
   * retransmissions). For any transport, the client transaction MUST start timer B with a value
   * of 64*T1 seconds (Timer B controls transaction timeouts)."
   */
  start(): void {
    if (this.started) throw new Error("bug: INVITE client transaction started twice");
    this.started = true;
    this.deps.send(this.request, this.onSendError);
    if (this.current !== "calling") return; // a synchronous transport error already ended it
    if (this.values.A !== null) this.timers.start("A", this.values.A);
    this.timers.start("B", this.values.B);
  }

  receive(response: SipResponse): void {
    this.handle({ kind: "response", response });
  }

  /**
   * Ends the wait in "Completed" now, as if Timer D had fired: the layer's bound on
   * transactions that only absorb retransmissions (transaction-layer.ts). Elsewhere a no-op.
   */
  endLinger(): void {
    if (this.current === "completed") this.terminate();
  }

  transportError(reason: string): void {
    this.handle({ kind: "transport-error", reason });
  }

  /**
   * RFC 3261 §9.1: "If there is no final response for the original request in 64*T1 seconds (T1
   * is defined in Section 17.1.1.1), the client SHOULD then consider the original transaction
   * cancelled and SHOULD destroy the client transaction handling the original request."
   */
  cancelSent(): void {
    if (this.current === "calling" || this.current === "proceeding") {
      this.timers.start("cancel-guard", TIMEOUT_T1_MULTIPLIER * this.values.T1);
    }
  }

  handle(event: InviteClientEvent): void {
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
        // 'Terminated' state." In "Completed" (an ACK that could not be sent) the TU already has
        // the final response; a failure reported after it would read as a second outcome of the
        // same request, so the machine only terminates.
        if (this.current !== "completed") this.tu.onTransportError?.(event.reason);
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
    const status = response.status;
    if (status < 200) {
      // "If the client transaction receives a provisional response while in the 'Calling' state,
      // it transitions to the 'Proceeding' state. In the 'Proceeding' state, the client
      // transaction SHOULD NOT retransmit the request any longer. Furthermore, the provisional
      // response MUST be passed to the TU. Any further provisional responses MUST be passed up to
      // the TU while in the 'Proceeding' state."
      if (s === "calling") this.transition("proceeding");
      if (s === "calling" || s === "proceeding") this.tu.onResponse(response);
      // in "Completed" a late provisional is not part of Figure 5: it is dropped
      return;
    }
    if (status < 300) {
      // "When in either the 'Calling' or 'Proceeding' states, reception of a 2xx response MUST
      // cause the client transaction to enter the 'Terminated' state, and the response MUST be
      // passed up to the TU."
      if (s === "calling" || s === "proceeding") {
        this.tu.onResponse(response);
        this.terminate();
      }
      return;
    }
    if (s === "calling" || s === "proceeding") {
      // "When in either the 'Calling' or 'Proceeding' states, reception of a response with status
      // code from 300-699 MUST cause the client transaction to transition to 'Completed'. The
      // client transaction MUST pass the received response up to the TU, and the client
      // transaction MUST generate an ACK request, even if the transport is reliable ... and then
      // pass the ACK to the transport layer for transmission."
      this.transition("completed");
      this.ack = buildAckForNonSuccess(this.request, response);
      // an ACK the transport refuses ends the machine (silently, see "transport-error") but the
      // response still goes up
      this.deps.send(this.ack, this.onSendError);
      this.tu.onResponse(response);
      return;
    }
    // s === "completed"
    // "Any retransmissions of the final response that are received while in the 'Completed'
    // state MUST cause the ACK to be re-passed to the transport layer for retransmission, but the
    // newly received response MUST NOT be passed up to the TU."
    if (this.ack !== null) this.deps.send(this.ack, this.onSendError);
  }

  private onTimer(timer: InviteClientTimer): void {
    const s = this.current;
    switch (timer) {
      case "A": {
        if (s !== "calling") return;
        // "When timer A fires, the client transaction MUST retransmit the request by passing it
        // to the transport layer, and MUST reset the timer with a value of 2*T1." ... "This
        // process MUST continue so that the request is retransmitted with intervals that double
        // after each transmission."
        this.retransmits++;
        this.deps.send(this.request, this.onSendError);
        if (this.current !== "calling") return;
        this.intervalA *= 2;
        if (this.retransmitCap === undefined || this.retransmits < this.retransmitCap) {
          this.timers.start("A", this.intervalA);
        }
        return;
      }
      case "B":
        // "If the client transaction is still in the 'Calling' state when timer B fires, the
        // client transaction SHOULD inform the TU that a timeout has occurred. The client
        // transaction MUST NOT generate an ACK."
        if (s !== "calling") return;
        this.tu.onTimeout?.();
        this.terminate();
        return;
      case "D":
        // "If timer D fires while the client transaction is in the 'Completed' state, the client
        // transaction MUST move to the terminated state."
        if (s === "completed") this.terminate();
        return;
      case "cancel-guard":
        // §9.1: no final response 64*T1 after CANCEL: consider the INVITE cancelled.
        if (s !== "calling" && s !== "proceeding") return;
        this.tu.onTimeout?.();
        this.terminate();
        return;
    }
  }

  private terminate(): void {
    if (this.current !== "terminated") this.transition("terminated");
  }

  /** The one place the state changes; entry actions per state. */
  private transition(to: InviteClientState): void {
    if (!inviteClientTransitions[this.current].includes(to)) {
      throw new Error(`bug: INVITE client transaction ${this.current} -> ${to}`);
    }
    this.current = to;
    switch (to) {
      case "calling":
        break;
      case "proceeding":
        this.timers.cancel("A");
        this.timers.cancel("B");
        break;
      case "completed":
        this.timers.cancel("A");
        this.timers.cancel("B");
        this.timers.cancel("cancel-guard");
        // "The client transaction SHOULD start timer D when it enters the 'Completed' state,
        // with a value of at least 32 seconds for unreliable transports, and a value of zero
        // seconds for reliable transports."
        if (this.values.D === 0) this.terminateAfterEvent = true;
        else {
          this.timers.start("D", this.values.D);
          this.deps.onLinger?.();
        }
        break;
      case "terminated":
        // "The client transaction MUST be destroyed the instant it enters the 'Terminated'
        // state."
        this.timers.cancelAll();
        this.tu.onTerminated?.();
        break;
    }
  }
}

/**
 * RFC 3261 §17.1.1.3: "The ACK request constructed by the client transaction MUST contain values
 * for the Call-ID, From, and Request-URI that are equal to the values of those header fields in
 * the request passed to the transport by the client transaction (call this the 'original
 * request'). The To header field in the ACK MUST equal the To header field in the response being
 * acknowledged ... The ACK MUST contain a single Via header field, and this MUST be equal to the
 * top Via header field of the original request. The CSeq header field in the ACK MUST contain the
 * same value for the sequence number as was present in the original request, but the method
 * parameter MUST be equal to 'ACK'." ... "If the INVITE request whose response is being
 * acknowledged had Route header fields, those header fields MUST appear in the ACK."
 */
export function buildAckForNonSuccess(invite: SipRequest, response: SipResponse): SipRequest {
  const headers: SipHeader[] = [];
  const push = (name: string, value: string | null): void => {
    if (value !== null) headers.push(makeHeader(name, value));
  };
  push("via", topViaText(invite));
  for (const route of headerLines(invite, "route")) push("route", route);
  push("to", firstHeader(response, "to") ?? firstHeader(invite, "to"));
  push("from", firstHeader(invite, "from"));
  push("max-forwards", firstHeader(invite, "max-forwards") ?? "70");
  push("call-id", firstHeader(invite, "call-id"));
  const cseq = cseqOf(invite);
  push("cseq", cseq === null ? null : `${cseq.seq} ACK`);
  // §17.1.1.3: "placement of bodies in ACK for non-2xx is NOT RECOMMENDED"
  push("content-length", "0");
  return {
    kind: "request",
    method: "ACK",
    uri: invite.uri,
    version: invite.version,
    headers,
    body: Buffer.alloc(0),
  };
}
