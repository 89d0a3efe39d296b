/**
 * One INVITE dialog usage (a call leg), as UAC or UAS: the dialog, its offer/answer state, its
 * session timer, in-dialog requests both ways, and termination. The initial INVITE is driven by
 * UacInvite (session-uac.ts) or UasInvite (session-uas.ts); re-INVITE and UPDATE by
 * TargetRefresh (target-refresh.ts). Everything time-driven runs on the UA's injected clock.
 *
 *   UAC: calling --1xx with tag--> early --2xx--> confirmed (ACK sent)      --BYE--> terminated
 *              \--2xx (delayed offer, answer pending) --> answered --ACK--> confirmed
 *   UAS: incoming --1xx--> early --2xx--> answered --ACK--> confirmed      --BYE--> terminated
 *   any state --failure / CANCEL / timeout--> terminated
 */
import type { SipHeader, SipRequest, SipResponse } from "../wire/sip/index.ts";
import { buildResponse } from "../transaction/index.ts";
import type { ClientTransactionUser } from "../transaction/index.ts";
import { targetOfUri } from "../transport/index.ts";
import type { ReceivedFrom, TransportAddress, TransportProtocol } from "../transport/index.ts";
import type { Dialog } from "./dialog.ts";
import { answerOptions } from "./capabilities.ts";
import { buildAck2xx, buildInDialogRequest } from "./in-dialog-request.ts";
import type { Body } from "./in-dialog-request.ts";
import { OfferAnswer } from "./offer-answer.ts";
import type { OfferAnswerState } from "./offer-answer.ts";
import { nextHopUri } from "./route-set.ts";
import { SessionTimer } from "./session-timer.ts";
import type { NegotiatedTimer } from "./session-timer-negotiation.ts";
import { cseqOf, withBody } from "./sip-fields.ts";
import { dialogIdOfResponse } from "./dialog-id.ts";
import type { UaContext } from "./ua-context.ts";
import { inviteSessionTransitions } from "./invite-session-types.ts";
import type {
  InviteSessionHandlers,
  InviteSessionState,
  ReplyOptions,
  TerminationReason,
} from "./invite-session-types.ts";
import type { IncomingOffer } from "./incoming-offer.ts";
import type { UacInvite } from "./session-uac.ts";
import type { UasInvite } from "./session-uas.ts";
import { TargetRefresh } from "./target-refresh.ts";
import type { RefreshOptions } from "./target-refresh.ts";

export class InviteSession {
  readonly role: "uac" | "uas";
  readonly callId: string;
  /** the transport in-dialog requests use when the target URI does not say */
  readonly transport: TransportProtocol;
  /** RFC 3261 §14.1: we generated the Call-ID (the UAC of the initial INVITE) */
  readonly callIdOwner: boolean;
  handlers: InviteSessionHandlers = {};
  /** @internal */ readonly oa = new OfferAnswer();
  /** @internal */ readonly timer: SessionTimer;
  /** @internal */ readonly refresh: TargetRefresh;
  /** @internal */ uac: UacInvite | null = null;
  /** @internal */ uas: UasInvite | null = null;
  /** @internal */ remoteAllow: Set<string> | null = null;
  private current: InviteSessionState;
  private main: Dialog | null = null;
  private lastAck: { readonly seq: number; readonly ack: SipRequest; readonly to: TransportAddress } | null =
    null;
  private endReason: TerminationReason | null = null;
  private remoteBye: SipRequest | null = null;

  constructor(
    /** @internal */ readonly ctx: UaContext,
    init: {
      readonly role: "uac" | "uas";
      readonly callId: string;
      readonly transport: TransportProtocol;
      /** all requests of this session go here instead of the route set / target (outbound proxy) */
      readonly nextHop?: TransportAddress | null;
    },
  ) {
    this.role = init.role;
    this.callId = init.callId;
    this.transport = init.transport;
    this.callIdOwner = init.role === "uac";
    this.fixedNextHop = init.nextHop ?? null;
    this.current = init.role === "uac" ? "calling" : "incoming";
    this.timer = new SessionTimer(ctx.clock, {
      onRefreshDue: () => this.refresh.sessionRefresh(),
      onExpiring: () => this.terminate("session-expired", true),
    });
    this.refresh = new TargetRefresh(this);
  }

