/**
 * Offer/answer across the two legs of a call (RFC 3264), for the initial INVITE in its four
 * shapes and for offers in mid-call re-INVITE / UPDATE:
 *
 *   a offers, b early offer:   a's codecs ∩ policies -> b; b's answer codec -> a's answer
 *   a offers, b delayed offer: b offers in its 2xx; first of b's codecs also in a's offer
 *   a delayed, b early offer:  policies -> b; b's codec alone offered to a in our 2xx
 *   a delayed, b delayed:      b's 2xx offer (filtered) -> our 2xx to a; a's ACK answer -> b's ACK
 *
 * A codec leg b answers that leg a lacks ends the call: the B2BUA never relays between codecs
 * (DOMAIN.md §7). An offer from one leg mid-call is re-offered on the other; its answer answers
 * the first (RFC 3261 §14.1: a refused re-INVITE leaves the session as it was).
 */
import type { MediaDirection, SdpMedia } from "../wire/sdp/index.ts";
import type { SipResponse } from "../wire/sip/index.ts";
import { answerDirection, sdpOf } from "../dialog/index.ts";
import type { IncomingOffer } from "../dialog/index.ts";
import type { LegId } from "../media/index.ts";
import type { B2buaCall } from "./call.ts";
import type { CallLeg, HeldOffer } from "./call-leg.ts";
import { allowedByPolicies, codecsOfPolicy, findSameFormat, freePayloadType } from "./codec-policy.ts";
import type { Codec } from "./codec-policy.ts";
import { DEFAULT_TE_EVENTS } from "./leg-sdp.ts";
import type { TelephoneEventSpec } from "./leg-sdp.ts";
import { answeredTelephoneEvent, relayedDirection, viewOf } from "./sdp-view.ts";
import type { AudioView } from "./sdp-view.ts";

const DEFAULT_PTIME_MS = 20;

export class CallOffers {
  /** leg a's initial offer (null: delayed offer) */
  private aOffer: AudioView | null = null;

  constructor(private readonly call: B2buaCall) {}

  private get media() {
    return this.call.media;
  }

  /** What leg b may be offered for leg a's initial INVITE; empty: 488. */
  initialCandidates(offer: AudioView | null): Codec[] {
    this.aOffer = offer;
    const pa = this.call.a.policy.codecs;
    const pb = this.call.b.policy.codecs;
    return allowedByPolicies(offer === null ? codecsOfPolicy(pb) : offer.codecs, pb, pa);
  }

  setRemote(leg: LegId, v: AudioView): void {
    if (v.rtp !== null) this.media?.setRemote(leg, v.rtp.address, v.rtp.port);
  }

  // ---- initial INVITE ----------------------------------------------------------------------

  /** Our offer on leg b (early offer); its answer settles both legs. */
  offerB(aOffer: AudioView | null, candidates: readonly Codec[]): string {
    const b = this.call.b;
    const te = freePayloadType(
      b.policy.telephoneEventPt,
      candidates.map((c) => c.pt),
    );
    const sdp = this.write(
      b,
      candidates,
      te,
      aOffer === null ? "sendrecv" : relayedDirection(aOffer),
      aOffer,
    );
    b.awaitingAnswer = (answer) => this.initialAnswerFromB(candidates, te, answer);
    return sdp;
  }

