/**
 * re-INVITE (RFC 3261 §14) and UPDATE (RFC 3311) inside an established dialog, both directions:
 * new offers, hold/resume, session-timer refreshes, glare (491 and the §14.1 retry timer).
 *
 * RFC 3261 §14.1: "a UAC MUST NOT initiate a re-INVITE transaction while another INVITE
 * transaction is in progress in either direction." ... "If a UA receives a non-2xx final response
 * to a re-INVITE, the session parameters MUST remain unchanged, as if no re-INVITE had been
 * issued." ... "If the UAC receives a 491 response to a re-INVITE, it SHOULD start a timer" and
 * "When the timer fires, the UAC SHOULD attempt the re-INVITE once more, if it still desires for
 * that session modification to take place."
 * RFC 3261 §14.2: "A UAS that receives a re-INVITE ... If the UAS ... the 2xx ... answer" (as for
 * the initial INVITE); a re-INVITE without SDP is answered with an offer in the 2xx, and the
 * answer comes in the ACK (RFC 3261 §14.2: "the UAS will ... insert an offer in the 2xx").
 * RFC 3311 §5.2: "The UAS MUST ... respond to the UPDATE ... with the answer in the 2xx" and an
 * UPDATE without an offer is a refresh only (RFC 4028 §10 recommends it for session refreshes).
 * RFC 3261 §12.2.1.2 / §12.2.2: both directions refresh the remote target from Contact.
 * RFC 3261 §15.1.2: "the UAS core MUST generate a 487 (Request Terminated) response to any pending
 * requests received for that dialog" when a BYE arrives; the same 487 answers a re-INVITE / UPDATE
 * of the peer still waiting for our answer when we end the dialog ourselves (stop(), before our
 * BYE goes out), as RFC 5407 §3.1.5 and §3.2.2 show for a re-INVITE pending when BYE is sent. A
 * re-INVITE arriving after our BYE finds no dialog and gets 481 from the UA core (RFC 3261 §12.2.2
 * and RFC 5407 §3.2.2: the BYE's sender has already ended the dialog).
 */
import type { SipHeader, SipRequest, SipResponse } from "../wire/sip/index.ts";
import { buildResponse } from "../transaction/index.ts";
import type { InviteServerTransaction, TimerHandle, Uas2xxRetransmitter } from "../transaction/index.ts";
import type { ReceivedFrom } from "../transport/index.ts";
import { capabilityHeaders } from "./capabilities.ts";
import { glareRetryDelayMs, glareVerdict } from "./glare.ts";
import { holdOf } from "./hold.ts";
import type { HoldState } from "./hold.ts";
import { makeIncomingOffer, refusal } from "./incoming-offer.ts";
import type { OfferCallbacks, OfferSite } from "./incoming-offer.ts";
import type { InviteSession } from "./invite-session.ts";
import {
  DEFAULT_SESSION_TIMER,
  minSeHeader,
  uacTimerFromResponse,
  uacTimerHeaders,
  uasTimerDecision,
  uasTimerHeaders,
} from "./session-timer-negotiation.ts";
import type { UasTimerDecision } from "./session-timer-negotiation.ts";
import { cseqOf, header, sdpBody, sdpOf, withBody } from "./sip-fields.ts";

export interface RefreshOptions {
  /** our offer; absent or null: a re-INVITE without SDP (the peer offers) or an UPDATE without body */
  readonly sdp?: string | null;
  readonly headers?: readonly SipHeader[];
  /** Max-Forwards of the request (default 70); a B2BUA relaying a request passes its value minus one */
  readonly maxForwards?: number;
}

type Method = "INVITE" | "UPDATE";

/** RFC 3261 §21.4.25 */
const REQUEST_TERMINATED = 487;

const NOT_HELD: HoldState = Object.freeze({ onHold: false, method: null });

export class TargetRefresh {
  private outgoing: { readonly method: Method; readonly opts: RefreshOptions } | null = null;
  private incoming: { readonly seq: number; answered: boolean } | null = null;
  private retransmitter: Uas2xxRetransmitter | null = null;
  private glareTimer: TimerHandle | null = null;
  /** answers the peer's re-INVITE / UPDATE whose offer the application still holds (stop(): 487) */
  private pendingReply: ((status: number) => void) | null = null;

  constructor(private readonly s: InviteSession) {}

  /** Our re-INVITE / UPDATE is in progress or waiting to retry after 491. */
  get pending(): boolean {
    return this.outgoing !== null;
  }

  send(method: Method, opts: RefreshOptions): boolean {
    const st = this.s.state;
    const allowed =
      method === "INVITE" ? st === "confirmed" : st === "early" || st === "answered" || st === "confirmed";
    if (!allowed || this.outgoing !== null) return false;
    if (method === "INVITE" && this.incoming !== null) return false;
    if ((opts.sdp ?? null) !== null && !this.s.oa.canOffer()) return false;
    this.outgoing = { method, opts };
    this.transmit();
    return true;
  }

