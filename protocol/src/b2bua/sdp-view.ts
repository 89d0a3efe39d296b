/**
 * The parts of a peer's session description the B2BUA acts on: the first audio stream, its codecs,
 * telephone-event, direction (hold) and RTP address. Pure; never throws on bad SDP (null).
 */
import type { MediaDirection, SdpMedia, SessionDescription, TelephoneEventInfo } from "../wire/sdp/index.ts";
import { parseSdp } from "../wire/sdp/index.ts";
import { holdOfMedia } from "../dialog/index.ts";
import type { HoldMethod } from "../dialog/index.ts";
import { audioCodecs } from "./codec-policy.ts";
import type { Codec } from "./codec-policy.ts";
import { DEFAULT_TE_EVENTS } from "./leg-sdp.ts";
import type { TelephoneEventSpec } from "./leg-sdp.ts";

export interface AudioView {
  readonly sd: SessionDescription;
  readonly audio: SdpMedia;
  /** index of `audio` among the m-lines (an answer keeps the offer's m-line positions) */
  readonly index: number;
  readonly codecs: readonly Codec[];
  readonly telephoneEvent: TelephoneEventInfo | null;
  readonly direction: MediaDirection;
  readonly hold: HoldMethod | null;
  /** where the peer receives RTP; null when on hold with c=0.0.0.0 or the stream is rejected (port 0) */
  readonly rtp: { readonly address: string; readonly port: number } | null;
  /** o= session id and version: an unchanged pair means an unchanged description (RFC 3264 §8) */
  readonly originKey: string | null;
}

export function viewOf(text: string | null): AudioView | null {
  if (text === null) return null;
  const parsed = parseSdp(text);
  if (!parsed.ok) return null;
  const sd = parsed.sdp;
  const index = sd.media.findIndex((m) => m.type.toLowerCase() === "audio" && m.port !== 0);
  const audio = index < 0 ? undefined : sd.media[index];
  if (audio === undefined) return null;
  const hold = holdOfMedia(audio);
  const c = audio.connection;
  const held = c === "0.0.0.0" || c === "::";
  return {
    sd,
    audio,
    index,
    codecs: audioCodecs(audio),
    telephoneEvent: audio.telephoneEvent,
    direction: audio.direction,
    hold: hold.method,
    rtp: c === null || held || audio.port === 0 ? null : { address: c, port: audio.port },
    originKey: sd.origin === null ? null : `${sd.origin.sessionId} ${sd.origin.version}`,
  };
}

/**
 * The direction to offer on the other leg for an offer received with `v`'s direction. RFC 3264
 * §8.4: legacy hold (c=0.0.0.0) "is no longer recommended"; it is relayed as `a=sendonly`.
 */
export function relayedDirection(v: AudioView): MediaDirection {
  return v.hold === "connection-0.0.0.0" && v.direction === "sendrecv" ? "sendonly" : v.direction;
}

/** Our telephone-event in an answer: the offer's PT and events (RFC 3264 §6.1: "SHOULD use the same" PT). */
export function answeredTelephoneEvent(v: AudioView): TelephoneEventSpec | null {
  const te = v.telephoneEvent;
  return te === null ? null : { pt: te.pt, events: te.fmtp ?? DEFAULT_TE_EVENTS };
}
