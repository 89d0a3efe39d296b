/**
 * Offer/answer across the two legs of a call (RFC 3264) for the initial INVITE, in its four
 * shapes and with an offer from leg b in a reliable 1xx; offers during the call are relayed by
 * relay-offers.ts.
 *
 *   a offers, b early offer:   a's codecs ∩ policies -> b; b's answer codec -> a's answer
 *   a offers, b delayed offer: b offers in its 2xx (or reliable 1xx); first of b's codecs also in a's offer
 *   a delayed, b early offer:  policies -> b; b's codec alone offered to a in our 2xx, or in a
 *                              reliable 1xx when b answered in a 1xx and a does 100rel
 *   a delayed, b delayed:      b's 2xx offer (filtered) -> our 2xx to a; a's ACK answer -> b's ACK
 *
 * A codec leg b answers that leg a lacks ends the call: the B2BUA never relays between codecs
 * (DOMAIN.md §7).
 */
import type { SipRequest, SipResponse } from "../wire/sip/index.ts";
import { sdpOf } from "../dialog/index.ts";
import type { IncomingOffer } from "../dialog/index.ts";
import type { LegId } from "../media/index.ts";
import type { B2buaCall } from "./call.ts";
import type { CallLeg } from "./call-leg.ts";
import {
  allowedByPolicies,
  codecsOfPolicy,
  findSameFormat,
  firstMatch,
  freePayloadType,
} from "./codec-policy.ts";
import type { Codec } from "./codec-policy.ts";
import { answerMaxForwards } from "./max-forwards.ts";
import { RelayOffers } from "./relay-offers.ts";
import { relayedDirection, viewOf } from "./sdp-view.ts";
import type { AudioView } from "./sdp-view.ts";

export class CallOffers {
  /** leg a's initial offer (null: delayed offer) */
  private aOffer: AudioView | null = null;
  /** the reliable 1xx of leg b whose offer was relayed (provisionalFromB must not relay it again) */
  private handled1xx: SipResponse | null = null;
  private readonly relays: RelayOffers;

  constructor(private readonly call: B2buaCall) {
    this.relays = new RelayOffers(call);
  }

  /** Our RTP port on the leg. */
  private port(leg: CallLeg): number {
    return this.call.media?.localPort(leg.id) ?? 0;
  }

  /** What leg b may be offered for leg a's initial INVITE; empty: 488. */
  initialCandidates(offer: AudioView | null): Codec[] {
    this.aOffer = offer;
    const pa = this.call.a.policy.codecs;
    const pb = this.call.b.policy.codecs;
    return allowedByPolicies(offer === null ? codecsOfPolicy(pb) : offer.codecs, pb, pa);
  }

  setRemote(leg: LegId, v: AudioView): void {
    this.call.setRemote(leg, v);
  }

  // ---- initial INVITE ----------------------------------------------------------------------

  /** Our offer on leg b (early offer); its answer settles both legs. */
  offerB(aOffer: AudioView | null, candidates: readonly Codec[]): string {
    const b = this.call.b;
    const te = freePayloadType(
      b.policy.telephoneEventPt,
      candidates.map((c) => c.pt),
    );
    const sdp = b.writeOffer(
      this.port(b),
      candidates,
      te,
      aOffer === null ? "sendrecv" : relayedDirection(aOffer),
      aOffer,
    );
    b.awaitingAnswer = (answer, carrier) => this.initialAnswerFromB(candidates, te, answer, carrier);
    return sdp;
  }

  private initialAnswerFromB(
    offered: readonly Codec[],
    teB: number | null,
    ans: AudioView | null,
    carrier: SipRequest | SipResponse,
  ): void {
    const call = this.call;
    const codec = ans === null ? null : firstMatch(ans.codecs, offered);
    if (ans === null || codec === null) {
      call.note("b", "the answer on leg b has none of the offered codecs");
      return call.refuse(488, "leg b answered no offered codec", true);
    }
    call.b.settle(codec, teB, ans);
    this.setRemote("b", ans);
    const aOffer = this.aOffer;
    if (aOffer !== null) {
      const aCodec = findSameFormat(aOffer.codecs, codec) ?? codec;
      const answer = call.a.writeAnswer(this.port(call.a), aOffer, aCodec, ans.direction);
      call.a.settle(aCodec, aOffer.telephoneEvent?.pt ?? null, aOffer);
      call.answerA(answer);
    } else this.offerCodecToA(codec, ans, carrier.kind === "response" ? carrier : null);
    call.refreshDtmf();
  }

