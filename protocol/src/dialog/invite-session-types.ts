/**
 * The vocabulary of an InviteSession: its states and allowed transitions (ARCHITECTURE.md rule 6),
 * why it ended, and the handlers an application sets.
 */
import type { SipHeader, SipRequest, SipResponse } from "../wire/sip/index.ts";
import type { Body } from "./in-dialog-request.ts";
import type { IncomingOffer } from "./incoming-offer.ts";

export type InviteSessionState = "calling" | "incoming" | "early" | "answered" | "confirmed" | "terminated";

export const inviteSessionTransitions: Readonly<Record<InviteSessionState, readonly InviteSessionState[]>> =
  Object.freeze({
    calling: Object.freeze(["early", "answered", "confirmed", "terminated"] as const),
    incoming: Object.freeze(["early", "answered", "terminated"] as const),
    early: Object.freeze(["answered", "confirmed", "terminated"] as const),
    answered: Object.freeze(["confirmed", "terminated"] as const),
    confirmed: Object.freeze(["terminated"] as const),
    terminated: Object.freeze([] as const),
  });

export type TerminationReason =
  | "local-bye"
  | "remote-bye"
  | "rejected"
  | "failed"
  | "cancelled"
  | "ack-timeout"
  | "session-expired"
  | "prack-timeout"
  | "no-answer"
  | "offer-refused"
  | "dialog-gone";

export interface ReplyOptions {
  readonly reason?: string;
  readonly headers?: readonly SipHeader[];
  readonly body?: Body | null;
}

export interface InviteSessionHandlers {
  /** UAC: every provisional response (1xx other than 100) to the initial INVITE */
  onProvisional?(response: SipResponse): void;
  /** a remote offer to answer (or a request for our offer); unanswered, the UA's answerer decides */
  onOffer?(offer: IncomingOffer): void;
  /**
   * the remote answer to our offer, with the message that carried it (PRACK or ACK request, 1xx or
   * 2xx response): a B2BUA relaying that answer reads the carrier's Max-Forwards
   */
  onAnswer?(sdp: string, carrier: SipRequest | SipResponse): void;
  /** 2xx and ACK exchanged for the initial INVITE */
  onConfirmed?(): void;
  /** UAC: the initial INVITE failed (final non-2xx; 408 on timeout, 503 on transport error) */
  onFailure?(status: number, response: SipResponse | null): void;
  onTerminated?(reason: TerminationReason): void;
  /** in-dialog requests other than INVITE/UPDATE/PRACK/BYE/ACK (INFO, NOTIFY, ...); default 200 for INFO */
  onRequest?(request: SipRequest, reply: (status: number, opts?: ReplyOptions) => void): void;
  /** the outcome of our re-INVITE / UPDATE (after any glare retries) */
  onRefreshResult?(method: "INVITE" | "UPDATE", status: number): void;
}
