/**
 * What an InviteSession needs from its UserAgent: the seam between the dialog usage and the core
 * that owns the transport and the transaction layer (so sessions are testable and the B2BUA can
 * drive two of them).
 */
import type { SipHeader, SipMessage, SipRequest } from "../wire/sip/index.ts";
import type {
  Clock,
  ClientTransaction,
  ClientTransactionUser,
  Sender,
  TransactionConfig,
  TransactionLayer,
} from "../transaction/index.ts";
import type { ReceivedFrom, TransportAddress, TransportProtocol } from "../transport/index.ts";
import type { Capabilities } from "./capabilities.ts";
import type { ViaSpec } from "./in-dialog-request.ts";
import type { SessionTimerConfig } from "./session-timer-negotiation.ts";
import type { InviteSession } from "./invite-session.ts";

/** RFC 3262 use: never, offered (Supported: 100rel), or demanded (Require: 100rel). */
export type PrackPolicy = "off" | "supported" | "required";

export interface UaContext {
  readonly clock: Clock;
  readonly transactionConfig: TransactionConfig;
  readonly transactions: TransactionLayer;
  readonly capabilities: Capabilities;
  /** null: session timers off */
  readonly sessionTimer: SessionTimerConfig | null;
  readonly prack: PrackPolicy;
  readonly random: () => number;
  newTag(): string;
  newBranch(): string;
  newCallId(): string;
  /** our Via for a request leaving over `transport` (fresh branch) */
  via(transport: TransportProtocol): ViaSpec;
  /** our Contact URI for `transport` */
  contact(transport: TransportProtocol): string;
  /** User-Agent and similar headers every request and response of ours carries */
  identityHeaders(): SipHeader[];
  sendRequest(request: SipRequest, to: TransportAddress, tu: ClientTransactionUser): ClientTransaction;
  /** outside any transaction (the ACK for a 2xx, RFC 3261 §13.2.2.4 / §17.1.1.3) */
  sendDirect(message: SipMessage, to: TransportAddress): void;
  /** a Sender bound to the source of a received request (RFC 3261 §18.2.2) */
  responder(from: ReceivedFrom): Sender;
  registerDialog(key: string, session: unknown): void;
  unregisterDialog(key: string, session: unknown): void;
  sessionEnded(session: unknown): void;
  /**
   * The answer (or, for `offer === null`, our offer) when the application has no onOffer handler:
   * by default our current local SDP, which suits session refreshes that change nothing.
   */
  defaultAnswer(session: InviteSession, offer: string | null): string | null;
}
