/**
 * Offers during the call, relayed from one leg (x) to the other (y), each rewritten for the leg it
 * goes to (our anchored RTP port, that leg's codec policy and telephone-event PT):
 *
 *   re-INVITE / UPDATE with an offer on x:  y gets our offer; y's answer, rewritten, answers x
 *   re-INVITE without SDP on x (CUCM mid-call, DOMAIN.md §9.2):
 *       x: INVITE (no SDP) --> y: INVITE (no SDP)
 *       y: 2xx (offer)     --> x: 2xx (that offer, rewritten)
 *       x: ACK (answer)    --> y: ACK (that answer, rewritten)
 *
 * RFC 3261 §14.1: "If a UA receives a non-2xx final response to a re-INVITE, the session
 * parameters MUST remain unchanged, as if no re-INVITE had been issued" — a failure on y is x's
 * failure, with the same status (491 on glare, and 491 when y cannot take a re-INVITE now).
 * RFC 3261 §14.2: for a re-INVITE without an offer "the UAS ... insert[s] an offer in the 2xx"
 * and the answer comes in the ACK (§13.2.1). An offer in a 2xx cannot be refused but by ending
 * the dialog (RFC 3261 §13.2.2.4: ACK it, then BYE), so when y offers nothing x can use, or x's
 * answer has none of y's codecs, the call ends (the B2BUA never relays between codecs).
 * Max-Forwards: each relayed request carries the received value minus one; 0 gets 483; the ACK
 * relaying x's answer to y carries x's ACK's value minus one and is never refused (max-forwards.ts).
 */
import type { SipRequest, SipResponse } from "../wire/sip/index.ts";
import type { IncomingOffer } from "../dialog/index.ts";
import type { LegId } from "../media/index.ts";
import type { B2buaCall } from "./call.ts";
import type { CallLeg, HeldOffer } from "./call-leg.ts";
import { allowedByPolicies, findSameFormat, firstMatch, freePayloadType } from "./codec-policy.ts";
import type { Codec } from "./codec-policy.ts";
import { answerMaxForwards, relayedMaxForwards, TOO_MANY_HOPS } from "./max-forwards.ts";
import { relayedDirection, viewOf } from "./sdp-view.ts";
import type { AudioView } from "./sdp-view.ts";

/** RFC 3261 §21.4.27 491 Request Pending: the other leg has an exchange in progress */
const REQUEST_PENDING = 491;
/** RFC 3261 §21.4.26 488 Not Acceptable Here */
const NOT_ACCEPTABLE_HERE = 488;

export class RelayOffers {
  constructor(private readonly call: B2buaCall) {}

  private port(leg: CallLeg): number {
    return this.call.media?.localPort(leg.id) ?? 0;
  }

  private legs(leg: LegId): { x: CallLeg; y: CallLeg } {
    return { x: this.call.legs[leg], y: this.call.legs[leg === "a" ? "b" : "a"] };
  }

  /** y cannot start an exchange now (not confirmed, or one of ours is in progress on either leg). */
  private busy(x: CallLeg, y: CallLeg): boolean {
    return (
      y.session === null ||
      y.session.state !== "confirmed" ||
      y.relaying !== null ||
      y.pending2xxOffer !== null ||
      x.pending2xxOffer !== null
    );
  }

  /** re-INVITE or UPDATE with an offer on leg `leg`. */
  relay(leg: LegId, offer: IncomingOffer): void {
    const call = this.call;
    const { x, y } = this.legs(leg);
    const view = viewOf(offer.sdp);
    if (view === null) return offer.reject(NOT_ACCEPTABLE_HERE);
    // RFC 3264 §8: an unchanged version is an unchanged session (a session-timer refresh)
    if (view.originKey !== null && view.originKey === x.remote?.originKey && x.sdp.last !== null)
      return offer.accept(x.sdp.last);
    const maxForwards = relayedMaxForwards(offer.request);
    if (maxForwards === "too-many-hops") return offer.reject(TOO_MANY_HOPS.status);
    if (this.busy(x, y)) return offer.reject(REQUEST_PENDING);
    const candidates = allowedByPolicies(view.codecs, y.policy.codecs, x.policy.codecs);
    if (candidates.length === 0) return offer.reject(NOT_ACCEPTABLE_HERE);
    const teY = freePayloadType(
      y.ourTe ?? y.policy.telephoneEventPt,
      candidates.map((c) => c.pt),
    );
    const yOffer = y.writeOffer(this.port(y), candidates, teY, relayedDirection(view), view);
    const held = holding(offer);
    y.relaying = held;
    y.awaitingAnswer = (ans) => {
      y.relaying = null;
      const yCodec = ans === null ? null : firstMatch(ans.codecs, candidates);
      if (ans === null || yCodec === null) return held.reject(NOT_ACCEPTABLE_HERE);
      const xCodec = findSameFormat(view.codecs, yCodec) ?? yCodec;
      y.settle(yCodec, teY, ans);
      call.setRemote(y.id, ans);
      const answer = x.writeAnswer(this.port(x), view, xCodec, ans.direction);
      x.settle(xCodec, view.telephoneEvent?.pt ?? null, view);
      call.setRemote(x.id, view);
      held.accept(answer);
      call.refreshDtmf();
    };
    const session = y.session!;
    const opts = { sdp: yOffer, maxForwards };
    const ok = offer.site === "update" ? session.update(opts) : session.reinvite(opts);
    if (!ok) {
      y.relaying = null;
      y.awaitingAnswer = null;
      held.reject(REQUEST_PENDING);
    }
  }