  private readonly fixedNextHop: TransportAddress | null;

  // ---- read-only views ---------------------------------------------------------------------

  get state(): InviteSessionState {
    return this.current;
  }
  get dialog(): Dialog | null {
    return this.main;
  }
  get offerAnswerState(): OfferAnswerState {
    return this.oa.state;
  }
  get localSdp(): string | null {
    return this.oa.localSdp;
  }
  get remoteSdp(): string | null {
    return this.oa.remoteSdp;
  }
  get sessionTimer(): NegotiatedTimer | null {
    return this.timer.current;
  }
  get terminationReason(): TerminationReason | null {
    return this.endReason;
  }
  /** The peer's BYE that ended the session (a B2BUA reads its Max-Forwards), else null. */
  get endedBy(): SipRequest | null {
    return this.remoteBye;
  }

  // ---- application API ---------------------------------------------------------------------

  /**
   * UAS: a provisional response (RFC 3262 reliable when asked and the UAC supports 100rel). False
   * when nothing went out: no final response pending, or a delayed-offer INVITE requiring 100rel
   * and no offer to put in the reliable 1xx (session-uas.ts).
   */
  progress(
    status = 180,
    opts: {
      readonly sdp?: string | null;
      readonly reliable?: boolean;
      readonly headers?: readonly SipHeader[];
    } = {},
  ): boolean {
    return this.uas?.progress(status, opts) ?? false;
  }

  /** UAS: the 2xx; `sdp` is the answer (offer in INVITE) or our offer (delayed offer). */
  accept(opts: { readonly sdp?: string | null; readonly headers?: readonly SipHeader[] } = {}): void {
    this.uas?.accept(opts);
  }

  /** UAS: a final non-2xx to the initial INVITE. */
  reject(status = 486, opts: ReplyOptions = {}): void {
    this.uas?.reject(status, opts);
  }

  /** UAC: CANCEL the initial INVITE (RFC 3261 §9.1). Idempotent: one CANCEL however often it is called. */
  cancel(): void {
    this.uac?.cancel();
  }

  /** re-INVITE with an offer, or without SDP (the peer offers in its 2xx, we answer in the ACK). */
  reinvite(opts: RefreshOptions = {}): boolean {
    return this.refresh.send("INVITE", opts);
  }

  /** UPDATE (RFC 3311) with an offer, or without body (session refresh). */
  update(opts: RefreshOptions = {}): boolean {
    return this.refresh.send("UPDATE", opts);
  }

  /**
   * Ends the session: BYE on a dialog (RFC 3261 §15.1.1), CANCEL while the UAC's INVITE is
   * pending, or a 487... for an unanswered UAS INVITE (486 unless told otherwise: use reject()).
   */
  bye(opts: { readonly maxForwards?: number } = {}): void {
    if (this.current === "terminated") return;
    if (this.role === "uac" && (this.current === "calling" || this.current === "early")) {
      this.cancel();
      return;
    }
    if (this.role === "uas" && (this.current === "incoming" || this.current === "early")) {
      this.reject(480);
      return;
    }
    this.terminate("local-bye", true, opts.maxForwards);
  }

  /** A non-target-refresh request in the dialog (INFO, NOTIFY, MESSAGE ...). */
  request(
    method: string,
    opts: { readonly body?: Body | null; readonly headers?: readonly SipHeader[] } = {},
    onResponse?: (r: SipResponse | null) => void,
  ): boolean {
    const tu: ClientTransactionUser = {
      onResponse: (r) => {
        if (r.status >= 200) onResponse?.(r);
        if (r.status === 481 || r.status === 408) this.terminate("dialog-gone", false);
      },
      onTimeout: () => onResponse?.(null),
      onTransportError: () => onResponse?.(null),
    };
    return this.sendInDialog(method, { body: opts.body ?? null, headers: opts.headers ?? [] }, tu) !== null;
  }

  // ---- internal API used by UacInvite, UasInvite, TargetRefresh and the UserAgent --------------

