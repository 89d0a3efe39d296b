/**
 * The user agent core (RFC 3261 §8, §12-§15): owns the transaction layer on top of a transport,
 * dispatches what arrives to dialogs (sessions) or to the application, answers what no one else
 * answers (OPTIONS 200, 481, 405, 420, 422, 503), and creates outgoing calls and requests.
 *
 * RFC 3261 §12.2.2: "If the UAS receives a request with a To tag that does not match an existing
 * dialog ... it SHOULD ... respond with a 481 (Call/Transaction Does Not Exist)".
 * RFC 3261 §8.2.2.3: unknown Require option tags get 420 with Unsupported.
 * RFC 3261 §13.2.2.4 / §17.1.1.2: 2xx retransmissions reach the core as stray responses and are
 * acknowledged by the dialog.
 */
import type { SipHeader, SipMessage, SipRequest, SipResponse } from "../wire/sip/index.ts";
import {
  buildResponse,
  createRealClock,
  defaultTransactionConfig,
  TransactionLayer,
} from "../transaction/index.ts";
import type {
  ClientTransaction,
  ClientTransactionUser,
  Clock,
  InviteServerTransaction,
  Sender,
  ServerTransaction,
  TransactionConfig,
} from "../transaction/index.ts";
import { hostForUri, responseSender, targetOfUri, TransportSet } from "../transport/index.ts";
import type { ReceivedFrom, SipTransport, TransportAddress, TransportProtocol } from "../transport/index.ts";
import { newBranch } from "../auth/index.ts";
import { randomHex } from "../transaction/index.ts";
import type { DigestServer, SecretLookup } from "../auth/index.ts";
import {
  answerOptions,
  DEFAULT_CAPABILITIES,
  methodNotAllowed,
  unsupportedRequired,
} from "./capabilities.ts";
import type { Capabilities } from "./capabilities.ts";
import { dialogIdOfRequest, dialogIdOfResponse, dialogKey } from "./dialog-id.ts";
import type { ViaSpec } from "./in-dialog-request.ts";
import { InviteSession } from "./invite-session.ts";
import type { ReplyOptions } from "./invite-session-types.ts";
import { UacInvite } from "./session-uac.ts";
import type { UacInviteOptions } from "./session-uac.ts";
import { sendOutOfDialog } from "./out-of-dialog-request.ts";
import type { OutOfDialogRequest } from "./out-of-dialog-request.ts";
import { UasInvite } from "./session-uas.ts";
import { DEFAULT_SESSION_TIMER, minSeHeader, uasTimerDecision } from "./session-timer-negotiation.ts";
import type { SessionTimerConfig } from "./session-timer-negotiation.ts";
import {
  allowedMethods,
  callIdOf,
  contactUri,
  cseqOf,
  header,
  optionTags,
  tagOf,
  withBody,
} from "./sip-fields.ts";
import type { PrackPolicy, UaContext } from "./ua-context.ts";

export interface UserAgentOptions {
  readonly transport: SipTransport;
  readonly clock?: Clock;
  readonly transactionConfig?: TransactionConfig;
  /** user part of our Contact (default "mvsct") */
  readonly contactUser?: string;
  /** host for Via and Contact (default the transport's bound address) */
  readonly advertisedHost?: string;
  readonly capabilities?: Capabilities;
  /** User-Agent header value; null for none (default "mvsct") */
  readonly userAgent?: string | null;
  /** null: session timers off (default: 1800 s, Min-SE 90, refresher uac) */
  readonly sessionTimer?: SessionTimerConfig | null;
  readonly prack?: PrackPolicy;
  readonly random?: () => number;
  readonly newTag?: () => string;
  readonly newCallId?: () => string;
  /** concurrent sessions beyond which new INVITEs get 503 with Retry-After */
  readonly maxSessions?: number;
  /**
   * live transactions (client + server) at which new incoming requests get 503 with Retry-After
   * from the transaction layer (default DEFAULT_MAX_TRANSACTIONS, transaction-layer.ts)
   */
  readonly maxTransactions?: number;
  readonly retryAfterS?: number;
  /** answers offers the application does not handle (default: our current local SDP) */
  readonly answerer?: (session: InviteSession, offer: string | null) => string | null;
  /** challenge these methods out of dialog (RFC 3261 §22.1) */
  readonly authenticator?: {
    readonly server: DigestServer;
    readonly lookup: SecretLookup;
    readonly methods?: readonly string[];
  };
}