  /** Session timer says refresh (RFC 4028 §10): UPDATE when the peer allows it, else re-INVITE. */
  sessionRefresh(): void {
    if (this.outgoing !== null || this.incoming !== null || this.s.state !== "confirmed") return;
    if (this.s.remoteAllow?.has("UPDATE") === true) this.send("UPDATE", {});
    else this.send("INVITE", { sdp: this.s.oa.canOffer() ? this.s.oa.localSdp : null });
  }

  /** The dialog ends: timers stop, and a request of the peer still unanswered gets 487 (see the top). */
  stop(): void {
    const pending = this.pendingReply;
    this.pendingReply = null;
    pending?.(REQUEST_TERMINATED);
    if (this.glareTimer !== null) this.s.ctx.clock.clearTimer(this.glareTimer);
    this.glareTimer = null;
    this.retransmitter?.stop();
    this.outgoing = null;
    this.incoming = null;
  }

  private transmit(): void {
    const out = this.outgoing;
    if (out === null) return;
    const { method, opts } = out;
    const s = this.s;
    const sdp = opts.sdp ?? null;
    if (sdp !== null && !s.oa.transition("local-offer", sdp)) return this.finish(method, 491);
    const cfg = s.ctx.sessionTimer ?? (s.timer.current !== null ? DEFAULT_SESSION_TIMER : null);
    const headers: SipHeader[] = [
      ...(method === "INVITE" ? capabilityHeaders(s.ctx.capabilities) : []),
      ...(cfg === null ? [] : uacTimerHeaders(cfg, s.timer.current)),
      ...(opts.headers ?? []),
    ];
    let sent: SipRequest | null = null;
    sent = s.sendInDialog(
      method,
      {
        body: sdpBody(sdp),
        headers,
        contact: true,
        ...(opts.maxForwards === undefined ? {} : { maxForwards: opts.maxForwards }),
      },
      {
        onResponse: (r) => {
          if (sent !== null) this.onResponse(method, sent, r);
        },
        onTimeout: () => this.gone(method, 408),
        onTransportError: () => this.gone(method, 503),
      },
    );
    if (sent === null) {
      if (sdp !== null) s.oa.transition("rejected");
      this.finish(method, 503);
    }
  }

  private onResponse(method: Method, request: SipRequest, r: SipResponse): void {
    const s = this.s;
    if (r.status < 200) return;
    if (s.state === "terminated") {
      // RFC 3261 §13.2.2.4: "The UAC core MUST generate an ACK request for each 2xx received from
      // the transaction layer", also for a re-INVITE answered after our BYE
      if (method === "INVITE" && r.status < 300) s.sendAck(request, null);
      return;
    }
    const offered = s.oa.state === "offer-sent";
    if (r.status >= 300) {
      if (offered) s.oa.transition("rejected");
      if (r.status === 481 || r.status === 408) return this.gone(method, r.status);
      if (r.status === 491) return this.scheduleRetry();
      return this.finish(method, r.status);
    }
    s.dialog?.refreshTarget(r);
    s.applyTimer(uacTimerFromResponse(r));
    const sdp = sdpOf(r);
    if (offered) {
      if (sdp === null) {
        if (method === "INVITE") s.sendAck(request, null);
        this.finish(method, r.status);
        return s.terminate("no-answer", true);
      }
      s.oa.transition("remote-answer", sdp);
      s.handlers.onAnswer?.(sdp, r);
      if (method === "INVITE") s.sendAck(request, null);
      return this.finish(method, r.status);
    }
    if (method === "UPDATE" || sdp === null) {
      if (method === "INVITE") s.sendAck(request, null);
      return this.finish(method, r.status);
    }
    // re-INVITE without SDP: the 2xx carries the peer's offer, our answer goes in the ACK
    s.oa.transition("remote-offer", sdp);
    this.offer(
      "2xx",
      sdp,
      holdOf(sdp),
      {
        accept: (answer, opts) => {
          s.oa.transition("local-answer", answer);
          s.sendAck(request, sdpBody(answer), undefined, opts.maxForwards);
          this.finish(method, r.status);
        },
        reject: () => {
          // RFC 3261 §13.2.2.4: a valid answer in the ACK (refusing every stream), then BYE
          const answer = refusal(s, sdp);
          s.oa.transition(answer === null ? "rejected" : "local-answer", answer);
          s.sendAck(request, sdpBody(answer));
          this.finish(method, r.status);
          s.terminate("offer-refused", true);
        },
      },
      r,
    );
  }

  private finish(method: Method, status: number): void {
    this.outgoing = null;
    this.s.handlers.onRefreshResult?.(method, status);
  }

  /** RFC 3261 §12.2.1.2: "If the response for a request within a dialog is a 481 or a 408 ... the UAC SHOULD terminate the dialog." */
  private gone(method: Method, status: number): void {
    if (this.s.oa.state === "offer-sent") this.s.oa.transition("rejected");
    this.finish(method, status);
    this.s.terminate("dialog-gone", status !== 481);
  }

  private scheduleRetry(): void {
    const delay = glareRetryDelayMs(this.s.callIdOwner, this.s.ctx.random);
    this.glareTimer = this.s.ctx.clock.setTimer(delay, () => {
      this.glareTimer = null;
      if (this.s.state !== "confirmed" && this.outgoing?.method === "INVITE") return;
      this.transmit();
    });
  }