  /** re-INVITE without SDP on leg `leg`: relayed as a re-INVITE without SDP (see the top). */
  relayEmpty(leg: LegId, offer: IncomingOffer): void {
    const { x, y } = this.legs(leg);
    const maxForwards = relayedMaxForwards(offer.request);
    if (maxForwards === "too-many-hops") return offer.reject(TOO_MANY_HOPS.status);
    if (this.busy(x, y)) return offer.reject(REQUEST_PENDING);
    const held = holding(offer);
    y.relaying = held;
    y.offerIn2xx = (yOffer) => this.offerFromY(x, y, held, yOffer);
    if (!y.session!.reinvite({ sdp: null, maxForwards })) {
      y.relaying = null;
      y.offerIn2xx = null;
      held.reject(REQUEST_PENDING);
    }
  }

  /** y's offer in the 2xx to our re-INVITE without SDP: rewritten for x, it goes in our 2xx to x. */
  private offerFromY(x: CallLeg, y: CallLeg, held: HeldOffer, yOffer: IncomingOffer): void {
    const call = this.call;
    y.relaying = null;
    const view = viewOf(yOffer.sdp);
    const candidates = view === null ? [] : allowedByPolicies(view.codecs, x.policy.codecs, y.policy.codecs);
    if (view === null || candidates.length === 0) {
      call.note(y.id, `the offer in leg ${y.id}'s 2xx has no codec leg ${x.id} may use`);
      held.reject(NOT_ACCEPTABLE_HERE);
      yOffer.reject(); // ACK, then BYE: the call ends
      return;
    }
    const teX = freePayloadType(
      x.ourTe ?? x.policy.telephoneEventPt,
      candidates.map((c) => c.pt),
    );
    const xOffer = x.writeOffer(this.port(x), candidates, teX, relayedDirection(view), view);
    y.pending2xxOffer = yOffer;
    x.awaitingAnswer = (ans, ack) => this.answerFromX(x, y, { teX, candidates, view, yOffer, ack }, ans);
    held.accept(xOffer);
  }

  /** x's answer (in its ACK) to the offer we relayed from y: rewritten, it goes in our ACK to y. */
  private answerFromX(
    x: CallLeg,
    y: CallLeg,
    o: {
      readonly teX: number | null;
      readonly candidates: readonly Codec[];
      readonly view: AudioView;
      readonly yOffer: IncomingOffer;
      /** x's ACK that carried the answer: our ACK to y carries its Max-Forwards minus one */
      readonly ack: SipRequest | SipResponse;
    },
    ans: AudioView | null,
  ): void {
    const call = this.call;
    y.pending2xxOffer = null;
    const xCodec = ans === null ? null : firstMatch(ans.codecs, o.candidates);
    if (ans === null || xCodec === null) {
      o.yOffer.reject(); // ACK, then BYE on y
      return void call.end(`leg ${x.id} answered none of the codecs of leg ${y.id}`);
    }
    const yCodec = findSameFormat(o.view.codecs, xCodec) ?? xCodec;
    x.settle(xCodec, o.teX, ans);
    call.setRemote(x.id, ans);
    const answerY = y.writeAnswer(this.port(y), o.view, yCodec, ans.direction);
    y.settle(yCodec, o.view.telephoneEvent?.pt ?? null, o.view);
    call.setRemote(y.id, o.view);
    o.yOffer.accept(answerY, { maxForwards: answerMaxForwards(o.ack) });
    call.refreshDtmf();
  }
}

/** The offer, held until the other leg settles it; only the first accept/reject counts. */
function holding(offer: IncomingOffer): HeldOffer {
  return {
    settled: false,
    accept(sdp) {
      if (this.settled) return;
      this.settled = true;
      offer.accept(sdp);
    },
    reject(status) {
      if (this.settled) return;
      this.settled = true;
      offer.reject(status);
    },
  };
}