export type RequestHandler = (
  request: SipRequest,
  reply: (status: number, opts?: ReplyOptions) => void,
  from: ReceivedFrom,
) => void;

export class UserAgent implements UaContext {
  readonly clock: Clock;
  readonly transactionConfig: TransactionConfig;
  readonly transactions: TransactionLayer;
  readonly capabilities: Capabilities;
  readonly sessionTimer: SessionTimerConfig | null;
  readonly prack: PrackPolicy;
  readonly random: () => number;
  /** new incoming INVITE (out of dialog): call progress/accept/reject on the session; unset: 480 */
  onInvite: ((session: InviteSession, request: SipRequest) => void) | null = null;
  /** other out-of-dialog requests (REGISTER, MESSAGE, ...); unset: 405 */
  onRequest: RequestHandler | null = null;
  private readonly transport: SipTransport;
  private readonly dialogs = new Map<string, InviteSession>();
  private readonly uacByLocalTag = new Map<string, InviteSession>();
  private readonly uasByTx = new Map<ServerTransaction, InviteSession>();
  /** what each live session is filed under, so ending one costs O(its keys), not O(all sessions) */
  private readonly filed = new Map<
    InviteSession,
    { dialogs: Set<string>; uacKey: string | null; uasTx: ServerTransaction | null }
  >();
  private readonly sessions = new Set<InviteSession>();

  constructor(private readonly options: UserAgentOptions) {
    this.transport = options.transport;
    this.clock = options.clock ?? createRealClock();
    this.transactionConfig = options.transactionConfig ?? defaultTransactionConfig;
    this.capabilities = options.capabilities ?? DEFAULT_CAPABILITIES;
    this.sessionTimer = options.sessionTimer === undefined ? DEFAULT_SESSION_TIMER : options.sessionTimer;
    this.prack = options.prack ?? "supported";
    this.random = options.random ?? Math.random;
    this.transactions = new TransactionLayer({
      clock: this.clock,
      config: this.transactionConfig,
      send: () => undefined, // every transaction gets its own bound sender
      newTag: () => this.newTag(),
      retryAfterS: options.retryAfterS ?? 5,
      ...(options.maxTransactions === undefined ? {} : { maxTransactions: options.maxTransactions }),
    });
    this.transport.onMessage((m, from) => this.receive(m, from));
  }

  /** Live sessions (calls in any state but terminated). */
  get sessionCount(): number {
    return this.sessions.size;
  }
  /** Dialog-table entries (early and confirmed dialogs). */
  get dialogCount(): number {
    return this.dialogs.size;
  }

  /** Starts an outgoing call (RFC 3261 §13.2). */
  invite(opts: UacInviteOptions): InviteSession {
    const to = opts.nextHop ?? this.targetOf(opts.target);
    const session = new InviteSession(this, {
      role: "uac",
      callId: opts.callId ?? this.newCallId(),
      transport: to.transport,
      nextHop: opts.nextHop ?? null,
    });
    const uac = new UacInvite(session, to, opts);
    session.uac = uac;
    this.sessions.add(session);
    const uacKey = `${session.callId}\u0000${tagOf(uac.invite, "from")}`;
    this.uacByLocalTag.set(uacKey, session);
    this.filed.set(session, { dialogs: new Set(), uacKey, uasTx: null });
    uac.start();
    return session;
  }

  /**
   * An out-of-dialog request (OPTIONS, REGISTER, MESSAGE ...) answered once; 401/407 are retried
   * with credentials when given (RFC 3261 §22.2: CSeq + 1, same Call-ID). `onFinal` gets the final
   * response, or null on timeout / transport error.
   */
  request(opts: OutOfDialogRequest, onFinal: (response: SipResponse | null) => void): SipRequest {
    return sendOutOfDialog(this, opts.nextHop ?? this.targetOf(opts.target), opts, onFinal);
  }

  /** Ends every session (BYE or CANCEL / 480), e.g. on SIGTERM. The transport stays open. */
  shutdown(): void {
    for (const s of [...this.sessions]) s.bye();
  }

  // ---- UaContext ---------------------------------------------------------------------------

