/**
 * The transaction layer (RFC 3261 §17): creates transactions, routes what the transport receives
 * to them, and forgets every transaction, timer and map entry the instant it terminates.
 *
 * RFC 3261 §18.1.2: "If there are any client transactions in existence, the client transport
 * uses the matching procedures of Section 17.1.3 to attempt to match the response to an existing
 * transaction. If there is a match, the response MUST be passed to that transaction. Otherwise,
 * the response MUST be passed to the core ... Handling of these 'stray' responses is dependent on
 * the core (a proxy will forward them, while a UA will discard, for example)."
 * RFC 3261 §18.2.1: "If a matching server transaction is found, the request is passed to that
 * transaction for processing. If no match is found, the request is passed to the core, which may
 * decide to construct a new server transaction for that request."
 *
 * `receive()` never throws and never answers on its own: it says what happened (`Inbound`) and,
 * for 482 / 503, hands the core a ready-made response to send.
 */
import type { SipMessage, SipRequest, SipResponse } from "../wire/sip/index.ts";
import type { Clock } from "./clock.ts";
import { InviteClientTransaction } from "./invite-client.ts";
import { NonInviteClientTransaction } from "./non-invite-client.ts";
import { InviteServerTransaction } from "./invite-server.ts";
import { NonInviteServerTransaction } from "./non-invite-server.ts";
import { Uas2xxRetransmitter } from "./uas-2xx.ts";
import { buildResponse } from "./build-response.ts";
import { buildCancel, decideCancel } from "./cancel.ts";
import { defaultTransactionConfig } from "./timers.ts";
import type { TransactionConfig } from "./timers.ts";
import { silentClientUser, silentServerUser } from "./transaction-user.ts";
import type { ClientTransactionUser, Sender, ServerTransactionUser } from "./transaction-user.ts";
import { makeHeader, tagOf, viaIsReliable } from "./message-fields.ts";
import { whyUnmatchable } from "./inbound.ts";
import type {
  CancelAnswer,
  CancelRequestResult,
  ClientTransaction,
  Inbound,
  LayerStats,
  PerTransactionOptions,
  ServerTransaction,
} from "./inbound.ts";
import { AcceptedInvites } from "./accepted-invites.ts";
import { randomHex } from "./random-hex.ts";
import { LingeringSet } from "./lingering.ts";
import { DEFAULT_MAX_LINGERING, DEFAULT_MAX_TRANSACTIONS, DEFAULT_RETRY_AFTER_S } from "./limits.ts";
import type { AcceptedInvite } from "./accepted-invites.ts";
import {
  cancelTargetKey,
  clientKeyOfRequest,
  clientKeyOfResponse,
  matchesCancelTarget,
  matchesServerTransaction,
  mergeKey,
  serverKeyOfRequest,
} from "./matching.ts";

export interface TransactionLayerOptions {
  readonly clock: Clock;
  /** default transport; per-transaction senders may override it */
  readonly send: Sender;
  readonly config?: TransactionConfig;
  /**
   * live transactions (client + server) at which new incoming requests get 503; transactions that
   * only absorb retransmissions (see `maxLingering`) are not counted
   */
  readonly maxTransactions?: number;
  /**
   * transactions kept only to absorb retransmissions (INVITE client "Completed", Timer D; non-INVITE
   * client "Completed", Timer K; INVITE server "Confirmed", Timer I; non-INVITE server
   * "Completed", Timer J) beyond which the oldest is ended early
   */
  readonly maxLingering?: number;
  /** Retry-After (seconds) on that 503 */
  readonly retryAfterS?: number;
  /** To-tag generator for responses the layer builds (CANCEL handling) */
  readonly newTag?: () => string;
}

interface InviteClientRecord {
  readonly send: Sender;
  pendingCancel: ClientTransactionUser | null;
}

type MergeOwner = ServerTransaction | AcceptedInvite;
type AnyTransaction = ClientTransaction | ServerTransaction;

export class TransactionLayer {
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly servers = new Map<string, ServerTransaction>();
  private readonly legacyServers = new Set<ServerTransaction>();
  private readonly merges = new Map<string, MergeOwner>();
  private readonly accepted = new AcceptedInvites();
  private readonly inviteClients = new Map<InviteClientTransaction, InviteClientRecord>();
  private readonly lingering: LingeringSet<AnyTransaction>;
  private readonly config: TransactionConfig;
  private readonly maxTransactions: number;
  private readonly retryAfterS: number;

