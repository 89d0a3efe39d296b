/**
 * The UAS side of an initial INVITE (RFC 3261 §13.3): provisional responses (reliable ones per
 * RFC 3262 §3), the 2xx handed to the UAS core's retransmission until the ACK (§13.3.1.4, BYE
 * after 64*T1 without it), the answer in the ACK for a delayed offer, PRACK, CANCEL and rejection.
 *
 * RFC 3261 §13.3.1.1: "the UAS MUST send a To tag with any 1xx establishing a dialog" ...
 * RFC 3261 §13.3.1.4: "the 2xx response ... MUST contain a Contact header field" and "If the
 * INVITE request contained an offer, and the UAS had not yet sent an answer, the 2xx MUST contain
 * an answer. If the INVITE did not contain an offer, the 2xx MUST contain an offer if the UAS had
 * not yet sent an offer."
 * RFC 3262 §3: "If the UAS sends a reliable provisional response with an offer, it MUST NOT send
 * a final 2xx before receiving the PRACK" (paraphrase of: "a UAS MAY send a final response ...
 * before having received PRACKs for all unacknowledged reliable provisional responses, unless the
 * final response is 2xx and any of the unacknowledged reliable provisional responses contained a
 * session description. In that case, it MUST NOT send a final response until those provisional
 * responses are acknowledged.")
 * RFC 3262 §3: "The UAS MUST send any non-100 provisional response reliably if the initial request
 * contained a Require header field with the option tag 100rel." RFC 3262 §5: "if a reliable
 * provisional response is the first reliable message sent back to the UAC, and the INVITE did not
 * contain an offer, one MUST appear in that reliable provisional response." So a 1xx without SDP
 * to a delayed-offer INVITE goes unreliably when the UAC only supports 100rel, and not at all when
 * it requires 100rel (progress() returns false; the UAC has its 100 Trying).
 * RFC 3262 §5: "If the UAC receives a reliable provisional response with an offer ..., it MUST
 * generate an answer in the PRACK." RFC 3262 §3: a PRACK that matches "MUST be responded to with a
 * 2xx response". A matching PRACK without the answer to our offer is answered 200 (it acknowledges
 * the 1xx), but the offer can no longer be answered (RFC 3261 §13.2.1 allows no answer elsewhere
 * and no new offer while it is outstanding), so the INVITE is rejected at once with 488 and a
 * Warning, rather than left to wait for a 2xx it can never get.
 */
import type { SipHeader, SipRequest } from "../wire/sip/index.ts";
import { getHeader } from "../wire/sip/index.ts";
import { buildResponse } from "../transaction/index.ts";
import type { InviteServerTransaction, Uas2xxRetransmitter } from "../transaction/index.ts";
import type { ReceivedFrom } from "../transport/index.ts";
import { capabilityHeaders } from "./capabilities.ts";
import { createUasDialog } from "./dialog.ts";
import type { InviteSession } from "./invite-session.ts";
import type { ReplyOptions } from "./invite-session-types.ts";
import { parseRAck, ReliableProvisionals } from "./prack.ts";
import { uasTimerHeaders } from "./session-timer-negotiation.ts";
import type { UasTimerDecision } from "./session-timer-negotiation.ts";
import { cseqOf, header, optionTags, sdpBody, sdpOf, withBody } from "./sip-fields.ts";

export interface ProgressOptions {
  readonly sdp?: string | null;
  readonly reliable?: boolean;
  readonly headers?: readonly SipHeader[];
}

export interface AcceptOptions {
  readonly sdp?: string | null;
  readonly headers?: readonly SipHeader[];
}

/** RFC 3262 §3: the UAS gave up waiting for a PRACK (a 5xx "SHOULD" reject the INVITE). */
export const PRACK_TIMEOUT_STATUS = 500;
/** RFC 3261 §21.4.26: the INVITE's offer/answer failed (a PRACK without the answer to our offer) */
export const NO_ANSWER_IN_PRACK = Object.freeze({
  status: 488,
  warning: '399 - "no answer in the PRACK to the offer in the reliable provisional response (RFC 3262 §5)"',
});

export class UasInvite {
  readonly inviteSeq: number;
  readonly localTag: string;
  private reliable: ReliableProvisionals | null = null;
  private pendingAccept: AcceptOptions | null = null;
  private retransmitter: Uas2xxRetransmitter | null = null;
  private final = false;
  private readonly peer100rel: "required" | "supported" | "no";

