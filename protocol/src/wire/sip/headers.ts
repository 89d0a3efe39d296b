/**
 * Header accessors over a parsed message, plus the per-header value parsers (re-exported here so
 * callers import one module).
 *
 * RFC 3261 §7.3.1: "Multiple header field rows with the same field-name MAY be present in a
 * message if and only if the entire field-value for that header field is defined as a
 * comma-separated list ... It MUST be possible to combine the multiple header field rows into one
 * "field-name: field-value" pair ... The exceptions to this rule are the WWW-Authenticate,
 * Authorization, Proxy-Authenticate, and Proxy-Authorization header fields."
 */
import { canonicalHeaderName } from "./header-names.ts";
import { splitOutside } from "./grammar.ts";
import type { SipMessage } from "./types.ts";

export { parseVia } from "./via.ts";
export type { Via } from "./via.ts";
export { parseNameAddr } from "./name-addr.ts";
export type { NameAddr } from "./name-addr.ts";
export { parseCSeq } from "./cseq.ts";
export type { CSeq } from "./cseq.ts";
export { parseContentType } from "./content-type.ts";
export type { ContentType } from "./content-type.ts";

/**
 * Headers whose value is a comma-separated list (RFC 3261 §20 "#" / "1#" rules and the
 * extensions that follow the same form). Never here: WWW-Authenticate, Authorization,
 * Proxy-Authenticate, Proxy-Authorization (commas separate auth-params), Date (a comma follows
 * the weekday), and single-valued headers such as From, To, Call-ID, CSeq.
 */
export const LIST_HEADERS: ReadonlySet<string> = new Set([
  "via",
  "contact",
  "route",
  "record-route",
  "path", // RFC 3327
  "service-route", // RFC 3608
  "allow",
  "supported",
  "require",
  "proxy-require",
  "unsupported",
  "allow-events", // RFC 3265
  "accept",
  "accept-encoding",
  "accept-language",
  "content-encoding",
  "content-language",
  "in-reply-to",
  "alert-info",
  "call-info",
  "error-info",
  "warning",
  "reason", // RFC 3326
  "p-asserted-identity", // RFC 3325
  "p-preferred-identity", // RFC 3325
  "history-info", // RFC 7044
  "accept-contact", // RFC 3841
  "reject-contact", // RFC 3841
  "security-client", // RFC 3329
  "security-server",
  "security-verify",
]);

/** The first value of header `name` (any form: "Call-ID", "call-id", "i"), as written. */
export function getHeader(msg: SipMessage, name: string): string | undefined {
  const want = canonicalHeaderName(name);
  for (const h of msg.headers) if (h.name === want) return h.value;
  return undefined;
}

/**
 * Every value of header `name` in message order. List-valued headers (LIST_HEADERS) are split on
 * commas outside quoted strings and <...>; elements are trimmed and empty ones dropped.
 */
export function getHeaders(msg: SipMessage, name: string): string[] {
  const want = canonicalHeaderName(name);
  const split = LIST_HEADERS.has(want);
  const out: string[] = [];
  for (const h of msg.headers) {
    if (h.name !== want) continue;
    if (!split) {
      out.push(h.value);
      continue;
    }
    for (const piece of splitList(h.value)) out.push(piece);
  }
  return out;
}

/** Comma-list elements of one header value, trimmed, empties dropped. */
export function splitList(value: string): string[] {
  return splitOutside(value, ",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}
