import type { RtpMap, SdpMedia, SessionDescription } from "./types.ts";

/** What an answer's audio m-line settled, seen against the offer (RFC 3264 §6.1). */
export interface NegotiatedAudio {
  /**
   * The codec both sides will use: the first format of the answer that is not telephone-event or
   * CN and that the offer also lists (same encoding name, clock rate and channels), as the answer
   * wrote it. Null when rejected or when nothing matches.
   */
  readonly codec: RtpMap | null;
  /** answer formats (with an rtpmap, explicit or static) that the offer does not list: an RFC 3264 violation */
  readonly answerNotInOffer: readonly RtpMap[];
  /** answer PTs without any rtpmap (dynamic PT, no a=rtpmap): their meaning is unknown */
  readonly answerUnmapped: readonly number[];
  /** telephone-event on both sides; the PTs may differ (legal but fragile, DOMAIN §6.4) */
  readonly telephoneEvent: {
    readonly offerPt: number;
    readonly answerPt: number;
    /** the offer's and the answer's telephone-event clock rates differ */
    readonly clockRateMismatch: boolean;
    /** the answer's telephone-event clock rate differs from the negotiated codec's (RFC 4733 §2.4) */
    readonly codecRateMismatch: boolean;
  } | null;
  /** RFC 3264 §6: "An offered stream MAY be rejected in the answer ... by setting the port to zero" */
  readonly rejected: boolean;
}

const TELEPHONE_EVENT = "telephone-event";
/** RFC 3389 comfort noise: not a codec choice on its own */
const COMFORT_NOISE = "cn";

/**
 * RFC 3264 §6.1: "For streams that are not rejected, the answer MUST contain at least one media
 * format from those listed in the offer" ... formats are the same when their rtpmaps agree in
 * encoding name, clock rate and parameters (the PT number may differ, §6.1 "SHOULD use the same").
 */
export function negotiatedAudio(offer: SdpMedia, answer: SdpMedia): NegotiatedAudio {
  const rejected = answer.port === 0;
  const mapped = new Set(answer.rtpmaps.map((r) => r.pt));
  const answerUnmapped = [...new Set(answer.payloads.filter((pt) => !mapped.has(pt)))];
  const answerNotInOffer = answer.rtpmaps.filter((a) => !offer.rtpmaps.some((o) => sameFormat(o, a)));
  if (rejected) {
    return { codec: null, answerNotInOffer, answerUnmapped, telephoneEvent: null, rejected };
  }
  const codec = answer.rtpmaps.find((a) => isCodec(a) && offer.rtpmaps.some((o) => sameFormat(o, a))) ?? null;
  return {
    codec,
    answerNotInOffer,
    answerUnmapped,
    telephoneEvent: telephoneEventPair(offer, answer, codec),
    rejected,
  };
}

/** The first m=audio of a session description, or null. */
export function firstAudio(sd: SessionDescription): SdpMedia | null {
  return sd.media.find((m) => m.type.toLowerCase() === "audio") ?? null;
}

/** Encoding names compare case-insensitively (RFC 4855 §3: media subtype names are case-insensitive). */
export function sameFormat(a: RtpMap, b: RtpMap): boolean {
  return (
    a.name.toLowerCase() === b.name.toLowerCase() &&
    a.clockRate === b.clockRate &&
    (a.channels ?? 1) === (b.channels ?? 1)
  );
}

function isCodec(r: RtpMap): boolean {
  const name = r.name.toLowerCase();
  return name !== TELEPHONE_EVENT && name !== COMFORT_NOISE;
}

function telephoneEventPair(
  offer: SdpMedia,
  answer: SdpMedia,
  codec: RtpMap | null,
): NegotiatedAudio["telephoneEvent"] {
  const offered = offer.rtpmaps.filter((r) => r.name.toLowerCase() === TELEPHONE_EVENT);
  const answered = answer.rtpmaps.filter((r) => r.name.toLowerCase() === TELEPHONE_EVENT);
  if (offered.length === 0 || answered.length === 0) return null;
  // Prefer a pair with the same clock rate (e.g. WebRTC offers telephone-event/48000 and /8000).
  let pair: [RtpMap, RtpMap] | null = null;
  for (const a of answered) {
    const o = offered.find((x) => x.clockRate === a.clockRate);
    if (o) {
      pair = [o, a];
      break;
    }
  }
  const [o, a] = pair ?? [offered[0]!, answered[0]!];
  return {
    offerPt: o.pt,
    answerPt: a.pt,
    clockRateMismatch: o.clockRate !== a.clockRate,
    codecRateMismatch: codec !== null && codec.clockRate !== a.clockRate,
  };
}
