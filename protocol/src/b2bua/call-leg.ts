/**
 * One leg of a B2BUA call: its InviteSession, the SDP we send on it, what it negotiated (codec,
 * telephone-event PTs both ways) and what its peer advertised, and the DTMF-in-SIP signalling.
 */
import type { MediaDirection, SdpMedia } from "../wire/sdp/index.ts";
import type { SipRequest, SipResponse } from "../wire/sip/index.ts";
import { answerDirection } from "../dialog/index.ts";
import type { IncomingOffer, InviteSession } from "../dialog/index.ts";
import type { EgressMethod, LegDtmfUpdate, LegId } from "../media/index.ts";
import type { LegPolicy } from "./b2bua-policy.ts";
import type { Codec } from "./codec-policy.ts";
import { egressMethod, NO_FACTS } from "./dtmf-method.ts";
import type { LegDtmfFacts } from "./dtmf-method.ts";
import { DEFAULT_TE_EVENTS, LegSdp } from "./leg-sdp.ts";
import type { LegSignalling } from "./leg-signalling.ts";
import { answeredTelephoneEvent } from "./sdp-view.ts";
import type { AudioView } from "./sdp-view.ts";

/** RFC 3389 comfort noise may accompany G.711 on any leg */
const COMFORT_NOISE_PT = 13;
const DEFAULT_PTIME_MS = 20;

/** An offer received on this leg waiting for the other leg's answer. */
export interface HeldOffer {
  settled: boolean;
  accept(sdp: string): void;
  reject(status: number): void;
}

export class CallLeg {
  session: InviteSession | null = null;
  signalling: LegSignalling | null = null;
  readonly sdp: LegSdp;
  facts: LegDtmfFacts = NO_FACTS;
  /** the codec the leg settled, with this leg's PT */
  codec: Codec | null = null;
  /** telephone-event PT in our last description on the leg (what we receive events on) */
  ourTe: number | null = null;
  /** telephone-event PT in the peer's last description (what we send events with) */
  peerTe: number | null = null;
  /** the peer's last description */
  remote: AudioView | null = null;
  /** called with the peer's answer to the offer we made on this leg, and the message that carried it */
  awaitingAnswer: ((answer: AudioView | null, carrier: SipRequest | SipResponse) => void) | null = null;
  /** the direction of our last description on the leg */
  direction: MediaDirection = "sendrecv";
  /** an offer from the other leg we relayed here, answered when this leg answers */
  relaying: HeldOffer | null = null;
  /** takes the offer in the 2xx to the re-INVITE without SDP we relayed onto this leg */
  offerIn2xx: ((offer: IncomingOffer) => void) | null = null;
  /** this leg's offer (in that 2xx) waiting for the other leg's answer, which goes in our ACK */
  pending2xxOffer: IncomingOffer | null = null;

  constructor(
    readonly id: LegId,
    readonly policy: LegPolicy,
    rtpAddress: string,
    sessionId: string,
  ) {
    this.sdp = new LegSdp(rtpAddress, sessionId);
  }

  /**
   * Ends the leg: BYE, CANCEL (pending UAC) or 480 (pending UAS). InviteSession.bye() is
   * idempotent (one CANCEL however often a pending UAC is ended); a 2xx crossing that CANCEL is
   * ACKed and BYEd by the dialog layer (RFC 3261 §15). Our kpml subscription on the leg ends first
   * (SUBSCRIBE Expires: 0, sent just before the BYE: kpml-subscriber.ts).
   */
  hangup(maxForwards?: number): void {
    const s = this.session;
    if (s === null || s.state === "terminated") return;
    this.signalling?.end();
    // RFC 3261 §13.2.2.4: a 2xx is ACKed even when its offer is not wanted (ACK, then BYE)
    const held = this.pending2xxOffer;
    this.pending2xxOffer = null;
    if (held !== null) return held.reject(); // ACK, then BYE (target-refresh.ts)
    s.bye(maxForwards === undefined ? {} : { maxForwards });
  }

  get alive(): boolean {
    return this.session !== null && this.session.state !== "terminated";
  }

  /** The initial INVITE on this leg has no final response yet. */
  get pending(): boolean {
    const st = this.session?.state;
    return st === "calling" || st === "incoming" || st === "early";
  }

  /** Records a completed offer/answer exchange on the leg. */
  settle(codec: Codec, ourTe: number | null, peer: AudioView): void {
    this.codec = codec;
    this.ourTe = ourTe;
    this.remote = peer;
    this.peerTe = peer.telephoneEvent?.pt ?? null;
    this.facts = { ...this.facts, telephoneEvent: this.ourTe !== null && this.peerTe !== null };
  }

  /** Our offer on the leg: media on our `port`, `codecs` then telephone-event `tePt`. */
  writeOffer(
    port: number,
    codecs: readonly Codec[],
    tePt: number | null,
    direction: MediaDirection,
    like: AudioView | null,
  ): string {
    this.direction = direction;
    return this.sdp.write({
      port,
      codecs,
      telephoneEvent: tePt === null ? null : { pt: tePt, events: DEFAULT_TE_EVENTS },
      direction,
      ptimeMs: like?.audio.ptimeMs ?? DEFAULT_PTIME_MS,
    });
  }

  /** Our answer on the leg to `offer`, with `codec` (the offer's PT) and the other leg's direction. */
  writeAnswer(port: number, offer: AudioView, codec: Codec, otherDirection: MediaDirection): string {
    const direction = answerDirection(offer.direction, otherDirection);
    this.direction = direction;
    return this.sdp.write(
      {
        port,
        codecs: [codec],
        telephoneEvent: answeredTelephoneEvent(offer),
        direction,
        ptimeMs: offer.audio.ptimeMs,
      },
      offer.sd.media as SdpMedia[],
      offer.index,
    );
  }

  egress(): EgressMethod {
    return egressMethod(this.policy.dtmf, {
      ...this.facts,
      peerSubscribedKpml: this.signalling?.peerSubscribed ?? false,
    });
  }

  /** The relay's view of this leg (DOMAIN.md §6.4: each side sends with the PT the receiver declared). */
  dtmfPatch(): LegDtmfUpdate {
    const te = this.facts.telephoneEvent;
    const ingress = [this.ourTe, this.peerTe].filter(
      (pt): pt is number => pt !== null && pt !== this.codec?.pt && pt !== COMFORT_NOISE_PT,
    );
    return {
      egressMethod: this.egress(),
      telephoneEventPt: te ? this.peerTe : null,
      ingressTelephoneEventPts: [...new Set(ingress)],
      ...(this.codec === null ? {} : { ingressAudioPts: [this.codec.pt, COMFORT_NOISE_PT] }),
    };
  }
}
