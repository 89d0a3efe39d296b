/**
 * What a transaction needs from outside (ARCHITECTURE.md rule 7: pure core, I/O injected) and
 * what it reports to its Transaction User (RFC 3261 §17: "call this element the 'Transaction
 * User' or TU; it can be a UA or a stateful proxy").
 */
import type { SipMessage, SipResponse } from "../wire/sip/types.ts";
import type { Clock } from "./clock.ts";
import type { TransactionConfig } from "./timers.ts";

/**
 * Hands a message to the transport layer (bound to the destination by the caller). `onError`, when
 * the sender supports it, is told (at most once, synchronously or later) that the transport could
 * not send this message: RFC 3261 §18.4 "the transport user will be informed of the error", which
 * the machines turn into a transport error (§17.1.4, §17.2.4). A sender that ignores it is valid:
 * the transaction then times out instead (Timer B / F / H).
 */
export type Sender = (message: SipMessage, onError?: (reason: string) => void) => void;

export interface TransactionDeps {
  readonly clock: Clock;
  readonly send: Sender;
  /** reliable transport (TCP, TLS, SCTP, WS): no retransmissions, zero-length wait timers */
  readonly reliable: boolean;
  readonly config?: TransactionConfig;
  /**
   * The machine entered a state that only absorbs retransmissions until a timer ends it (Timer D,
   * K, I or J): the layer stops counting it as live (transaction-layer.ts).
   */
  readonly onLinger?: () => void;
}

/** Why a transaction reached "Terminated" without the TU ending it. */
export type TransactionFailure = "timeout" | "transport-error";

export interface ClientTransactionUser {
  /** every response the machine passes up (retransmissions are filtered out) */
  onResponse(response: SipResponse): void;
  /** Timer B / Timer F (RFC 3261 §8.1.3.1: "treated as if a 408 (Request Timeout)") */
  onTimeout?(): void;
  /** RFC 3261 §8.1.3.1: "the condition MUST be treated as a 503 (Service Unavailable)" */
  onTransportError?(reason: string): void;
  onTerminated?(): void;
}

export interface ServerTransactionUser {
  /** Timer H: "MUST indicate to the TU that a transaction failure has occurred" (§17.2.1) */
  onTimeout?(): void;
  onTransportError?(reason: string): void;
  onTerminated?(): void;
}

/** A TU that ignores everything (used for CANCEL transactions the layer answers itself). */
export const silentServerUser: ServerTransactionUser = Object.freeze({});
export const silentClientUser: ClientTransactionUser = Object.freeze({ onResponse: () => undefined });
