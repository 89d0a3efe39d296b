/**
 * Strict-mode value grammar per header, as data: header name -> the error code and a check that
 * returns a problem text or null. Headers not in the table are not checked (RFC 3261 §7.3.1:
 * unknown headers are carried through).
 *
 * The checks are the ones RFC 4475 §3.1.2 expects a parser to reject on:
 *   §3.1.2.1 empty Via / Contact parameters; §3.1.2.3 negative Content-Length;
 *   §3.1.2.4 / §3.1.2.5 scalars out of range (CSeq >= 2**31, Max-Forwards > 255,
 *   Expires / Retry-After / contact expires > 2**32-1, warn-code not 3DIGIT);
 *   §3.1.2.6 unbalanced quotes; §3.1.2.12 Date not in GMT; §3.1.2.13 "?" in an addr-spec without
 *   <>; §3.1.2.14 LWS inside <...>; §3.1.2.15 unquoted display name with a comma.
 */
import { analyzeContentType } from "./content-type.ts";
import { MAX_CSEQ, parseCSeq } from "./cseq.ts";
import { isToken, parseUint, readQuoted, splitOutside } from "./grammar.ts";
import { analyzeNameAddr } from "./name-addr.ts";
import type { SipParseErrorCode } from "./types.ts";
import { analyzeVia } from "./via.ts";

export interface HeaderRule {
  readonly code: SipParseErrorCode;
  /** a problem description, or null when the value is well-formed */
  readonly check: (value: string) => string | null;
}

/** RFC 3261 §20.19 and friends: delta-seconds "between 0 and (2**32)-1". */
export const MAX_DELTA_SECONDS = 2 ** 32 - 1;
/** RFC 3261 §20.22 / §16.6: Max-Forwards "is an integer in the range 0-255". */
export const MAX_MAX_FORWARDS = 255;
/** Content-Length bound we accept as a number at all (larger is a content-length-mismatch). */
export const MAX_CONTENT_LENGTH = 2 ** 32 - 1;

function uint(max: number): (v: string) => string | null {
  return (v) =>
    parseUint(v, max) === null ? `${JSON.stringify(v.slice(0, 30))} is not an integer 0-${max}` : null;
}

/** delta-seconds followed by anything (a comment, parameters): Retry-After, Session-Expires, Min-SE. */
function leadingDelta(v: string): string | null {
  const m = /^[0-9]+/.exec(v);
  if (m === null) return "no delta-seconds";
  return parseUint(m[0], MAX_DELTA_SECONDS) === null ? `delta-seconds ${m[0].slice(0, 30)} > 2**32-1` : null;
}

function cseq(v: string): string | null {
  const c = parseCSeq(v);
  if (c === null) return `malformed CSeq ${JSON.stringify(v.slice(0, 40))}`;
  return c.seq > MAX_CSEQ ? `CSeq number ${c.seq} is not less than 2**31 (RFC 3261 §8.1.1.5)` : null;
}

/** RFC 3261 §25.1: word = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" /
 *  "(" / ")" / "<" / ">" / ":" / "\" / DQUOTE / "/" / "[" / "]" / "?" / "{" / "}" ); callid = word [ "@" word ] */
