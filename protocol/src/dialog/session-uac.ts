/**
 * The UAC side of an initial INVITE (RFC 3261 §13.2): building and sending it, early dialogs from
 * 1xx with a To tag, PRACK for reliable 1xx (RFC 3262 §4), the ACK for the 2xx with the answer
 * when the 2xx carried the offer (delayed offer), retries after 401/407 (RFC 3261 §22.2) and 422
 * (RFC 4028 §7.4), CANCEL (§9.1), and extra 2xx from forks (§13.2.2.4: "the UAC core MUST
 * generate an ACK ... and then send a BYE" for each dialog it does not want).
 */
import type { SipHeader, SipRequest, SipResponse } from "../wire/sip/index.ts";
import type { ClientTransaction, InviteClientTransaction } from "../transaction/index.ts";
import type { TransportAddress } from "../transport/index.ts";
import { DigestClient, resubmit } from "../auth/index.ts";
import type { CredentialLookup, DigestCredentials } from "../auth/index.ts";
import { createUacDialog } from "./dialog.ts";
import type { Dialog } from "./dialog.ts";
import { dialogIdOfResponse } from "./dialog-id.ts";
import { holdOf } from "./hold.ts";
import { makeIncomingOffer, refusal } from "./incoming-offer.ts";
import { DEFAULT_MAX_FORWARDS, viaValue } from "./in-dialog-request.ts";
import type { InviteSession } from "./invite-session.ts";
import { formatRAck, reliableRSeq, RSeqTracker } from "./prack.ts";
import { retryAfter422, uacTimerFromResponse, uacTimerHeaders } from "./session-timer-negotiation.ts";
import type { SessionTimerConfig } from "./session-timer-negotiation.ts";
import { allowedMethods, cseqOf, header, sdpBody, sdpOf, tagOf, withBody } from "./sip-fields.ts";
import { capabilityHeaders } from "./capabilities.ts";

export interface UacInviteOptions {
  /** Request-URI, e.g. "sip:2001@127.0.0.1:5080" */
  readonly target: string;
  /** From value without tag, e.g. "<sip:7001@127.0.0.1>" */
  readonly from: string;
  /** To value (default `<target>`) */
  readonly to?: string;
  /** our offer; null or absent: delayed offer (RFC 3261 §13.2.1, CUCM's default, DOMAIN.md §4.4) */
  readonly sdp?: string | null;
  readonly headers?: readonly SipHeader[];
  /** where requests go (outbound proxy / next hop); default from the Request-URI */
  readonly nextHop?: TransportAddress;
  readonly credentials?: DigestCredentials | readonly DigestCredentials[] | CredentialLookup;
  readonly callId?: string;
  /**
   * Max-Forwards (RFC 3261 §8.1.1.6: "SHOULD be 70"); a B2BUA passes the received value minus
   * one so a loop through it still runs out (RFC 3261 §16.6 step 3 for proxies).
   */
  readonly maxForwards?: number;
}

interface EarlyDialog {
  readonly dialog: Dialog;
  readonly rseq: RSeqTracker;
}

export class UacInvite {
  private current: SipRequest;
  private tx: ClientTransaction | null = null;
  private readonly early = new Map<string, EarlyDialog>();
  private readonly auth: DigestClient | null;
  private timerConfig: SessionTimerConfig | null;
  private retried422 = false;
  private final = false;
  private cancelled = false;

  constructor(
    private readonly session: InviteSession,
    private readonly to: TransportAddress,
    opts: UacInviteOptions,
  ) {
    const ctx = session.ctx;
    this.auth = opts.credentials === undefined ? null : new DigestClient(opts.credentials);
    this.timerConfig = ctx.sessionTimer;
    const supported = ctx.capabilities.supported.filter(
      (t) => (t !== "100rel" || ctx.prack !== "off") && (t !== "timer" || ctx.sessionTimer !== null),
    );
    const headers: SipHeader[] = [
      header("via", viaValue(ctx.via(session.transport))),
      header("max-forwards", String(opts.maxForwards ?? DEFAULT_MAX_FORWARDS)),
      header("from", `${opts.from};tag=${ctx.newTag()}`),
      header("to", opts.to ?? `<${opts.target}>`),
      header("call-id", session.callId),
      header("cseq", `${1 + Math.floor(ctx.random() * 2 ** 16)} INVITE`),
      header("contact", `<${ctx.contact(session.transport)}>`),
      ...capabilityHeaders({ ...ctx.capabilities, supported }),
    ];
    if (ctx.prack === "required") headers.push(header("require", "100rel"));
    if (this.timerConfig !== null) headers.push(...uacTimerHeaders(this.timerConfig));
    headers.push(...ctx.identityHeaders(), ...(opts.headers ?? []));
    const sdp = opts.sdp ?? null;
    const invite: SipRequest = {
      kind: "request",
      method: "INVITE",
      uri: opts.target,
      version: "SIP/2.0",
      headers,
      body: Buffer.alloc(0),
    };
    this.current = withBody(invite, sdpBody(sdp));
    if (sdp !== null) session.oa.transition("local-offer", sdp);
  }