  // ---- incoming re-INVITE / UPDATE ----------------------------------------------------------

  onIncoming(request: SipRequest, from: ReceivedFrom): void {
    const s = this.s;
    const method = request.method as Method;
    const sdp = sdpOf(request);
    const tx =
      method === "INVITE"
        ? (s.ctx.transactions.createServerTransaction(
            request,
            {},
            { send: s.ctx.responder(from) },
          ) as InviteServerTransaction)
        : null;
    const final = (status: number, headers: SipHeader[] = [], body: string | null = null): void => {
      if (tx === null) {
        s.replyTo(request, from, status, { headers, body: sdpBody(body) });
        return;
      }
      const r = buildResponse(request, status, { headers: [...headers, ...s.ctx.identityHeaders()] });
      tx.sendResponse(body === null ? r : withBody(r, sdpBody(body)));
    };
    const glare = glareVerdict(
      {
        method,
        hasOffer: sdp !== null,
        ourInvitePending:
          (this.outgoing?.method === "INVITE" && this.glareTimer === null) || s.uac?.pending === true,
        theirInvitePending: (this.incoming !== null && !this.incoming.answered) || s.uas?.pending === true,
        offerAnswer: s.oa.state,
      },
      s.ctx.random,
    );
    if (glare !== null) {
      return final(
        glare.status,
        glare.status === 500 ? [header("retry-after", String(glare.retryAfterS))] : [],
      );
    }
    const decision = uasTimerDecision(request, s.ctx.sessionTimer);
    if (decision.kind === "reject-422") return final(422, [minSeHeader(decision.minSeS)]);
    s.dialog?.refreshTarget(request);
    const seq = cseqOf(request)?.seq ?? 0;
    if (method === "INVITE") this.incoming = { seq, answered: false };
    const ok = (body: string | null): void => {
      const headers = [
        header("contact", `<${s.ctx.contact(s.transport)}>`),
        ...capabilityHeaders(s.ctx.capabilities),
        ...uasTimerHeaders(decision),
      ];
      this.applyUasTimer(decision);
      if (tx === null) return final(200, headers, body);
      const r = withBody(
        buildResponse(request, 200, { headers: [...headers, ...s.ctx.identityHeaders()] }),
        sdpBody(body),
      );
      if (this.incoming !== null) this.incoming.answered = true;
      this.retransmitter = s.ctx.transactions.sendInvite2xx(
        tx,
        r,
        { onAckTimeout: () => s.terminate("ack-timeout", true) },
        { send: s.ctx.responder(from) },
      );
    };
    if (method === "UPDATE" && sdp === null) return ok(null);
    // the application answers later (a B2BUA asks the other leg): once, by it or by stop()
    let answered = false;
    const settle = (): boolean => {
      if (answered) return false;
      answered = true;
      if (this.pendingReply === abandon) this.pendingReply = null;
      return true;
    };
    const abandon = (status: number): void => {
      if (!settle()) return;
      if (method === "INVITE") this.incoming = null;
      final(status);
    };
    this.pendingReply = abandon;
    if (sdp !== null) {
      s.oa.transition("remote-offer", sdp);
      return this.offer(
        method === "INVITE" ? "reinvite" : "update",
        sdp,
        holdOf(sdp),
        {
          accept: (answer) => {
            if (!settle()) return;
            s.oa.transition("local-answer", answer);
            ok(answer);
          },
          reject: (status) => {
            if (!settle()) return;
            s.oa.transition("rejected");
            if (method === "INVITE") this.incoming = null;
            final(status);
          },
        },
        request,
      );
    }
    this.offer(
      "reinvite-empty",
      null,
      NOT_HELD,
      {
        accept: (offer) => {
          if (!settle()) return;
          s.oa.transition("local-offer", offer);
          ok(offer);
        },
        reject: abandon,
      },
      request,
    );
  }

  /** The ACK of our 2xx to their re-INVITE; it carries the answer when our 2xx carried an offer. */
  onAck(ack: SipRequest): void {
    const s = this.s;
    if (this.incoming === null || cseqOf(ack)?.seq !== this.incoming.seq) return;
    this.incoming = null;
    this.retransmitter = null;
    if (s.oa.state !== "offer-sent") return;
    const answer = sdpOf(ack);
    if (answer === null) return s.terminate("no-answer", true);
    s.oa.transition("remote-answer", answer);
    s.handlers.onAnswer?.(answer, ack);
  }

  private applyUasTimer(d: UasTimerDecision): void {
    if (d.kind === "accept") this.s.applyTimer({ intervalS: d.intervalS, weRefresh: d.refresher === "uas" });
  }

  private offer(
    site: OfferSite,
    sdp: string | null,
    hold: HoldState,
    cb: OfferCallbacks,
    carrier: SipRequest | SipResponse | null = null,
  ): void {
    this.s.offerToApp(makeIncomingOffer(site, sdp, hold, cb, carrier));
  }
}
