/**
 * Loop protection across the B2BUA: a request we originate because we received one (leg b's
 * INVITE, a relayed re-INVITE / UPDATE, the BYE that ends the other leg) carries the received
 * Max-Forwards minus one, so a call looping through us (next hop pointing back, two B2BUAs
 * pointing at each other) still runs out of hops instead of multiplying forever.
 *
 * RFC 3261 §16.3 step 2 (a proxy's Max-Forwards check, which a B2BUA relaying requests adopts):
 * "If the request does not contain a Max-Forwards header field, this check is passed. If the
 * request contains a Max-Forwards header field with a field value greater than zero, the check is
 * passed. If the request contains a Max-Forwards header field with a field value of zero (0), the
 * element MUST NOT forward the request. ... Otherwise, the element MUST return a 483 (Too many
 * hops) response."
 * RFC 3261 §16.6 step 3: "If the copy contains a Max-Forwards header field, the proxy MUST
 * decrement its value by one (1). If the copy does not contain a Max-Forwards header field, the
 * proxy MUST add one with a field value, which SHOULD be 70."
 * RFC 3261 §20.22: "The Max-Forwards value is an integer in the range 0-255".
 *
 * A BYE that arrived with Max-Forwards 0 still ends the other leg, with a BYE carrying our own
 * default: ending our own dialog is not forwarding (§16.3 is a proxy rule), and a BYE cannot loop
 * (each one ends a dialog). The same holds for the PRACK and the ACK that carry an answer relayed
 * from the other leg's PRACK / ACK: our dialog owes them whatever the hop count (RFC 3262 §4: the
 * UAC "MUST send a PRACK" for a reliable provisional response; RFC 3261 §13.2.2.4: "The UAC core
 * MUST generate an ACK request for each 2xx"), and an ACK is never answered (no 483 can be sent).
 * Relayed DTMF requests (INFO, NOTIFY) follow the re-INVITE rule: minus one, 483 at 0
 * (leg-signalling.ts, digit-hops.ts).
 */
import type { SipRequest, SipResponse } from "../wire/sip/index.ts";
import { getHeader } from "../wire/sip/index.ts";
import { DEFAULT_MAX_FORWARDS } from "../dialog/index.ts";

/** RFC 3261 §21.4.22 */
export const TOO_MANY_HOPS = Object.freeze({ status: 483, reason: "Too Many Hops" });

const MAX_FORWARDS_CEILING = 255;

/** The received Max-Forwards (0-255; larger values are read as 255), or null when absent or unreadable. */
export function maxForwardsOf(request: SipRequest): number | null {
  const v = getHeader(request, "max-forwards");
  const m = v === undefined ? null : /^\s*(\d{1,10})\s*$/.exec(v);
  return m === null ? null : Math.min(Number(m[1]), MAX_FORWARDS_CEILING);
}

/**
 * The Max-Forwards of the request we send for `received`: its value minus one, 70 when it had
 * none, or "too-many-hops" when it arrived with 0 (answer 483, do not relay).
 */
export function relayedMaxForwards(received: SipRequest | null): number | "too-many-hops" {
  const mf = received === null ? null : maxForwardsOf(received);
  if (mf === null) return DEFAULT_MAX_FORWARDS;
  return mf === 0 ? "too-many-hops" : mf - 1;
}

/** The Max-Forwards of the BYE ending the other leg after `bye` ended this one (see above for 0). */
export function byeMaxForwards(bye: SipRequest | null): number {
  const mf = relayedMaxForwards(bye);
  return mf === "too-many-hops" ? DEFAULT_MAX_FORWARDS : mf;
}

/**
 * The Max-Forwards of our PRACK / ACK carrying an answer that came in `carrier` on the other leg:
 * the BYE rule when that was a PRACK or ACK, our default when it was a response (see above).
 */
export function answerMaxForwards(carrier: SipRequest | SipResponse | null): number {
  return carrier?.kind === "request" ? byeMaxForwards(carrier) : DEFAULT_MAX_FORWARDS;
}
