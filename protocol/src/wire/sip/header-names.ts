/**
 * Header-name knowledge as data.
 *
 * RFC 3261 §7.3.3: "SIP provides a mechanism to represent common header field names in an
 * abbreviated form ... Implementations MUST accept both the long and short forms of each header
 * name." Compact forms beyond RFC 3261's own come from RFC 3265 (o, u), RFC 3515 (r), RFC 3892 (b),
 * RFC 4028 (x), RFC 3841 (a, j, d) and RFC 4474 (y, n).
 */
export const COMPACT_HEADER_NAMES: Readonly<Record<string, string>> = Object.freeze({
  i: "call-id",
  m: "contact",
  e: "content-encoding",
  l: "content-length",
  c: "content-type",
  f: "from",
  s: "subject",
  k: "supported",
  t: "to",
  v: "via",
  o: "event", // RFC 3265 §7.2.1
  u: "allow-events", // RFC 3265 §7.2.2
  r: "refer-to", // RFC 3515 §2.1
  b: "referred-by", // RFC 3892 §3
  x: "session-expires", // RFC 4028 §4
  a: "accept-contact", // RFC 3841 §9.2
  j: "reject-contact", // RFC 3841 §9.2
  d: "request-disposition", // RFC 3841 §9.1
  y: "identity", // RFC 4474 §12
  n: "identity-info", // RFC 4474 §12
});

/**
 * Spellings already seen -> their canonical name. Every message repeats the same dozen names, so a
 * lookup replaces trim + toLowerCase (half the cost, bench/b2bua/NOTES.md); bounded so that a peer
 * inventing names cannot grow it (past the bound new spellings are computed, not kept).
 */
const seenNames = new Map<string, string>();
const SEEN_NAMES_MAX = 1024;
const SEEN_NAME_MAX_LENGTH = 64;

/**
 * The lower-case long form of a header name given in any form: "I" -> "call-id",
 * "CONTENT-LENGTH" -> "content-length". RFC 3261 §7.3.1: "field names are always case-insensitive".
 * Surrounding whitespace is ignored; unknown names are returned lower-cased.
 */
export function canonicalHeaderName(raw: string): string {
  const seen = seenNames.get(raw);
  if (seen !== undefined) return seen;
  const lower = raw.trim().toLowerCase();
  const name = Object.hasOwn(COMPACT_HEADER_NAMES, lower) ? COMPACT_HEADER_NAMES[lower]! : lower;
  if (seenNames.size < SEEN_NAMES_MAX && raw.length <= SEEN_NAME_MAX_LENGTH) seenNames.set(raw, name);
  return name;
}
