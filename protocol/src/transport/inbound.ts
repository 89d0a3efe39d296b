/**
 * What the transport does with the bytes of one received message (one UDP datagram, or one
 * message cut from a TCP stream by frameSipStream): deliver it, answer it, or drop it. Pure; the
 * UDP, TCP and fake transports all go through here so they behave the same.
 *
 * RFC 3261 §16.3 / §8.2 and RFC 4475 §3.1.2: a request that is not well-formed is answered
 * "400 Bad Request" when enough of it can be read to route a response (its top Via); RFC 3261
 * §8.2.2 / RFC 4475 §3.1.2.16: an unsupported SIP-Version gets "505 Version Not Supported".
 * RFC 3261 §20.43: "Warning: 399 <warn-agent> "<text>"" says what was wrong (warn-code 399:
 * "Miscellaneous warning"). RFC 3261 §17.1.1.3: an ACK is never answered. RFC 3261 §18.1.2 /
 * RFC 4475 §3.1.2.5: a response that cannot be parsed is discarded.
 */
import type { SipHeader, SipMessage, SipParseErrorCode, SipResponse } from "../wire/sip/index.ts";
import { getHeader, getHeaders, parseSip, parseVia } from "../wire/sip/index.ts";
import { buildResponse, randomHex } from "../transaction/index.ts";
import { stampVia } from "./via-received.ts";
import type { PacketSource } from "./via-received.ts";

export interface InboundOptions {
  /** warn-agent of the Warning header: our host:port (RFC 3261 §20.43: "hostport / pseudonym") */
  readonly warnAgent: string;
  /** To tag for 400 / 505 (default random) */
  readonly newTag?: () => string;
}

export type InboundDecision =
  | { readonly kind: "deliver"; readonly message: SipMessage }
  | { readonly kind: "reply"; readonly response: SipResponse; readonly reason: string }
  | { readonly kind: "drop"; readonly reason: string };

/** Longest problem text put in a Warning. */
export const MAX_WARNING_TEXT = 200;

export function classifyInbound(
  bytes: Buffer,
  source: PacketSource,
  options: InboundOptions,
): InboundDecision {
  const strict = parseSip(bytes, "strict");
  if (strict.ok) {
    const m = strict.message;
    const missing = MANDATORY_FOR_ROUTING.filter((name) => getHeader(m, name) === undefined);
    if (missing.length === 0)
      return { kind: "deliver", message: m.kind === "request" ? stampVia(m, source) : m };
    return malformed(m, `missing mandatory header(s): ${missing.join(", ")}`, "bad-header", source, options);
  }
  const what = strict.error.message;
  if (strict.error.code === "empty") return { kind: "drop", reason: what };
  const lenient = parseSip(bytes, "lenient");
  if (!lenient.ok) return { kind: "drop", reason: `unparseable: ${what}` };
  return malformed(lenient.message, what, strict.error.code, source, options);
}

/**
 * RFC 3261 §8.1.1: "A valid SIP request formulated by a UAC MUST, at a minimum, contain the
 * following header fields: To, From, CSeq, Call-ID, Max-Forwards, and Via". Max-Forwards is left
 * out here: RFC 4475 §3.4.1 expects an RFC 2543 request (which has none) to be accepted.
 * RFC 4475 §3.3.1 expects the others' absence to get a 400.
 */
export const MANDATORY_FOR_ROUTING: readonly string[] = Object.freeze([
  "via",
  "to",
  "from",
  "call-id",
  "cseq",
]);

function malformed(
  m: SipMessage,
  what: string,
  code: SipParseErrorCode,
  source: PacketSource,
  options: InboundOptions,
): InboundDecision {
  if (m.kind === "response") return { kind: "drop", reason: `malformed response: ${what}` };
  if (m.method === "ACK") return { kind: "drop", reason: `malformed ACK (never answered): ${what}` };
  const top = getHeaders(m, "via")[0];
  if (top === undefined || parseVia(top) === null)
    return { kind: "drop", reason: `malformed request without a usable Via: ${what}` };
  const status = code === "bad-version" ? 505 : 400;
  const request = stampVia(m, source);
  const response = buildResponse(request, status, {
    toTag: (options.newTag ?? randomTag)(),
    headers: [warningHeader(options.warnAgent, what)],
  });
  return { kind: "reply", response, reason: what };
}

/** RFC 3261 §20.43: warning-value = warn-code SP warn-agent SP warn-text; warn-text = quoted-string. */
export function warningHeader(warnAgent: string, text: string): SipHeader {
  const clean = text
    .replace(/[\u0000-\u001f\u007f]/g, " ")
    .slice(0, MAX_WARNING_TEXT)
    .replace(/[\\"]/g, (c) => `\\${c}`);
  return { name: "warning", raw: "Warning", value: `399 ${warnAgent} "${clean}"` };
}

function randomTag(): string {
  return randomHex(6);
}