  constructor(private readonly options: TransactionLayerOptions) {
    this.config = options.config ?? defaultTransactionConfig;
    this.maxTransactions = options.maxTransactions ?? DEFAULT_MAX_TRANSACTIONS;
    this.lingering = new LingeringSet(options.maxLingering ?? DEFAULT_MAX_LINGERING);
    this.retryAfterS = options.retryAfterS ?? DEFAULT_RETRY_AFTER_S;
  }

  /** Client + server transactions in the layer's tables, lingering ones included. */
  get size(): number {
    return this.clients.size + this.servers.size + this.legacyServers.size;
  }

  /** Transactions still at work (`size` minus the lingering ones): what `maxTransactions` caps. */
  get liveCount(): number {
    return this.size - this.lingering.size;
  }

  stats(): LayerStats {
    return {
      clientTransactions: this.clients.size,
      serverTransactions: this.servers.size + this.legacyServers.size,
      mergeEntries: this.merges.size,
      accepted2xx: this.accepted.size,
      inviteClientRecords: this.inviteClients.size,
      lingeringTransactions: this.lingering.size,
    };
  }

  // ---- client side -------------------------------------------------------------------------

  /** Creates the client transaction for `request` and sends it (RFC 3261 §17.1). */
  sendRequest(
    request: SipRequest,
    tu: ClientTransactionUser,
    opts: PerTransactionOptions = {},
  ): ClientTransaction {
    const key = clientKeyOfRequest(request);
    if (key === null) throw new Error("bug: request without a Via branch given to the transaction layer");
    if (this.clients.has(key)) throw new Error(`bug: client transaction ${key} already exists`);
    const send = opts.send ?? this.options.send;
    let tx: ClientTransaction | null = null;
    const deps = {
      clock: this.options.clock,
      send,
      reliable: opts.reliable ?? viaIsReliable(request),
      config: this.config,
      onLinger: () => tx !== null && this.lingering.add(tx),
    };
    if (request.method === "INVITE") {
      const record: InviteClientRecord = { send, pendingCancel: null };
      const inv: InviteClientTransaction = new InviteClientTransaction(request, deps, {
        onResponse: (r) => {
          tu.onResponse(r);
          this.afterInviteResponse(inv, record, r);
        },
        onTimeout: () => tu.onTimeout?.(),
        onTransportError: (reason) => tu.onTransportError?.(reason),
        onTerminated: () => {
          this.inviteClients.delete(inv);
          this.clients.delete(key);
          this.lingering.delete(inv);
          tu.onTerminated?.();
        },
      });
      this.inviteClients.set(inv, record);
      tx = inv;
    } else {
      const nic: NonInviteClientTransaction = new NonInviteClientTransaction(request, deps, {
        onResponse: (r) => tu.onResponse(r),
        onTimeout: () => tu.onTimeout?.(),
        onTransportError: (reason) => tu.onTransportError?.(reason),
        onTerminated: () => {
          this.clients.delete(key);
          this.lingering.delete(nic);
          tu.onTerminated?.();
        },
      });
      tx = nic;
    }
    this.clients.set(key, tx);
    tx.start();
    return tx;
  }

  /**
   * Cancels a pending INVITE (RFC 3261 §9.1): "If no provisional response has been received, the
   * CANCEL request MUST NOT be sent; rather, the client MUST wait for the arrival of a provisional
   * response before sending the request. If the original request has generated a final response,
   * the CANCEL SHOULD NOT be sent" ... "The destination address, port, and transport for the
   * CANCEL MUST be identical to those used to send the original request."
   */
  cancelInvite(
    invite: InviteClientTransaction,
    tu: ClientTransactionUser = silentClientUser,
  ): CancelRequestResult {
    const record = this.inviteClients.get(invite);
    if (record === undefined || invite.state === "completed" || invite.state === "terminated") {
      return { outcome: "too-late" };
    }
    if (invite.state === "calling") {
      record.pendingCancel = tu;
      return { outcome: "deferred" };
    }
    return { outcome: "sent", transaction: this.sendCancel(invite, record, tu) };
  }