  /** @internal */
  setState(to: InviteSessionState): void {
    if (to === this.current) return;
    if (!inviteSessionTransitions[this.current].includes(to))
      throw new Error(`bug: session ${this.current} -> ${to}`);
    this.current = to;
  }

  /** @internal the dialog in-dialog requests use from now on */
  adoptDialog(d: Dialog): void {
    if (this.main !== null && this.main !== d) this.ctx.unregisterDialog(this.main.key, this);
    this.main = d;
    this.ctx.registerDialog(d.key, this);
  }

  /** @internal where a request goes: the fixed next hop, else RFC 3261 §8.1.2 / RFC 3263 */
  destination(request: SipRequest): TransportAddress | null {
    if (this.fixedNextHop !== null) return this.fixedNextHop;
    const t = targetOfUri(nextHopUri(request), this.transport);
    return t.ok ? t.address : null;
  }

  /** @internal */
  sendInDialog(
    method: string,
    opts: {
      readonly body: Body | null;
      readonly headers: readonly SipHeader[];
      readonly contact?: boolean;
      readonly dialog?: Dialog;
      readonly maxForwards?: number;
    },
    tu: ClientTransactionUser,
  ): SipRequest | null {
    const d = opts.dialog ?? this.main;
    if (d === null || d.state === "terminated") return null;
    const build = (transport: TransportProtocol, cseq: number): SipRequest =>
      buildInDialogRequest(d, method, {
        via: this.ctx.via(transport),
        cseq,
        contact: opts.contact === true ? this.ctx.contact(transport) : null,
        body: opts.body,
        headers: [...opts.headers, ...this.ctx.identityHeaders()],
        ...(opts.maxForwards === undefined ? {} : { maxForwards: opts.maxForwards }),
      });
    const cseq = d.nextLocalSeq(this.ctx.random);
    let request = build(this.transport, cseq);
    const to = this.destination(request);
    if (to === null) return null;
    // the Via names the transport the request actually leaves on (RFC 3261 §18.1.1)
    if (to.transport !== this.transport) request = build(to.transport, cseq);
    this.ctx.sendRequest(request, to, tu);
    return request;
  }

  /** @internal RFC 3261 §13.2.2.4: the ACK for a 2xx, kept to answer retransmitted 2xx. */
  sendAck(
    invite: SipRequest,
    body: Body | null,
    dialog: Dialog | null = this.main,
    maxForwards?: number,
  ): void {
    const seq = cseqOf(invite)?.seq;
    if (dialog === null || seq === undefined) return;
    const build = (transport: TransportProtocol): SipRequest =>
      buildAck2xx(dialog, invite, {
        via: this.ctx.via(transport),
        inviteSeq: seq,
        body,
        ...(maxForwards === undefined ? {} : { maxForwards }),
      });
    let ack = build(this.transport);
    const to = this.destination(ack);
    if (to === null) return;
    if (to.transport !== this.transport) ack = build(to.transport);
    if (dialog === this.main) this.lastAck = { seq, ack, to };
    this.ctx.sendDirect(ack, to);
  }

  /**
   * @internal A 2xx to INVITE that matched no transaction: a retransmission (RFC 3261
   * §13.2.2.4: "The UAC core MUST generate an ACK request for each 2xx received from the
   * transaction layer" and the ACK is re-sent for each retransmission), or a 2xx of another fork.
   */
  onStray2xx(response: SipResponse): void {
    const seq = cseqOf(response)?.seq;
    if (this.lastAck !== null && seq === this.lastAck.seq && this.isMainDialog(response)) {
      this.ctx.sendDirect(this.lastAck.ack, this.lastAck.to);
      return;
    }
    this.uac?.onForked2xx(response);
  }

  /** @internal an ACK routed to this dialog by the UA */
  onAck(ack: SipRequest): void {
    const seq = cseqOf(ack)?.seq;
    if (this.uas !== null && seq === this.uas.inviteSeq) this.uas.onAck(ack);
    else this.refresh.onAck(ack);
  }

