/**
 * How DTMF leaves towards a leg's peer, chosen from what the leg negotiated or advertised
 * (DOMAIN.md §4.4, §6.5), unless the config forces a method:
 *
 *   a=rtpmap:<pt> telephone-event on both sides  -> rfc2833 (RFC 4733)
 *   Allow-Events: kpml (or the peer SUBSCRIBEd)   -> kpml (RFC 4730; we NOTIFY as the notifier)
 *   Call-Info: <...>;method="NOTIFY;Event=telephone-event"  -> notify (Cisco unsolicited NOTIFY)
 *   Allow: ... INFO                                -> info (SIP INFO, application/dtmf-relay)
 *   nothing                                        -> none (digits are logged, not sent)
 *
 * A forced "rfc2833" on a leg without telephone-event stays "rfc2833": the relay then refuses to
 * send RFC 4733 there and notes why (DOMAIN.md §6.5: "never send NTE to a leg that did not
 * negotiate telephone-event").
 */
import type { SipMessage } from "../wire/sip/index.ts";
import { getHeaders } from "../wire/sip/index.ts";
import { parseCiscoCallInfoNotify } from "../wire/dtmf/index.ts";
import type { EgressMethod } from "../media/index.ts";
import type { DtmfMode } from "./b2bua-policy.ts";

/** What one leg's peer negotiated and advertised. */
export interface LegDtmfFacts {
  /** telephone-event declared by both sides of the leg */
  readonly telephoneEvent: boolean;
  /** the peer sent Allow-Events: kpml */
  readonly peerKpml: boolean;
  /** the peer SUBSCRIBEd to our kpml events */
  readonly peerSubscribedKpml: boolean;
  /** the peer sent Cisco's Call-Info NOTIFY capability */
  readonly peerCiscoNotify: boolean;
  /** the peer's Allow lists INFO */
  readonly peerAllowsInfo: boolean;
}

export const NO_FACTS: LegDtmfFacts = Object.freeze({
  telephoneEvent: false,
  peerKpml: false,
  peerSubscribedKpml: false,
  peerCiscoNotify: false,
  peerAllowsInfo: false,
});

export function egressMethod(mode: DtmfMode, f: LegDtmfFacts): EgressMethod {
  if (mode !== "auto") return mode;
  if (f.telephoneEvent) return "rfc2833";
  if (f.peerSubscribedKpml || f.peerKpml) return "kpml";
  if (f.peerCiscoNotify) return "notify";
  if (f.peerAllowsInfo) return "info";
  return "none";
}

/**
 * Whether we SUBSCRIBE to the peer's kpml events (to receive its digits): it advertised kpml, and
 * KPML is forced or (auto) the leg has no telephone-event — what CUCM does (DOMAIN.md §4.4).
 */
export function shouldSubscribeKpml(mode: DtmfMode, f: LegDtmfFacts): boolean {
  return f.peerKpml && (mode === "kpml" || (mode === "auto" && !f.telephoneEvent));
}

/** The advertisement part of the facts, from the peer's INVITE or 2xx. */
export function advertisedBy(
  m: SipMessage,
): Pick<LegDtmfFacts, "peerKpml" | "peerCiscoNotify" | "peerAllowsInfo"> {
  const events = getHeaders(m, "allow-events").map((e) => (e.split(";")[0] ?? "").trim().toLowerCase());
  const allow = getHeaders(m, "allow").map((a) => a.trim().toUpperCase());
  const callInfo = getHeaders(m, "call-info");
  return {
    peerKpml: events.includes("kpml"),
    peerCiscoNotify: callInfo.some((v) => parseCiscoCallInfoNotify(v) !== null),
    peerAllowsInfo: allow.includes("INFO"),
  };
}
