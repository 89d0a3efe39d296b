/**
 * A remote offer (or a request for our offer) the application answers, synchronously or later.
 *
 * Where offers arrive (RFC 3261 §13.2.1, RFC 3262 §5, RFC 3311 §5, RFC 6337 §2):
 *   "reinvite"      re-INVITE with SDP: the answer goes in the 2xx
 *   "reinvite-empty" re-INVITE without SDP (CUCM mid-call, DOMAIN.md §9.2): our offer goes in
 *                   the 2xx, the answer comes in the ACK
 *   "update"        UPDATE with SDP: the answer goes in the 200 to the UPDATE
 *   "2xx"           2xx to an INVITE we sent without SDP (delayed offer): the answer goes in the ACK
 *   "reliable-1xx"  reliable 1xx to an INVITE we sent without SDP: the answer goes in the PRACK
 */
import type { SipRequest, SipResponse } from "../wire/sip/index.ts";
import type { HoldState } from "./hold.ts";
import type { InviteSession } from "./invite-session.ts";
import { rejectingAnswer } from "../wire/sdp/rejecting-answer.ts";

export type OfferSite = "reinvite" | "reinvite-empty" | "update" | "2xx" | "reliable-1xx";

/** How the answer goes out where it travels in a request of ours (the PRACK or the ACK). */
export interface AnswerOptions {
  /** Max-Forwards of that PRACK / ACK (default 70): a B2BUA relaying an answer passes the received value minus one */
  readonly maxForwards?: number;
}

export interface IncomingOffer {
  readonly site: OfferSite;
  /** the remote offer; null for "reinvite-empty", where we must offer */
  readonly sdp: string | null;
  /** hold as the offer expresses it (RFC 3264 §8.4, legacy c=0.0.0.0) */
  readonly hold: HoldState;
  /**
   * the request that carried the offer, or asked for ours ("reinvite", "reinvite-empty",
   * "update"); null where the offer came in a response ("2xx", "reliable-1xx")
   */
  readonly request: SipRequest | null;
  /** the response that carried the offer ("2xx", "reliable-1xx"); null for the other sites */
  readonly response: SipResponse | null;
  /** our answer (or our offer for "reinvite-empty"); only the first accept/reject counts */
  accept(sdp: string, opts?: AnswerOptions): void;
  /** refuse: 488 Not Acceptable Here by default (RFC 3261 §21.4.26); for "2xx" sites, ACK then BYE */
  reject(status?: number): void;
}

export interface OfferCallbacks {
  accept(sdp: string, opts: AnswerOptions): void;
  reject(status: number): void;
}

/** Wraps callbacks so only the first accept/reject has effect. */
export function makeIncomingOffer(
  site: OfferSite,
  sdp: string | null,
  hold: HoldState,
  cb: OfferCallbacks,
  /** the request or response that carried the offer (or asked for ours) */
  carrier: SipRequest | SipResponse | null = null,
): IncomingOffer & { readonly settled: boolean } {
  let settled = false;
  return {
    site,
    sdp,
    hold,
    request: carrier?.kind === "request" ? carrier : null,
    response: carrier?.kind === "response" ? carrier : null,
    get settled() {
      return settled;
    },
    accept(answer: string, opts: AnswerOptions = {}) {
      if (settled) return;
      settled = true;
      cb.accept(answer, opts);
    },
    reject(status = 488) {
      if (settled) return;
      settled = true;
      cb.reject(status);
    },
  };
}

/**
 * The answer refusing every stream of `offer` (wire/sdp/rejecting-answer.ts), with this session's
 * address in o=/c=: for the sites where an offer must be answered even when it is refused (2xx:
 * in the ACK, then BYE; reliable 1xx: in the PRACK, then CANCEL). Null when the offer does not parse.
 */
export function refusal(s: Pick<InviteSession, "ctx" | "transport">, offer: string): string | null {
  const host = s.ctx.via(s.transport).host; // a URI host: an IPv6 address is in brackets
  return rejectingAnswer(offer, host.startsWith("[") ? host.slice(1, -1) : host);
}