  constructor(
    private readonly session: InviteSession,
    readonly invite: SipRequest,
    readonly tx: InviteServerTransaction,
    readonly from: ReceivedFrom,
    private readonly timerDecision: UasTimerDecision,
  ) {
    this.inviteSeq = cseqOf(invite)?.seq ?? 0;
    this.localTag = session.ctx.newTag();
    this.peer100rel = optionTags(invite, "require").has("100rel")
      ? "required"
      : optionTags(invite, "supported").has("100rel")
        ? "supported"
        : "no";
    const sdp = sdpOf(invite);
    if (sdp !== null) session.oa.transition("remote-offer", sdp);
  }

  /** The initial INVITE has no final response yet. */
  get pending(): boolean {
    return !this.final;
  }

  /** RFC 3262 §3: our 1xx can go reliably (the UAC supports or requires 100rel and we do PRACK). */
  get reliableAllowed(): boolean {
    return this.session.ctx.prack !== "off" && this.peer100rel !== "no";
  }

  /** The offer in the INVITE, or null (delayed offer: our offer goes in the first reliable 1xx or the 2xx). */
  get remoteOffer(): string | null {
    return sdpOf(this.invite);
  }

  progress(status: number, opts: ProgressOptions): boolean {
    const s = this.session;
    if (this.final || s.state === "terminated") return false;
    if (status <= 100 || status >= 200) throw new Error(`bug: progress(${status})`);
    let reliable =
      s.ctx.prack !== "off" &&
      (this.peer100rel === "required" || (opts.reliable === true && this.peer100rel === "supported"));
    let sdp = opts.sdp ?? null;
    // RFC 3262 §5: no reliable 1xx without the offer a delayed-offer INVITE waits for (see the top)
    if (reliable && sdp === null && s.oa.state === "no-offer") {
      if (this.peer100rel === "required") return false;
      reliable = false;
    }
    if (sdp !== null) {
      if (s.oa.state === "offer-received" && reliable) s.oa.transition("local-answer", sdp);
      else if (s.oa.state === "no-offer" && reliable) s.oa.transition("local-offer", sdp);
      // RFC 3261 §13.2.1: an offer may only go in a reliable 1xx; an unreliable answer is a preview
      else if (s.oa.state === "no-offer") sdp = null;
    }
    this.ensureDialog();
    if (s.state === "incoming") s.setState("early");
    const response = this.response(
      status,
      [header("contact", `<${s.ctx.contact(s.transport)}>`), ...(opts.headers ?? [])],
      sdp,
    );
    if (!reliable) {
      this.tx.sendResponse(response);
      return true;
    }
    this.reliable ??= new ReliableProvisionals(this.inviteSeq, {
      clock: s.ctx.clock,
      T1: s.ctx.transactionConfig.timers.T1,
      send: (r) => this.tx.sendResponse(r),
      onGiveUp: () =>
        this.reject(
          PRACK_TIMEOUT_STATUS,
          { reason: "Reliable Provisional Not Acknowledged" },
          "prack-timeout",
        ),
      random: s.ctx.random,
    });
    this.reliable.send(response, sdp !== null);
    return true;
  }

  accept(opts: AcceptOptions): void {
    const s = this.session;
    if (this.final || s.state === "terminated") return;
    if (this.reliable?.blocks2xx) {
      this.pendingAccept = opts;
      return;
    }
    const sdp = opts.sdp ?? null;
    if (s.oa.state === "offer-received") {
      if (sdp === null) throw new Error("bug: accept() without the answer to the INVITE's offer");
      s.oa.transition("local-answer", sdp);
    } else if (s.oa.state === "no-offer") {
      if (sdp === null) throw new Error("bug: accept() of a delayed-offer INVITE without our offer");
      s.oa.transition("local-offer", sdp);
    }
    this.final = true;
    this.reliable?.stop();
    const d = this.ensureDialog();
    d?.transition("confirmed");
    const headers = [
      header("contact", `<${s.ctx.contact(s.transport)}>`),
      ...capabilityHeaders(s.ctx.capabilities),
      ...uasTimerHeaders(this.timerDecision),
      ...(opts.headers ?? []),
    ];
    const response = this.response(200, headers, sdp);
    s.setState("answered");
    this.retransmitter = s.ctx.transactions.sendInvite2xx(
      this.tx,
      response,
      { onAckTimeout: () => s.terminate("ack-timeout", true) },
      { send: s.ctx.responder(this.from) },
    );
    if (this.timerDecision.kind === "accept")
      s.applyTimer({
        intervalS: this.timerDecision.intervalS,
        weRefresh: this.timerDecision.refresher === "uas",
      });
  }