  newTag(): string {
    return this.options.newTag?.() ?? randomHex(6);
  }
  newBranch(): string {
    return newBranch();
  }
  newCallId(): string {
    return this.options.newCallId?.() ?? `${randomHex(10)}@${this.localFor("udp").host}`;
  }
  via(transport: TransportProtocol): ViaSpec {
    const local = this.localFor(transport);
    const t: "UDP" | "TCP" = transport === "tcp" ? "TCP" : "UDP";
    return {
      transport: t,
      host: hostForUri(local.host),
      port: local.port,
      branch: this.newBranch(),
      rport: transport === "udp",
    };
  }
  contact(transport: TransportProtocol): string {
    const local = this.localFor(transport);
    const user = this.options.contactUser ?? "mvsct";
    return `sip:${user}@${hostForUri(local.host)}:${local.port}${transport === "tcp" ? ";transport=tcp" : ""}`;
  }
  identityHeaders(): SipHeader[] {
    const ua = this.options.userAgent === undefined ? "mvsct" : this.options.userAgent;
    return ua === null ? [] : [header("user-agent", ua)];
  }
  sendRequest(request: SipRequest, to: TransportAddress, tu: ClientTransactionUser): ClientTransaction {
    return this.transactions.sendRequest(request, tu, {
      // a transport error (a refused TCP connect...) reaches the transaction: RFC 3261 §17.1.4
      send: (m, onError) => this.transport.send(m, to, onError),
      reliable: to.transport === "tcp",
    });
  }
  sendDirect(message: SipMessage, to: TransportAddress): void {
    this.transport.send(message, to);
  }
  responder(from: ReceivedFrom): Sender {
    return responseSender(this.transport, from);
  }
  registerDialog(key: string, session: unknown): void {
    this.dialogs.set(key, session as InviteSession);
    this.filed.get(session as InviteSession)?.dialogs.add(key);
  }
  unregisterDialog(key: string, session: unknown): void {
    if (this.dialogs.get(key) === session) this.dialogs.delete(key);
    this.filed.get(session as InviteSession)?.dialogs.delete(key);
  }
  sessionEnded(session: unknown): void {
    const s = session as InviteSession;
    this.sessions.delete(s);
    const f = this.filed.get(s);
    if (f === undefined) return;
    this.filed.delete(s);
    if (f.uacKey !== null && this.uacByLocalTag.get(f.uacKey) === s) this.uacByLocalTag.delete(f.uacKey);
    if (f.uasTx !== null) this.uasByTx.delete(f.uasTx);
    for (const k of f.dialogs) if (this.dialogs.get(k) === s) this.dialogs.delete(k);
  }
  defaultAnswer(session: InviteSession, offer: string | null): string | null {
    return this.options.answerer !== undefined ? this.options.answerer(session, offer) : session.oa.localSdp;
  }

  // ---- receiving ---------------------------------------------------------------------------

  private receive(message: SipMessage, from: ReceivedFrom): void {
    const inbound = this.transactions.receive(message);
    switch (inbound.kind) {
      case "response":
      case "retransmission":
        return;
      case "stray-response":
        return this.strayResponse(inbound.response);
      case "ack": {
        if (inbound.absorbedBy === "server-transaction") return;
        const id = dialogIdOfRequest(inbound.request);
        if (id !== null) this.dialogs.get(dialogKey(id))?.onAck(inbound.request);
        return;
      }
      case "cancel": {
        const answer = this.transactions.answerCancel(inbound.request, { send: this.responder(from) });
        const s = answer.terminatedInvite === null ? undefined : this.uasByTx.get(answer.terminatedInvite);
        s?.uas?.onCancelled();
        return;
      }
      case "merged":
      case "overloaded":
        this.responder(from)(inbound.response);
        return;
      case "invalid":
        if (message.kind === "request" && message.method !== "ACK")
          this.responder(from)(
            buildResponse(message, 400, { toTag: this.newTag(), reason: `Bad Request (${inbound.reason})` }),
          );
        return;
      case "new-request":
        return this.newRequest(inbound.request, from);
    }
  }