  /**
   * Leg a sent no offer and leg b's codec is settled: b's codec alone is offered to a, in our 2xx
   * (a answers in its ACK), or, when b answered in a reliable 1xx (`b1xx`) and a does 100rel, in
   * the reliable 1xx relaying it (a answers in its PRACK; our 2xx then carries no SDP). RFC 3262 §5:
   * "if a reliable provisional response is the first reliable message sent back to the UAC, and the
   * INVITE did not contain an offer, one MUST appear in that reliable provisional response": leg b's
   * codec is known here, so the 1xx carries the offer rather than going without reliability (or,
   * to a caller that requires 100rel, not at all: session-uas.ts).
   */
  private offerCodecToA(codec: Codec, like: AudioView, b1xx: SipResponse | null = null): void {
    const call = this.call;
    const a = call.a;
    const teA = freePayloadType(a.policy.telephoneEventPt, [codec.pt]);
    const offer = a.writeOffer(this.port(a), [codec], teA, "sendrecv", like);
    a.awaitingAnswer = (answerA) => {
      const got = answerA === null ? null : firstMatch(answerA.codecs, [codec]);
      if (answerA === null || got === null) return void call.end("leg a answered without the codec of leg b");
      a.settle(got, teA, answerA);
      this.setRemote("a", answerA);
      call.refreshDtmf();
    };
    const reliable =
      b1xx !== null && b1xx.status < 200 && a.pending && a.session?.uas?.reliableAllowed === true;
    if (reliable && a.session?.progress(b1xx.status, { sdp: offer, reliable: true }) === true) {
      this.handled1xx = b1xx;
      return call.answerA(null);
    }
    call.answerA(offer);
  }

  /** The codecs of leg b's offer both policies allow and (when a offered) leg a offered too. */
  private usableFromB(bOffer: AudioView | null): Codec[] {
    if (bOffer === null) return [];
    const usable = allowedByPolicies(bOffer.codecs, this.call.b.policy.codecs, this.call.a.policy.codecs);
    const aOffer = this.aOffer;
    return aOffer === null ? usable : usable.filter((c) => findSameFormat(aOffer.codecs, c) !== null);
  }

  /** Answers leg a's offer and leg b's with the first common codec (both legs offered). */
  private answerBoth(aOffer: AudioView, bOffer: AudioView, common: readonly Codec[]) {
    const { a, b } = this.call;
    const bCodec = common[0]!;
    const aCodec = findSameFormat(aOffer.codecs, bCodec) ?? bCodec;
    const answerA = a.writeAnswer(this.port(a), aOffer, aCodec, bOffer.direction);
    a.settle(aCodec, aOffer.telephoneEvent?.pt ?? null, aOffer);
    const answerB = b.writeAnswer(this.port(b), bOffer, bCodec, aOffer.direction);
    b.settle(bCodec, bOffer.telephoneEvent?.pt ?? null, bOffer);
    return { answerA, answerB };
  }

  /**
   * Both legs delayed: leg b's offer (filtered, our port, a's telephone-event PT) is offered to
   * leg a; a's answer, rewritten for b, answers b's offer.
   */
  private reofferToA(offer: IncomingOffer, bOffer: AudioView, common: readonly Codec[]): string {
    const call = this.call;
    const a = call.a;
    const teA = freePayloadType(
      a.policy.telephoneEventPt,
      common.map((c) => c.pt),
    );
    const offerA = a.writeOffer(this.port(a), common, teA, relayedDirection(bOffer), bOffer);
    a.awaitingAnswer = (answerA, carrier) => {
      const aCodec = answerA === null ? null : firstMatch(answerA.codecs, common);
      if (answerA === null || aCodec === null) {
        offer.reject();
        const why = "leg a answered none of the codecs of leg b";
        // answered in a PRACK, a still waits for its final response; answered in an ACK, it has it
        return a.pending ? call.refuse(488, why, true) : void call.end(why);
      }
      const bCodec = findSameFormat(bOffer.codecs, aCodec) ?? aCodec;
      a.settle(aCodec, teA, answerA);
      this.setRemote("a", answerA);
      const answerB = call.b.writeAnswer(this.port(call.b), bOffer, bCodec, answerA.direction);
      call.b.settle(bCodec, bOffer.telephoneEvent?.pt ?? null, bOffer);
      // in our PRACK / ACK to b: a's PRACK / ACK's Max-Forwards minus one (max-forwards.ts)
      offer.accept(answerB, { maxForwards: answerMaxForwards(carrier) });
      call.refreshDtmf();
    };
    return offerA;
  }

  /** Leg b offered in its 2xx (our INVITE had no SDP). */
  private initialOfferFromB(offer: IncomingOffer): void {
    const call = this.call;
    const bOffer = viewOf(offer.sdp);
    const common = this.usableFromB(bOffer);
    if (bOffer === null || common.length === 0) {
      offer.reject();
      return call.refuse(488, "no common codec with the offer of leg b", true);
    }
    this.setRemote("b", bOffer);
    const aOffer = this.aOffer;
    if (aOffer !== null) {
      const { answerA, answerB } = this.answerBoth(aOffer, bOffer, common);
      call.answerA(answerA);
      offer.accept(answerB);
      return call.refreshDtmf();
    }
    // both delayed: leg b's offer (filtered) goes to leg a in our 2xx; a's answer in its ACK answers b
    const offerA = this.reofferToA(offer, bOffer, common);
    call.a.session?.accept({ sdp: offerA, headers: call.advertise("a") });
  }

