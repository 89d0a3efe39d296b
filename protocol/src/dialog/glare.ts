/**
 * Glare: both sides of a dialog starting an offer at once.
 *
 * RFC 3261 §14.2: "A UAS that receives a second INVITE before it sends the final response to a
 * first INVITE with a lower CSeq sequence number on the same dialog MUST return a 500 (Server
 * Internal Error) response to the second INVITE and MUST include a Retry-After header field with
 * a randomly chosen value of between 0 and 10 seconds. A UAS that receives an INVITE on a dialog
 * while an INVITE it had sent on that dialog is in progress MUST return a 491 (Request Pending)
 * response to the received INVITE."
 * RFC 3311 §5.2: "If an UPDATE is received that contains an offer, and the UAS has generated an
 * offer (in an UPDATE, PRACK or INVITE) to which it has not yet received an answer, the UAS MUST
 * reject the UPDATE with a 491 response. Similarly, if an UPDATE is received that contains an
 * offer, and the UAS has received an offer (in an UPDATE, PRACK, or INVITE) to which it has not
 * yet generated an answer, the UAS MUST reject the UPDATE with a 500 response, and MUST include a
 * Retry-After header field with a randomly chosen value between 0 and 10 seconds."
 * RFC 3261 §14.1: "If the UAC receives a 491 response to a re-INVITE, it SHOULD start a timer
 * with a value T chosen as follows: 1. If the UAC is the owner of the Call-ID of the dialog ID
 * (meaning it generated the value), T has a randomly chosen value between 2.1 and 4 seconds in
 * units of 10 ms. 2. If the UAC is not the owner of the Call-ID of the dialog ID, T has a randomly
 * chosen value of between 0 and 2 seconds in units of 10 ms." (RFC 3311 §5.1 applies the same to
 * UPDATE.)
 */
import type { OfferAnswerState } from "./offer-answer.ts";

export interface GlareInputs {
  /** the incoming request: a re-INVITE, or an UPDATE */
  readonly method: "INVITE" | "UPDATE";
  /** whether it carries an offer (a re-INVITE always starts an exchange, with or without SDP) */
  readonly hasOffer: boolean;
  /** an INVITE we sent on this dialog has no final response yet */
  readonly ourInvitePending: boolean;
  /** an INVITE we received on this dialog has no final response yet */
  readonly theirInvitePending: boolean;
  readonly offerAnswer: OfferAnswerState;
}

export type GlareVerdict =
  { readonly status: 491 } | { readonly status: 500; readonly retryAfterS: number } | null;

/** RFC 3261 §14.2 / RFC 3311 §5.2: 491, 500 with Retry-After, or null (no conflict). */
export function glareVerdict(x: GlareInputs, random: () => number = Math.random): GlareVerdict {
  const startsExchange = x.method === "INVITE" || x.hasOffer;
  if (x.method === "INVITE" && x.ourInvitePending) return { status: 491 };
  if (x.method === "INVITE" && x.theirInvitePending) return { status: 500, retryAfterS: retryAfterS(random) };
  if (!startsExchange) return null;
  if (x.offerAnswer === "offer-sent") return { status: 491 };
  if (x.offerAnswer === "offer-received") return { status: 500, retryAfterS: retryAfterS(random) };
  return null;
}

/** "a randomly chosen value of between 0 and 10 seconds" (whole seconds: Retry-After is delta-seconds). */
export function retryAfterS(random: () => number = Math.random): number {
  return Math.min(10, Math.floor(random() * 11));
}

/** RFC 3261 §14.1 retry delay in ms, in 10 ms units. */
export function glareRetryDelayMs(callIdOwner: boolean, random: () => number = Math.random): number {
  const [lo, hi] = callIdOwner ? [2100, 4000] : [0, 2000];
  const steps = (hi - lo) / 10;
  return lo + 10 * Math.min(steps, Math.floor(random() * (steps + 1)));
}