  private afterInviteResponse(
    invite: InviteClientTransaction,
    record: InviteClientRecord,
    r: SipResponse,
  ): void {
    const pending = record.pendingCancel;
    if (pending === null) return;
    record.pendingCancel = null;
    if (r.status < 200 && invite.state === "proceeding") this.sendCancel(invite, record, pending);
  }

  private sendCancel(
    invite: InviteClientTransaction,
    record: InviteClientRecord,
    tu: ClientTransactionUser,
  ): NonInviteClientTransaction {
    invite.cancelSent();
    const cancel = buildCancel(invite.request);
    return this.sendRequest(cancel, tu, {
      reliable: invite.reliable,
      send: record.send,
    }) as NonInviteClientTransaction;
  }

  // ---- inbound -----------------------------------------------------------------------------

  receive(message: SipMessage): Inbound {
    if (message.kind === "response") {
      const key = clientKeyOfResponse(message);
      const tx = key === null ? undefined : this.clients.get(key);
      if (tx === undefined) return { kind: "stray-response", response: message };
      tx.receive(message);
      return { kind: "response", response: message, transaction: tx };
    }
    const request = message;
    const problem = whyUnmatchable(request);
    if (problem !== null) return { kind: "invalid", message, reason: problem };

    const tx = this.findServer(request);
    if (request.method === "ACK") {
      if (tx !== null) {
        tx.receive(request);
        return { kind: "ack", request, absorbedBy: "server-transaction" };
      }
      const acked = this.accepted.acknowledge(request);
      return { kind: "ack", request, absorbedBy: acked ? "2xx-retransmission" : null };
    }
    if (tx !== null) {
      tx.receive(request);
      return { kind: "retransmission", request, transaction: tx };
    }
    if (request.method === "INVITE" && this.accepted.isRetransmission(request)) {
      // RFC 6026 §7.1 ("Accepted" state): once the 2xx is sent, a retransmitted INVITE is
      // absorbed rather than handed to the core as a new call.
      return { kind: "retransmission", request, transaction: null };
    }
    if (request.method === "CANCEL") return { kind: "cancel", request };
    const merge = mergeKey(request);
    if (merge !== null && this.merges.has(merge)) {
      return { kind: "merged", request, response: buildResponse(request, 482, { toTag: this.tag() }) };
    }
    if (this.liveCount >= this.maxTransactions) {
      // RFC 3261 §21.5.4 503: "The server MAY include a Retry-After header field".
      const retryAfter = makeHeader("retry-after", String(this.retryAfterS));
      return {
        kind: "overloaded",
        request,
        response: buildResponse(request, 503, { toTag: this.tag(), headers: [retryAfter] }),
      };
    }
    return { kind: "new-request", request };
  }

  /** Creates the server transaction for a request `receive()` reported as new (or merged). */
  createServerTransaction(
    request: SipRequest,
    tu: ServerTransactionUser,
    opts: PerTransactionOptions = {},
  ): ServerTransaction {
    const key = serverKeyOfRequest(request);
    if (key !== null && this.servers.has(key))
      throw new Error(`bug: server transaction ${key} already exists`);
    const merge = mergeKey(request);
    let tx: ServerTransaction | null = null;
    const deps = {
      clock: this.options.clock,
      send: opts.send ?? this.options.send,
      reliable: opts.reliable ?? viaIsReliable(request),
      config: this.config,
      onLinger: () => tx !== null && this.lingering.add(tx),
    };
    const wrapped: ServerTransactionUser = {
      onTimeout: () => tu.onTimeout?.(),
      onTransportError: (reason) => tu.onTransportError?.(reason),
      onTerminated: () => {
        if (key !== null) this.servers.delete(key);
        else if (tx !== null) this.legacyServers.delete(tx);
        if (merge !== null && this.merges.get(merge) === tx) this.merges.delete(merge);
        if (tx !== null) this.lingering.delete(tx);
        tu.onTerminated?.();
      },
    };
    tx =
      request.method === "INVITE"
        ? new InviteServerTransaction(request, deps, wrapped)
        : new NonInviteServerTransaction(request, deps, wrapped);
    if (key !== null) this.servers.set(key, tx);
    else this.legacyServers.add(tx);
    if (merge !== null && !this.merges.has(merge)) this.merges.set(merge, tx);
    tx.start();
    return tx;
  }