  private strayResponse(r: SipResponse): void {
    if (r.status < 200 || r.status >= 300 || cseqOf(r)?.method !== "INVITE") return;
    const id = dialogIdOfResponse(r);
    if (id === null) return;
    const s = this.dialogs.get(dialogKey(id)) ?? this.uacByLocalTag.get(`${id.callId}\u0000${id.localTag}`);
    s?.onStray2xx(r);
  }

  private newRequest(request: SipRequest, from: ReceivedFrom): void {
    const reply = (status: number, opts: ReplyOptions = {}): void => {
      const r = buildResponse(request, status, {
        toTag: this.newTag(),
        headers: [...(opts.headers ?? []), ...this.identityHeaders()],
        ...(opts.reason === undefined ? {} : { reason: opts.reason }),
      });
      this.serverTx(request, from).sendResponse(opts.body ? withBody(r, opts.body) : r);
    };
    const unknown = unsupportedRequired(request, optionTags(request, "require"), this.capabilities);
    if (unknown.length > 0) return reply(420, { headers: [header("unsupported", unknown.join(", "))] });
    if (!this.capabilities.allow.includes(request.method) && this.onRequest === null) {
      return void this.serverTx(request, from).sendResponse(
        methodNotAllowed(request, this.capabilities, this.newTag()),
      );
    }
    const id = dialogIdOfRequest(request);
    if (id !== null) {
      const s = this.dialogs.get(dialogKey(id));
      if (s === undefined) return reply(481);
      return s.receiveInDialog(request, from);
    }
    const auth = this.options.authenticator;
    if (auth !== undefined && (auth.methods ?? ["INVITE", "REGISTER"]).includes(request.method)) {
      const verdict = auth.server.authenticate(request, auth.lookup);
      if (!verdict.ok) return void this.serverTx(request, from).sendResponse(verdict.response);
    }
    switch (request.method) {
      case "INVITE":
        return this.newInvite(request, from, reply);
      case "OPTIONS":
        return void this.serverTx(request, from).sendResponse(
          answerOptions(request, this.capabilities, this.newTag()),
        );
      case "BYE":
      case "PRACK":
      case "UPDATE":
      case "INFO":
        return reply(481);
      default:
        if (this.onRequest !== null) return this.onRequest(request, reply, from);
        return void this.serverTx(request, from).sendResponse(
          methodNotAllowed(request, this.capabilities, this.newTag()),
        );
    }
  }

  private newInvite(
    request: SipRequest,
    from: ReceivedFrom,
    reply: (status: number, opts?: ReplyOptions) => void,
  ): void {
    const max = this.options.maxSessions;
    if (max !== undefined && this.sessions.size >= max)
      return reply(503, { headers: [header("retry-after", String(this.options.retryAfterS ?? 5))] });
    if (contactUri(request) === null) return reply(400, { reason: "Missing Contact" });
    const decision = uasTimerDecision(request, this.sessionTimer);
    if (decision.kind === "reject-422") return reply(422, { headers: [minSeHeader(decision.minSeS)] });
    if (this.onInvite === null) return reply(480);
    const s = new InviteSession(this, {
      role: "uas",
      callId: callIdOf(request) ?? "",
      transport: from.transport,
    });
    const tx = this.transactions.createServerTransaction(
      request,
      { onTimeout: () => s.terminate("ack-timeout", false) },
      { send: this.responder(from) },
    );
    s.uas = new UasInvite(s, request, tx as InviteServerTransaction, from, decision);
    s.remoteAllow = allowedMethods(request);
    this.sessions.add(s);
    this.uasByTx.set(tx, s);
    this.filed.set(s, { dialogs: new Set(), uacKey: null, uasTx: tx });
    this.onInvite(s, request);
  }

  private serverTx(request: SipRequest, from: ReceivedFrom): ServerTransaction {
    return this.transactions.createServerTransaction(request, {}, { send: this.responder(from) });
  }

  private localFor(transport: TransportProtocol): { host: string; port: number } {
    const t =
      this.transport instanceof TransportSet
        ? (this.transport.member(transport) ?? this.transport)
        : this.transport;
    return { host: this.options.advertisedHost ?? t.local.host, port: t.local.port };
  }

  private targetOf(uri: string): TransportAddress {
    const t = targetOfUri(uri);
    if (!t.ok) throw new Error(`cannot route ${uri}: ${t.reason} (give nextHop)`);
    return t.address;
  }
}
