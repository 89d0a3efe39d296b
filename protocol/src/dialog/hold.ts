/**
 * Hold as seen in a session description (RFC 3264 §8.4, RFC 2543 legacy).
 *
 * RFC 3264 §8.4: "If the stream to be placed on hold was previously a sendrecv media stream, it
 * is placed on hold by marking it sendonly. If the stream to be placed on hold was previously a
 * recvonly media stream, it is placed on hold by marking it inactive."
 * RFC 3264 §8.4: "RFC 2543 specified that placing a user on hold was accomplished by setting the
 * connection address to 0.0.0.0. Its usage for putting a call on hold is no longer recommended
 * ... an agent MUST be capable of receiving SDP with a connection address of 0.0.0.0".
 * RFC 3264 §6.1 (answer directions): "If a stream is offered as sendonly, the corresponding stream
 * MUST be marked as recvonly or inactive in the answer. If a media stream is listed as recvonly in
 * the offer, the answer MUST be marked as sendonly or inactive in the answer. If an offered media
 * stream is listed as sendrecv (or if there is no direction attribute at the media or session
 * level, in which case the stream is sendrecv by default), the corresponding stream in the answer
 * MAY be marked as sendonly, recvonly, sendrecv, or inactive. If an offered media stream is listed
 * as inactive, it MUST be marked as inactive in the answer."
 */
import type { MediaDirection, SdpMedia, SessionDescription } from "../wire/sdp/index.ts";
import { parseSdp } from "../wire/sdp/index.ts";

export type HoldMethod = "sendonly" | "inactive" | "connection-0.0.0.0";

export interface HoldState {
  /** the sender of this description holds its peer (no media towards the sender's side is wanted) */
  readonly onHold: boolean;
  readonly method: HoldMethod | null;
}

const ACTIVE: HoldState = Object.freeze({ onHold: false, method: null });

/** Hold as expressed by one audio stream (port 0 = removed stream, not hold). */
export function holdOfMedia(m: SdpMedia): HoldState {
  if (m.port === 0) return ACTIVE;
  if (m.connection === "0.0.0.0" || m.connection === "::")
    return { onHold: true, method: "connection-0.0.0.0" };
  if (m.direction === "sendonly") return { onHold: true, method: "sendonly" };
  if (m.direction === "inactive") return { onHold: true, method: "inactive" };
  return ACTIVE;
}

/** Hold of the first active audio stream of a description (SDP text or parsed). */
export function holdOf(sdp: string | SessionDescription): HoldState {
  const parsed: SessionDescription | null =
    typeof sdp === "string" ? ((r) => (r.ok ? r.sdp : null))(parseSdp(sdp)) : sdp;
  if (parsed === null) return ACTIVE;
  const audio = parsed.media.find((m) => m.type === "audio" && m.port !== 0);
  return audio === undefined ? ACTIVE : holdOfMedia(audio);
}

/** The direction an answer should carry for an offered direction, given what we would like. */
export function answerDirection(
  offered: MediaDirection,
  wanted: MediaDirection = "sendrecv",
): MediaDirection {
  switch (offered) {
    case "inactive":
      return "inactive";
    case "sendonly":
      return wanted === "sendrecv" || wanted === "recvonly" ? "recvonly" : "inactive";
    case "recvonly":
      return wanted === "sendrecv" || wanted === "sendonly" ? "sendonly" : "inactive";
    case "sendrecv":
      return wanted;
  }
}
