/**
 * Whole-message checks that look across headers (the per-value grammar is in header-rules.ts).
 *
 * RFC 3261 §8.1.1: "A valid SIP request formulated by a UAC MUST, at a minimum, contain the
 * following header fields: To, From, CSeq, Call-ID, Max-Forwards, and Via".
 * RFC 3261 §8.2.6.2 / §8.2.6: responses copy From, Call-ID, CSeq, Via and To.
 * RFC 3261 §20.16: "The CSeq header field ... contains a single decimal sequence number and the
 * request method ... The method MUST match that of the request." (RFC 4475 §3.1.2.17, §3.1.2.18)
 * RFC 4475 §3.3.1 (missing To/From/Call-ID) and §3.3.8 (single-valued headers repeated) are
 * parseable: the UAS answers 400, so they are warnings unless the caller asks otherwise.
 */
import { parseCSeq } from "./cseq.ts";
import type { StartLine } from "./start-line.ts";
import type { SipHeader, SipParseError, SipParseOptions } from "./types.ts";

export const MANDATORY_REQUEST_HEADERS: readonly string[] = Object.freeze([
  "to",
  "from",
  "cseq",
  "call-id",
  "max-forwards",
  "via",
]);
export const MANDATORY_RESPONSE_HEADERS: readonly string[] = Object.freeze([
  "to",
  "from",
  "cseq",
  "call-id",
  "via",
]);

/** Headers whose grammar allows one value (RFC 3261 §20; no "#" list rule). */
export const SINGLE_VALUED_HEADERS: readonly string[] = Object.freeze([
  "to",
  "from",
  "call-id",
  "cseq",
  "max-forwards",
  "content-length",
  "content-type",
  "expires",
  "min-expires",
  "retry-after",
  "date",
  "reply-to",
  "subject",
  "organization",
  "priority",
  "user-agent",
  "server",
  "timestamp",
]);

export interface MessageIssues {
  /** problems strict mode rejects on (lenient mode turns them into warnings) */
  readonly errors: SipParseError[];
  readonly warnings: SipParseError[];
}

export function checkMessage(
  start: StartLine,
  headers: readonly SipHeader[],
  options: SipParseOptions,
): MessageIssues {
  const errors: SipParseError[] = [];
  const warnings: SipParseError[] = [];
  const counts = new Map<string, number>();
  for (const h of headers) counts.set(h.name, (counts.get(h.name) ?? 0) + 1);

  const mandatory = start.kind === "request" ? MANDATORY_REQUEST_HEADERS : MANDATORY_RESPONSE_HEADERS;
  const missing = mandatory.filter((n) => !counts.has(n));
  if (missing.length > 0) {
    const e: SipParseError = {
      code: "missing-header",
      message: `missing mandatory header(s): ${missing.join(", ")}`,
    };
    (options.requireMandatoryHeaders === true ? errors : warnings).push(e);
  }
  for (const n of SINGLE_VALUED_HEADERS) {
    if ((counts.get(n) ?? 0) > 1)
      warnings.push({ code: "bad-header", message: `${n} appears ${counts.get(n)} times` });
  }
  if (start.kind === "request") {
    const first = headers.find((h) => h.name === "cseq");
    const c = first === undefined ? null : parseCSeq(first.value);
    if (c !== null && c.method !== start.method) {
      errors.push({
        code: "bad-cseq",
        message: `CSeq method ${JSON.stringify(c.method)} does not match request method ${JSON.stringify(start.method)}`,
      });
    }
  }
  return { errors, warnings };
}