  /**
   * Answers a CANCEL `receive()` reported (RFC 3261 §9.2): creates its server transaction, sends
   * 200 or 481 through it, and answers a still-pending INVITE with 487 (Request Terminated). The
   * To tag is the one the INVITE's responses carry (§9.2: "the To tag of the response to the
   * CANCEL and the To tag in the response to the original request SHOULD be the same").
   */
  answerCancel(
    cancel: SipRequest,
    opts: PerTransactionOptions & { readonly toTag?: string } = {},
  ): CancelAnswer {
    const target = this.findCancelTarget(cancel);
    const invite = target !== null && target.kind === "invite-server" ? target : null;
    const pending = invite !== null && invite.state === "proceeding";
    const answered = target !== null || this.accepted.isCancelTarget(cancel);
    const decision = decideCancel(pending ? "pending" : answered ? "answered" : "none");
    const last = target?.lastResponse ?? null;
    const toTag = (last === null ? null : tagOf(last, "to")) ?? opts.toTag ?? this.tag();
    const cancelTx = this.createServerTransaction(
      cancel,
      silentServerUser,
      opts,
    ) as NonInviteServerTransaction;
    if (decision.terminateInvite && invite !== null)
      invite.sendResponse(buildResponse(invite.request, 487, { toTag }));
    cancelTx.sendResponse(buildResponse(cancel, decision.cancelStatus, { toTag }));
    return {
      cancelStatus: decision.cancelStatus,
      cancelTransaction: cancelTx,
      terminatedInvite: decision.terminateInvite ? invite : null,
    };
  }

  /**
   * Sends a 2xx through the INVITE server transaction (which sends it once and terminates) and
   * hands its retransmission to the UAS core machinery (uas-2xx.ts, RFC 3261 §13.3.1.4) until
   * the ACK arrives through `receive()`. `onAckTimeout` fires after 64*T1 without ACK: send BYE.
   */
  sendInvite2xx(
    invite: InviteServerTransaction,
    response: SipResponse,
    hooks: { readonly onAckTimeout: () => void },
    opts: { readonly send?: Sender } = {},
  ): Uas2xxRetransmitter | null {
    if (!invite.sendResponse(response)) return null;
    let entry: AcceptedInvite | null = null;
    const retransmitter = new Uas2xxRetransmitter(
      response,
      { clock: this.options.clock, send: opts.send ?? this.options.send, config: this.config },
      { onAckTimeout: hooks.onAckTimeout, onFinished: () => entry !== null && this.forgetAccepted(entry) },
    );
    entry = this.accepted.add(invite.request, response, retransmitter);
    const merge = mergeKey(invite.request);
    if (merge !== null && !this.merges.has(merge)) this.merges.set(merge, entry);
    retransmitter.start();
    return retransmitter;
  }

  private forgetAccepted(entry: AcceptedInvite): void {
    this.accepted.remove(entry);
    const merge = mergeKey(entry.invite);
    if (merge !== null && this.merges.get(merge) === entry) this.merges.delete(merge);
  }

  // ---- lookups -----------------------------------------------------------------------------

  findServer(request: SipRequest): ServerTransaction | null {
    const key = serverKeyOfRequest(request);
    if (key !== null) return this.servers.get(key) ?? null;
    for (const tx of this.legacyServers) {
      const sent = tx.lastResponse === null ? null : tagOf(tx.lastResponse, "to");
      if (matchesServerTransaction(request, tx.request, sent)) return tx;
    }
    return null;
  }

  /** RFC 3261 §9.2: the transaction a CANCEL cancels (the INVITE one when it exists). */
  findCancelTarget(cancel: SipRequest): ServerTransaction | null {
    const key = cancelTargetKey(cancel);
    const direct = key === null ? undefined : this.servers.get(key);
    if (direct !== undefined) return direct;
    for (const tx of [...this.servers.values(), ...this.legacyServers]) {
      if (matchesCancelTarget(cancel, tx.request)) return tx;
    }
    return null;
  }

  /** RFC 3261 §19.3: tags "MUST be globally unique and cryptographically random with at least 32 bits of randomness". */
  private tag(): string {
    return this.options.newTag !== undefined ? this.options.newTag() : randomHex(6);
  }
}