  reject(
    status: number,
    opts: ReplyOptions,
    why: "rejected" | "prack-timeout" | "no-answer" = "rejected",
  ): void {
    const s = this.session;
    if (this.final || s.state === "terminated") return;
    this.final = true;
    this.reliable?.stop();
    if (s.oa.state === "offer-received") s.oa.transition("rejected");
    const response = buildResponse(this.invite, status, {
      toTag: this.localTag,
      headers: [...(opts.headers ?? []), ...s.ctx.identityHeaders()],
      ...(opts.reason === undefined ? {} : { reason: opts.reason }),
    });
    this.tx.sendResponse(opts.body ? withBody(response, opts.body) : response);
    s.terminate(why, false);
  }

  /** The ACK for our 2xx (absorbed by the transaction layer's 2xx retransmission). */
  onAck(ack: SipRequest): void {
    const s = this.session;
    if (s.state !== "answered") return;
    if (s.oa.state === "offer-sent") {
      const answer = sdpOf(ack);
      if (answer === null) {
        // RFC 3261 §13.2.1 / RFC 6337 §3.1: the ACK must carry the answer to an offer in the 2xx
        s.setState("confirmed");
        s.terminate("no-answer", true);
        return;
      }
      s.oa.transition("remote-answer", answer);
      s.handlers.onAnswer?.(answer, ack);
    }
    s.setState("confirmed");
    s.handlers.onConfirmed?.();
  }

  /** RFC 3262 §3: match the RAck, 200 or 481; an answer to our reliable-1xx offer is in the PRACK. */
  onPrack(prack: SipRequest, from: ReceivedFrom): void {
    const s = this.session;
    const result = this.reliable?.prack(parseRAck(getHeader(prack, "rack"))) ?? {
      matched: false,
      hadSdp: false,
    };
    if (!result.matched) {
      s.replyTo(prack, from, 481);
      return;
    }
    const sdp = sdpOf(prack);
    const offerInThat1xx = result.hadSdp && s.oa.state === "offer-sent";
    if (offerInThat1xx && sdp !== null) {
      s.oa.transition("remote-answer", sdp);
      s.handlers.onAnswer?.(sdp, prack);
    }
    s.replyTo(prack, from, 200);
    if (offerInThat1xx && sdp === null) {
      // RFC 3262 §5: the answer had to be in this PRACK (see the top)
      s.oa.transition("rejected");
      return this.reject(
        NO_ANSWER_IN_PRACK.status,
        { headers: [header("warning", NO_ANSWER_IN_PRACK.warning)] },
        "no-answer",
      );
    }
    if (this.pendingAccept !== null && !this.reliable!.blocks2xx) {
      const opts = this.pendingAccept;
      this.pendingAccept = null;
      this.accept(opts);
    }
  }

  /** RFC 3261 §15.1.2: a BYE before our final response: "487 (Request Terminated)" to the INVITE. */
  terminatedByBye(): void {
    if (this.final) return;
    this.final = true;
    this.reliable?.stop();
    this.tx.sendResponse(buildResponse(this.invite, 487, { toTag: this.localTag }));
  }

  /** CANCEL answered by the transaction layer (487 sent): the session ends. */
  onCancelled(): void {
    this.final = true;
    this.session.terminate("cancelled", false);
  }

  stop(): void {
    this.reliable?.stop();
    this.retransmitter?.stop();
    this.pendingAccept = null;
  }

  private ensureDialog() {
    const s = this.session;
    if (s.dialog !== null) return s.dialog;
    const made = createUasDialog(this.invite, this.localTag, "early");
    if (!made.ok) return null;
    s.adoptDialog(made.dialog);
    return made.dialog;
  }

  private response(status: number, headers: readonly SipHeader[], sdp: string | null) {
    const r = buildResponse(this.invite, status, {
      toTag: this.localTag,
      headers: [...headers, ...this.session.ctx.identityHeaders()],
    });
    return sdp === null ? r : withBody(r, sdpBody(sdp));
  }
}