  private initialAnswerFromB(offered: readonly Codec[], teB: number | null, ans: AudioView | null): void {
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
      const answer = this.answer(call.a, aOffer, aCodec, ans.direction);
      call.a.settle(aCodec, aOffer.telephoneEvent?.pt ?? null, aOffer);
      call.answerA(answer);
    } else {
      const teA = freePayloadType(call.a.policy.telephoneEventPt, [codec.pt]);
      const offer = this.write(call.a, [codec], teA, "sendrecv", ans);
      call.a.awaitingAnswer = (answerA) => {
        const got = answerA === null ? null : firstMatch(answerA.codecs, [codec]);
        if (answerA === null || got === null)
          return void call.end("leg a answered without the codec of leg b");
        call.a.settle(got, teA, answerA);
        this.setRemote("a", answerA);
        call.refreshDtmf();
      };
      call.answerA(offer);
    }
    call.refreshDtmf();
  }

  /** Leg b offered in its 2xx (our INVITE had no SDP). */
  private initialOfferFromB(offer: IncomingOffer): void {
    const call = this.call;
    const bOffer = viewOf(offer.sdp);
    const pa = call.a.policy.codecs;
    const pb = call.b.policy.codecs;
    const aOffer = this.aOffer;
    const usable = bOffer === null ? [] : allowedByPolicies(bOffer.codecs, pb, pa);
    const common = aOffer === null ? usable : usable.filter((c) => findSameFormat(aOffer.codecs, c) !== null);
    if (bOffer === null || common.length === 0) {
      offer.reject();
      return call.refuse(488, "no common codec with the offer of leg b", true);
    }
    this.setRemote("b", bOffer);
    if (aOffer !== null) {
      const bCodec = common[0]!;
      const aCodec = findSameFormat(aOffer.codecs, bCodec) ?? bCodec;
      const answerA = this.answer(call.a, aOffer, aCodec, bOffer.direction);
      call.a.settle(aCodec, aOffer.telephoneEvent?.pt ?? null, aOffer);
      const answerB = this.answer(call.b, bOffer, bCodec, aOffer.direction);
      call.b.settle(bCodec, bOffer.telephoneEvent?.pt ?? null, bOffer);
      call.answerA(answerA);
      offer.accept(answerB);
      return call.refreshDtmf();
    }
    // both delayed: leg b's offer (filtered) goes to leg a in our 2xx; a's answer in its ACK answers b
    const teA = freePayloadType(
      call.a.policy.telephoneEventPt,
      common.map((c) => c.pt),
    );
    const offerA = this.write(call.a, common, teA, relayedDirection(bOffer), bOffer);
    call.a.awaitingAnswer = (answerA) => {
      const aCodec = answerA === null ? null : firstMatch(answerA.codecs, common);
      if (answerA === null || aCodec === null) {
        offer.reject();
        return void call.end("leg a answered none of the codecs of leg b");
      }
      const bCodec = findSameFormat(bOffer.codecs, aCodec) ?? aCodec;
      call.a.settle(aCodec, teA, answerA);
      this.setRemote("a", answerA);
      const answerB = this.answer(call.b, bOffer, bCodec, answerA.direction);
      call.b.settle(bCodec, bOffer.telephoneEvent?.pt ?? null, bOffer);
      offer.accept(answerB);
      call.refreshDtmf();
    };
    call.a.session?.accept({ sdp: offerA, headers: call.advertise("a") });
  }

  /** A 1xx on leg b: relayed to leg a; with SDP (early media) as a preview of a's answer. */
  provisionalFromB(r: SipResponse): void {
    const call = this.call;
    if (!call.a.pending || r.status <= 100 || r.status >= 200) return;
    const early = viewOf(sdpOf(r));
    const aOffer = this.aOffer;
    const codec =
      early === null || call.b.codec !== null ? null : firstMatch(early.codecs, aOffer?.codecs ?? []);
    if (early !== null && aOffer !== null && codec !== null) {
      this.setRemote("b", early);
      const preview = this.answer(
        call.a,
        aOffer,
        findSameFormat(aOffer.codecs, codec) ?? codec,
        early.direction,
      );
      return call.a.session?.progress(r.status, { sdp: preview });
    }
    call.a.session?.progress(r.status);
  }

  // ---- offers during the call ---------------------------------------------------------------

  incoming(leg: LegId, offer: IncomingOffer): void {
    switch (offer.site) {
      case "2xx":
        if (leg === "b") return this.initialOfferFromB(offer);
        return offer.reject();
      case "reliable-1xx":
        return offer.reject();
      case "reinvite-empty":
        return this.reofferLocally(this.call.legs[leg], offer);
      case "reinvite":
      case "update":
        return this.relay(leg, offer);
    }
  }

  /** re-INVITE without SDP: we offer our current stream again; the answer comes in the ACK. */
  private reofferLocally(x: CallLeg, offer: IncomingOffer): void {
    const codec = x.codec;
    if (codec === null) return offer.reject(491);
    const sdp = this.write(x, [codec], x.ourTe, x.direction, x.remote);
    x.awaitingAnswer = (ans) => {
      const got = ans === null ? null : firstMatch(ans.codecs, [codec]);
      if (ans === null || got === null) return void this.call.end(`leg ${x.id} dropped the codec`);
      x.settle(got, x.ourTe, ans);
      this.setRemote(x.id, ans);
      this.call.refreshDtmf();
    };
    offer.accept(sdp);
  }

  private relay(leg: LegId, offer: IncomingOffer): void {
    const call = this.call;
    const x = call.legs[leg];
    const y = call.legs[leg === "a" ? "b" : "a"];
    const view = viewOf(offer.sdp);
    if (view === null) return offer.reject(488);
    // RFC 3264 §8: an unchanged version is an unchanged session (a session-timer refresh)
    if (view.originKey !== null && view.originKey === x.remote?.originKey && x.sdp.last !== null)
      return offer.accept(x.sdp.last);
    if (y.session === null || y.session.state !== "confirmed" || y.relaying !== null)
      return offer.reject(491);
    const candidates = allowedByPolicies(view.codecs, y.policy.codecs, x.policy.codecs);
    if (candidates.length === 0) return offer.reject(488);
    const teY = freePayloadType(
      y.ourTe ?? y.policy.telephoneEventPt,
      candidates.map((c) => c.pt),
    );
    const yOffer = this.write(y, candidates, teY, relayedDirection(view), view);
    const held: HeldOffer = {
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
    y.relaying = held;
    y.awaitingAnswer = (ans) => {
      y.relaying = null;
      const yCodec = ans === null ? null : firstMatch(ans.codecs, candidates);
      if (ans === null || yCodec === null) return held.reject(488);
      const xCodec = findSameFormat(view.codecs, yCodec) ?? yCodec;
      y.settle(yCodec, teY, ans);
      this.setRemote(y.id, ans);
      const answer = this.answer(x, view, xCodec, ans.direction);
      x.settle(xCodec, view.telephoneEvent?.pt ?? null, view);
      this.setRemote(x.id, view);
      held.accept(answer);
      call.refreshDtmf();
    };
    const ok =
      offer.site === "update" ? y.session.update({ sdp: yOffer }) : y.session.reinvite({ sdp: yOffer });
    if (!ok) {
      y.relaying = null;
      y.awaitingAnswer = null;
      held.reject(491);
    }
  }

  // ---- writing -----------------------------------------------------------------------------

  /** Our offer on `leg`. */
  private write(
    leg: CallLeg,
    codecs: readonly Codec[],
    tePt: number | null,
    direction: MediaDirection,
    like: AudioView | null,
  ): string {
    leg.direction = direction;
    return leg.sdp.write({
      port: this.media?.localPort(leg.id) ?? 0,
      codecs,
      telephoneEvent: tePt === null ? null : ({ pt: tePt, events: DEFAULT_TE_EVENTS } as TelephoneEventSpec),
      direction,
      ptimeMs: like?.audio.ptimeMs ?? DEFAULT_PTIME_MS,
    });
  }

  /** Our answer on `leg` to `offer`, with `codec` (the offer's PT) and the other leg's direction. */
  private answer(leg: CallLeg, offer: AudioView, codec: Codec, otherDirection: MediaDirection): string {
    const direction = answerDirection(offer.direction, otherDirection);
    leg.direction = direction;
    return leg.sdp.write(
      {
        port: this.media?.localPort(leg.id) ?? 0,
        codecs: [codec],
        telephoneEvent: answeredTelephoneEvent(offer),
        direction,
        ptimeMs: offer.audio.ptimeMs,
      },
      offer.sd.media as SdpMedia[],
      offer.index,
    );
  }
}

/** The first codec of `list` (in its order) that `allowed` has, as `allowed` writes it. */
function firstMatch(list: readonly Codec[], allowed: readonly Codec[]): Codec | null {
  for (const c of list) {
    const hit = findSameFormat(allowed, c);
    if (hit !== null) return hit;
  }
  return null;
}