  /**
   * Leg b offered in a reliable 1xx (our INVITE had no SDP; RFC 3262 §5: "If the UAC receives a
   * reliable provisional response with an offer ... it MUST generate an answer in the PRACK").
   * What leg a gets depends on where its offer/answer stands:
   *
   * - a offered in its INVITE: both offers are answered now; a's answer goes in a 1xx sent
   *   reliably when a supports 100rel (RFC 3262 §5: "If the INVITE contained an offer, the UAS MAY
   *   generate an answer in a reliable provisional response"), else unreliably as a preview that
   *   the 2xx repeats (RFC 3261 §13.2.1: the answer "MUST be in a reliable non-failure message ...
   *   That same exact answer MAY also be placed in any provisional responses sent prior to the
   *   answer").
   * - a sent no offer and supports 100rel: b's offer, rewritten, goes to a in a reliable 1xx (RFC
   *   3262 §5: "if a reliable provisional response is the first reliable message sent back to the
   *   UAC, and the INVITE did not contain an offer, one MUST appear in that reliable provisional
   *   response"); a's answer in its PRACK, rewritten, is our answer in the PRACK to b.
   * - a sent no offer and does not support 100rel: an offer must not go in an unreliable 1xx
   *   (RFC 3261 §13.2.1: "The initial offer MUST be in either an INVITE or, if not there, in the
   *   first reliable non-failure message from the UAS back to the UAC"), and b will not send its
   *   2xx before our PRACK (RFC 3262 §3). So b is answered now from the policies, the 1xx reaches
   *   a without SDP, and b's codec alone is offered to a in our 2xx (answer in a's ACK), as when
   *   leg b answers an early offer.
   */
  private reliableOfferFromB(offer: IncomingOffer): void {
    const call = this.call;
    const a = call.a;
    const status = offer.response?.status ?? 183;
    const bOffer = viewOf(offer.sdp);
    const common = this.usableFromB(bOffer);
    if (bOffer === null || common.length === 0) {
      offer.reject(); // PRACK without an answer, then CANCEL (session-uac.ts)
      return call.refuse(488, "no common codec with the early offer of leg b", true);
    }
    this.handled1xx = offer.response;
    this.setRemote("b", bOffer);
    const aOffer = this.aOffer;
    const aReliable = a.session?.uas?.reliableAllowed === true;
    if (aOffer !== null) {
      const { answerA, answerB } = this.answerBoth(aOffer, bOffer, common);
      offer.accept(answerB);
      a.session?.progress(status, { sdp: answerA, reliable: true });
      call.answerA(aReliable ? null : answerA);
      return call.refreshDtmf();
    }
    if (aReliable) {
      const offerA = this.reofferToA(offer, bOffer, common);
      call.answerA(null);
      return void a.session?.progress(status, { sdp: offerA, reliable: true });
    }
    const bCodec = common[0]!;
    const answerB = call.b.writeAnswer(this.port(call.b), bOffer, bCodec, "sendrecv");
    call.b.settle(bCodec, bOffer.telephoneEvent?.pt ?? null, bOffer);
    offer.accept(answerB);
    a.session?.progress(status);
    this.offerCodecToA(bCodec, bOffer);
    call.refreshDtmf();
  }

  /** A 1xx on leg b: relayed to leg a; with SDP (early media) as a preview of a's answer. */
  provisionalFromB(r: SipResponse): void {
    const call = this.call;
    if (!call.a.pending || r.status <= 100 || r.status >= 200) return;
    if (r === this.handled1xx) return;
    const early = viewOf(sdpOf(r));
    const aOffer = this.aOffer;
    const codec =
      early === null || call.b.codec !== null ? null : firstMatch(early.codecs, aOffer?.codecs ?? []);
    if (early !== null && aOffer !== null && codec !== null) {
      this.setRemote("b", early);
      const preview = call.a.writeAnswer(
        this.port(call.a),
        aOffer,
        findSameFormat(aOffer.codecs, codec) ?? codec,
        early.direction,
      );
      return void call.a.session?.progress(r.status, { sdp: preview });
    }
    call.a.session?.progress(r.status);
  }

  // ---- where each offer goes ---------------------------------------------------------------

  incoming(leg: LegId, offer: IncomingOffer): void {
    const l = this.call.legs[leg];
    switch (offer.site) {
      case "2xx": {
        const relayed = l.offerIn2xx;
        l.offerIn2xx = null;
        if (relayed !== null) return relayed(offer);
        if (leg === "b" && l.codec === null) return this.initialOfferFromB(offer);
        return offer.reject();
      }
      case "reliable-1xx":
        if (leg === "b") return this.reliableOfferFromB(offer);
        return offer.reject();
      case "reinvite-empty":
        return this.relays.relayEmpty(leg, offer);
      case "reinvite":
      case "update":
        return this.relays.relay(leg, offer);
    }
  }
}