  /** @internal a new request with our dialog's ID (RFC 3261 §12.2.2) */
  receiveInDialog(request: SipRequest, from: ReceivedFrom): void {
    const d = this.main;
    const cseq = cseqOf(request);
    if (d === null || cseq === null) return;
    if (d.acceptRemoteSeq(cseq.seq, request.method) === "out-of-order") {
      this.replyTo(request, from, 500, { reason: "CSeq Out of Order" });
      return;
    }
    switch (request.method) {
      case "BYE":
        // RFC 3261 §15.1.2: "the UAS MUST generate a 2xx response to the BYE ... the UAS core MUST
        // generate a 487 (Request Terminated) response" to a pending INVITE.
        this.replyTo(request, from, 200);
        if (this.current !== "terminated") this.remoteBye = request;
        this.uas?.terminatedByBye();
        this.terminate("remote-bye", false);
        return;
      case "INVITE":
      case "UPDATE":
        this.refresh.onIncoming(request, from);
        return;
      case "PRACK":
        if (this.uas !== null) this.uas.onPrack(request, from);
        else this.replyTo(request, from, 481);
        return;
      case "OPTIONS":
        this.ctx.transactions
          .createServerTransaction(request, {}, { send: this.ctx.responder(from) })
          .sendResponse(answerOptions(request, this.ctx.capabilities, d.id.localTag));
        return;
      default: {
        const reply = (status: number, opts: ReplyOptions = {}): void =>
          this.replyTo(request, from, status, opts);
        if (this.handlers.onRequest !== undefined) this.handlers.onRequest(request, reply);
        else reply(request.method === "INFO" ? 200 : 501);
      }
    }
  }

  /** @internal a response to a non-INVITE request, through its own server transaction */
  replyTo(request: SipRequest, from: ReceivedFrom, status: number, opts: ReplyOptions = {}): void {
    const tag = this.main?.id.localTag ?? this.ctx.newTag();
    let response = buildResponse(request, status, {
      toTag: tag,
      headers: [...(opts.headers ?? []), ...this.ctx.identityHeaders()],
      ...(opts.reason === undefined ? {} : { reason: opts.reason }),
    });
    if (opts.body) response = withBody(response, opts.body);
    const tx = this.ctx.transactions.createServerTransaction(request, {}, { send: this.ctx.responder(from) });
    tx.sendResponse(response);
  }

  /** @internal the session timer negotiated (or renegotiated); null stops it */
  applyTimer(t: NegotiatedTimer | null): void {
    if (this.current === "terminated") return;
    if (t === null) this.timer.stop();
    else this.timer.start(t);
  }

  /** @internal hands an offer to the application, or to the UA's default answerer */
  offerToApp(offer: IncomingOffer): void {
    if (this.handlers.onOffer !== undefined) {
      this.handlers.onOffer(offer);
      return;
    }
    const sdp = this.ctx.defaultAnswer(this, offer.sdp);
    if (sdp === null) offer.reject(488);
    else offer.accept(sdp);
  }

  /** @internal Ends the session, with a BYE when asked and a dialog exists. Idempotent. */
  terminate(reason: TerminationReason, sendBye: boolean, byeMaxForwards?: number): void {
    if (this.current === "terminated") return;
    // a re-INVITE / UPDATE of the peer still unanswered gets 487 before our BYE (target-refresh.ts)
    this.refresh.stop();
    if (sendBye && this.main !== null && this.main.state !== "terminated") {
      this.sendInDialog(
        "BYE",
        {
          body: null,
          headers: [],
          ...(byeMaxForwards === undefined ? {} : { maxForwards: byeMaxForwards }),
        },
        { onResponse: () => undefined },
      );
    }
    this.endReason = reason;
    this.timer.stop();
    this.uac?.stop();
    this.uas?.stop();
    if (this.main !== null) {
      this.main.transition("terminated");
      this.ctx.unregisterDialog(this.main.key, this);
    }
    this.current = "terminated";
    this.ctx.sessionEnded(this);
    this.handlers.onTerminated?.(reason);
  }

  private isMainDialog(response: SipResponse): boolean {
    return this.main !== null && dialogIdOfResponse(response)?.remoteTag === this.main.id.remoteTag;
  }
}