  /** The initial INVITE has no final response yet. */
  get pending(): boolean {
    return !this.final;
  }

  /** The INVITE as last sent (after any 401/407/422 retry). */
  get invite(): SipRequest {
    return this.current;
  }

  start(): void {
    this.send();
  }

  /**
   * RFC 3261 §9.1: "If no provisional response has been received, the CANCEL request MUST NOT be
   * sent; rather, the client MUST wait for the arrival of a provisional response before sending
   * the request." (the transaction layer defers it). One CANCEL per INVITE: a second call is a
   * no-op (the CANCEL's client transaction would otherwise collide with the first, same branch).
   */
  cancel(): void {
    if (this.cancelled || this.final || this.tx === null || this.tx.kind !== "invite-client") return;
    this.cancelled = true;
    this.session.ctx.transactions.cancelInvite(this.tx as InviteClientTransaction);
  }

  stop(): void {
    for (const e of this.early.values()) {
      if (e.dialog !== this.session.dialog) this.session.ctx.unregisterDialog(e.dialog.key, this.session);
    }
    this.early.clear();
  }

  /** A 2xx from another fork after our dialog is set up: ACK it and BYE it. */
  onForked2xx(r: SipResponse): void {
    const made = createUacDialog(this.current, r);
    if (!made.ok || made.dialog.key === this.session.dialog?.key) return;
    this.session.sendAck(this.current, null, made.dialog);
    this.session.sendInDialog(
      "BYE",
      { body: null, headers: [], dialog: made.dialog },
      { onResponse: () => undefined },
    );
  }

  private send(): void {
    this.tx = this.session.ctx.sendRequest(this.current, this.to, {
      onResponse: (r) => this.onResponse(r),
      onTimeout: () => this.fail(408, null),
      onTransportError: () => this.fail(503, null),
    });
  }

  private fail(status: number, r: SipResponse | null): void {
    this.final = true;
    if (this.session.state === "terminated") return;
    this.session.handlers.onFailure?.(status, r);
    this.session.terminate(
      this.cancelled ? "cancelled" : status === 408 || status === 503 ? "failed" : "rejected",
      false,
    );
  }

  private onResponse(r: SipResponse): void {
    if (r.status === 100) return;
    if (r.status < 200) return this.onProvisional(r);
    if (r.status < 300) return this.on2xx(r);
    this.final = true;
    if (this.session.state === "terminated") return;
    // a challenge or a 422 after our CANCEL is not retried: the caller no longer wants the call
    if ((r.status === 401 || r.status === 407) && this.auth !== null && !this.cancelled) {
      const next = this.auth.authorize(this.current, r);
      if (next.ok) return this.retry(next.request);
    }
    if (r.status === 422 && !this.retried422 && this.timerConfig !== null && !this.cancelled) {
      const cfg = retryAfter422(r, this.timerConfig);
      const next =
        cfg === null
          ? null
          : resubmit(this.current, { drop: ["session-expires", "min-se"], add: uacTimerHeaders(cfg) });
      if (cfg !== null && next !== null) {
        this.retried422 = true;
        this.timerConfig = cfg;
        return this.retry(next);
      }
    }
    for (const e of this.early.values()) e.dialog.transition("terminated");
    this.fail(r.status, r);
  }

  private retry(request: SipRequest): void {
    this.final = false;
    this.current = request;
    this.send();
  }

  private earlyDialogFor(r: SipResponse): EarlyDialog | null {
    const tag = tagOf(r, "to");
    if (tag === null) return null;
    const known = this.early.get(tag);
    if (known !== undefined) return known;
    const made = createUacDialog(this.current, r);
    if (!made.ok) return null;
    const e: EarlyDialog = { dialog: made.dialog, rseq: new RSeqTracker() };
    this.early.set(tag, e);
    this.session.ctx.registerDialog(made.dialog.key, this.session);
    if (this.session.dialog === null) this.session.adoptDialog(made.dialog);
    return e;
  }