const CALL_ID_RE = /^[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+(?:@[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+)?$/;

/** RFC 3261 §25.1 rfc1123-date = wkday "," SP date1 SP time SP "GMT" */
const RFC1123_RE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$/;

/** RFC 3261 §25.1: warning-value = warn-code SP warn-agent SP warn-text; warn-code = 3DIGIT */
function warning(v: string): string | null {
  for (const el of splitOutside(v, ",")) {
    const m = /^([0-9]{3}) [^\s"]+ /.exec(el.trim());
    if (m === null)
      return `warning-value ${JSON.stringify(el.trim().slice(0, 30))} is not 3DIGIT SP agent SP text`;
    const text = el.trim().slice(m[0].length);
    const q = readQuoted(text, 0);
    if (q === null || q.end !== text.length) return "warn-text is not one quoted string";
  }
  return null;
}

/** RFC 3261 §20.10 contact-params: c-p-q = "q" EQUAL qvalue; c-p-expires = "expires" EQUAL delta-seconds */
const QVALUE_RE = /^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$/;

function addrList(opts: { single: boolean; bracketsRequired: boolean; contact: boolean }) {
  return (v: string): string | null => {
    const elements = opts.single ? [v] : splitOutside(v, ",");
    // RFC 3261 §20.10: Contact = ( STAR / (contact-param *(COMMA contact-param)))
    if (opts.contact && v.trim() === "*") return null;
    for (const el of elements) {
      const a = analyzeNameAddr(el);
      if (a.addr === null || a.problems.length > 0) return a.problems.join("; ") || "unreadable address";
      if (a.addr.uri === "*") return "* is only allowed as the whole Contact value";
      if (opts.bracketsRequired && !a.addr.bracketed) return "URI must be enclosed in <...>";
      if (!opts.contact) continue;
      const p = a.addr.params;
      if (typeof p["expires"] === "string" && parseUint(p["expires"], MAX_DELTA_SECONDS) === null) {
        return `expires parameter ${p["expires"].slice(0, 30)} out of range`;
      }
      if (typeof p["q"] === "string" && !QVALUE_RE.test(p["q"])) return `bad q ${p["q"]}`;
    }
    return null;
  };
}

function via(v: string): string | null {
  for (const el of splitOutside(v, ",")) {
    if (el.trim() === "") return "empty Via element";
    const a = analyzeVia(el);
    if (a.via === null || a.problems.length > 0) return a.problems.join("; ") || "unreadable Via";
  }
  return null;
}

function contentType(v: string): string | null {
  const a = analyzeContentType(v);
  return a.contentType === null || a.problems.length > 0 ? a.problems.join("; ") || "bad media type" : null;
}

function rack(v: string): string | null {
  // RFC 3262 §7.2: RAck = "RAck" HCOLON response-num LWS CSeq-num LWS Method
  const m = /^([0-9]+)[ \t]+([0-9]+)[ \t]+(\S+)$/.exec(v);
  if (m === null || !isToken(m[3]!)) return "RAck is not response-num CSeq-num Method";
  return parseUint(m[1]!, MAX_DELTA_SECONDS) === null || parseUint(m[2]!, MAX_DELTA_SECONDS) === null
    ? "RAck number out of range"
    : null;
}

const BAD = "bad-header-value";

export const STRICT_HEADER_RULES: Readonly<Record<string, HeaderRule>> = Object.freeze({
  "content-length": { code: BAD, check: uint(MAX_CONTENT_LENGTH) },
  "max-forwards": { code: BAD, check: uint(MAX_MAX_FORWARDS) },
  expires: { code: BAD, check: uint(MAX_DELTA_SECONDS) },
  "min-expires": { code: BAD, check: uint(MAX_DELTA_SECONDS) },
  "retry-after": { code: BAD, check: leadingDelta },
  "session-expires": { code: BAD, check: leadingDelta }, // RFC 4028 §4
  "min-se": { code: BAD, check: leadingDelta }, // RFC 4028 §5
  rseq: { code: BAD, check: uint(MAX_DELTA_SECONDS) }, // RFC 3262 §7.1
  rack: { code: BAD, check: rack },
  cseq: { code: "bad-cseq", check: cseq },
  "call-id": { code: BAD, check: (v) => (CALL_ID_RE.test(v) ? null : "Call-ID is not word [@ word]") },
  date: { code: BAD, check: (v) => (RFC1123_RE.test(v) ? null : "Date is not an RFC 1123 date in GMT") },
  warning: { code: BAD, check: warning },
  "content-type": { code: BAD, check: contentType },
  via: { code: "bad-via", check: via },
  from: { code: BAD, check: addrList({ single: true, bracketsRequired: false, contact: false }) },
  to: { code: BAD, check: addrList({ single: true, bracketsRequired: false, contact: false }) },
  "reply-to": { code: BAD, check: addrList({ single: true, bracketsRequired: false, contact: false }) },
  contact: { code: BAD, check: addrList({ single: false, bracketsRequired: false, contact: true }) },
  route: { code: BAD, check: addrList({ single: false, bracketsRequired: true, contact: false }) },
  "record-route": { code: BAD, check: addrList({ single: false, bracketsRequired: true, contact: false }) },
} satisfies Record<string, HeaderRule>);
