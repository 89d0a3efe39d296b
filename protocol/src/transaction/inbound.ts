/**
 * What the transaction layer reports to the core (transaction-layer.ts): the fate of every
 * received message and the results of its CANCEL helpers. Plain unions, no behaviour.
 */
import type { SipMessage, SipRequest, SipResponse } from "../wire/sip/index.ts";
import type { InviteClientTransaction } from "./invite-client.ts";
import type { NonInviteClientTransaction } from "./non-invite-client.ts";
import type { InviteServerTransaction } from "./invite-server.ts";
import type { NonInviteServerTransaction } from "./non-invite-server.ts";
import type { Sender } from "./transaction-user.ts";
import { callIdOf, cseqOf, topVia } from "./message-fields.ts";

export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;
export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;

/** What became of a message handed to `receive()`. */
export type Inbound =
  | { readonly kind: "response"; readonly response: SipResponse; readonly transaction: ClientTransaction }
  | { readonly kind: "stray-response"; readonly response: SipResponse }
  | {
      readonly kind: "retransmission";
      readonly request: SipRequest;
      readonly transaction: ServerTransaction | null;
    }
  | {
      readonly kind: "ack";
      readonly request: SipRequest;
      readonly absorbedBy: "server-transaction" | "2xx-retransmission" | null;
    }
  | { readonly kind: "cancel"; readonly request: SipRequest }
  | { readonly kind: "merged"; readonly request: SipRequest; readonly response: SipResponse }
  | { readonly kind: "overloaded"; readonly request: SipRequest; readonly response: SipResponse }
  | { readonly kind: "new-request"; readonly request: SipRequest }
  | { readonly kind: "invalid"; readonly message: SipMessage; readonly reason: string };

export interface PerTransactionOptions {
  /** default: from the top Via transport */
  readonly reliable?: boolean;
  readonly send?: Sender;
}

export type CancelRequestResult =
  | { readonly outcome: "sent"; readonly transaction: NonInviteClientTransaction }
  | { readonly outcome: "deferred" }
  | { readonly outcome: "too-late" };

export interface CancelAnswer {
  readonly cancelStatus: 200 | 481;
  readonly cancelTransaction: NonInviteServerTransaction;
  /** the INVITE server transaction answered with 487, if any */
  readonly terminatedInvite: InviteServerTransaction | null;
}

export interface LayerStats {
  readonly clientTransactions: number;
  readonly serverTransactions: number;
  readonly mergeEntries: number;
  readonly accepted2xx: number;
  readonly inviteClientRecords: number;
  /** transactions only absorbing retransmissions (not counted against maxTransactions) */
  readonly lingeringTransactions: number;
}

/**
 * Why a request cannot be matched to any transaction, or null when it can. RFC 3261 §8.1.1: "A
 * valid SIP request formulated by a UAC MUST, at a minimum, contain the following header fields:
 * To, From, CSeq, Call-ID, Max-Forwards, and Via"; matching (§17.2.3) needs Via, CSeq, Call-ID.
 */
export function whyUnmatchable(request: SipRequest): string | null {
  if (topVia(request) === null) return "missing or unreadable Via";
  const cseq = cseqOf(request);
  if (cseq === null) return "missing or unreadable CSeq";
  if (cseq.method !== request.method) return "CSeq method differs from the request method";
  if (callIdOf(request) === null) return "missing Call-ID";
  return null;
}