  private onProvisional(r: SipResponse): void {
    if (this.session.state === "terminated") return;
    const e = this.earlyDialogFor(r);
    if (e !== null && this.session.state === "calling") this.session.setState("early");
    const rseq = this.session.ctx.prack === "off" ? null : reliableRSeq(r);
    if (rseq !== null && e !== null) {
      if (e.rseq.accept(rseq) !== "new") return; // RFC 3262 §4: not PRACKed, "not processed further"
      this.onReliable(e, r, rseq);
    }
    this.session.handlers.onProvisional?.(r);
  }

  /** RFC 3262 §4-§5: PRACK each new reliable 1xx; an offer in it is answered in the PRACK. */
  private onReliable(e: EarlyDialog, r: SipResponse, rseq: number): void {
    const s = this.session;
    const sdp = sdpOf(r);
    const rack = header("rack", formatRAck({ rseq, cseq: cseqOf(r)?.seq ?? 0, method: "INVITE" }));
    const prack = (answer: string | null, maxForwards?: number): void => {
      s.sendInDialog(
        "PRACK",
        {
          body: sdpBody(answer),
          headers: [rack],
          dialog: e.dialog,
          ...(maxForwards === undefined ? {} : { maxForwards }),
        },
        { onResponse: () => undefined },
      );
    };
    if (sdp !== null && s.oa.state === "offer-sent") {
      s.oa.transition("remote-answer", sdp);
      s.handlers.onAnswer?.(sdp, r);
      return prack(null);
    }
    if (sdp !== null && s.oa.state === "no-offer") {
      s.oa.transition("remote-offer", sdp);
      const offer = makeIncomingOffer(
        "reliable-1xx",
        sdp,
        holdOf(sdp),
        {
          accept: (answer, opts) => {
            s.oa.transition("local-answer", answer);
            prack(answer, opts.maxForwards);
          },
          reject: () => {
            // RFC 3262 §5: the PRACK carries the answer, here one refusing every stream; then CANCEL
            const answer = refusal(s, sdp);
            s.oa.transition(answer === null ? "rejected" : "local-answer", answer);
            prack(answer);
            this.cancel();
          },
        },
        r,
      );
      return s.offerToApp(offer);
    }
    prack(null);
  }

  private on2xx(r: SipResponse): void {
    this.final = true;
    const s = this.session;
    const tag = tagOf(r, "to");
    const known = tag === null ? undefined : this.early.get(tag);
    let d: Dialog;
    if (known !== undefined) {
      known.dialog.confirmWith(r);
      d = known.dialog;
    } else {
      const made = createUacDialog(this.current, r);
      if (!made.ok) return;
      d = made.dialog;
    }
    if (s.state === "terminated") {
      // RFC 3261 §15: a 2xx after CANCEL still creates a dialog: ACK it, then BYE it
      this.session.sendAck(this.current, null, d);
      s.sendInDialog("BYE", { body: null, headers: [], dialog: d }, { onResponse: () => undefined });
      return;
    }
    s.adoptDialog(d);
    for (const [t, e] of this.early) if (t !== tag) e.dialog.transition("terminated");
    this.stop();
    s.remoteAllow = allowedMethods(r);
    if (dialogIdOfResponse(r) === null) return;
    const sdp = sdpOf(r);
    const confirm = (answer: string | null, maxForwards?: number): void => {
      s.sendAck(this.current, sdpBody(answer), undefined, maxForwards);
      s.setState("confirmed");
      s.applyTimer(uacTimerFromResponse(r));
      s.handlers.onConfirmed?.();
      if (this.cancelled) s.terminate("cancelled", true);
    };
    switch (s.oa.state) {
      case "offer-sent":
        if (sdp === null) {
          confirm(null);
          return s.terminate("no-answer", true);
        }
        s.oa.transition("remote-answer", sdp);
        s.handlers.onAnswer?.(sdp, r);
        return confirm(null);
      case "no-offer": {
        if (sdp === null) {
          confirm(null);
          return s.terminate("no-answer", true);
        }
        // RFC 3261 §13.2.1: "If the initial offer is in the first non-failure message from the
        // UAS back to the UAC, the answer MUST be in the acknowledgement for that message"
        s.setState("answered");
        s.oa.transition("remote-offer", sdp);
        const offer = makeIncomingOffer(
          "2xx",
          sdp,
          holdOf(sdp),
          {
            accept: (answer, opts) => {
              s.oa.transition("local-answer", answer);
              confirm(answer, opts.maxForwards);
            },
            reject: () => {
              // RFC 3261 §13.2.2.4: a valid answer in the ACK (refusing every stream), then BYE
              const answer = refusal(s, sdp);
              s.oa.transition(answer === null ? "rejected" : "local-answer", answer);
              confirm(answer);
              s.terminate("offer-refused", true);
            },
          },
          r,
        );
        return s.offerToApp(offer);
      }
      default:
        return confirm(null);
    }
  }
}
