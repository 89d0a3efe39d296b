/**
 * parseSip: one SIP message from the start of a buffer (a UDP datagram, or one message that
 * frameSipStream cut from a TCP stream). Never throws: bad bytes give `{ ok: false, error }`.
 *
 * RFC 3261 §7.5: "Implementations processing SIP messages over stream-oriented transports MUST
 * ignore any CRLF appearing before the start-line" (and RFC 5626 §4.4.1 CRLF keepalives), so
 * leading CR/LF bytes are skipped and counted in `consumed`.
 * RFC 3261 §18.3: "If a message is received via UDP ... the Content-Length header field MAY be
 * omitted and the message body is assumed to end at the end of the transport packet" and
 * "any octets after the end of the message body are discarded" (RFC 4475 §3.1.1.8): `consumed`
 * stops at the end of the Content-Length body.
 */
import { parseUint } from "./grammar.ts";
import { readHeaderBlock, unfoldHeaders } from "./header-block.ts";
import { MAX_CONTENT_LENGTH, STRICT_HEADER_RULES } from "./header-rules.ts";
import { checkMessage } from "./message-checks.ts";
import { parseStartLine } from "./start-line.ts";
import type { StartLine } from "./start-line.ts";
import type {
  SipHeader,
  SipMessage,
  SipParseError,
  SipParseErrorCode,
  SipParseMode,
  SipParseOptions,
  SipParseResult,
} from "./types.ts";

const CR = 0x0d;
const LF = 0x0a;

function fail(code: SipParseErrorCode, message: string): SipParseResult {
  return { ok: false, error: { code, message } };
}

export function parseSip(input: Buffer, mode: SipParseMode, options: SipParseOptions = {}): SipParseResult {
  const end = input.length;
  let start = 0;
  while (start < end && (input[start] === CR || input[start] === LF)) start++;
  if (start >= end) return fail("empty", end === 0 ? "no bytes" : "only CRLF keepalives");

  const lf = input.indexOf(LF, start);
  const lineEnd = lf < 0 ? end : lf > start && input[lf - 1] === CR ? lf - 1 : lf;
  const sl = parseStartLine(input.toString("utf8", start, lineEnd), mode);
  if (!sl.ok) return sl;
  const warnings: SipParseError[] = [...sl.warnings];

  const headerStart = lf < 0 ? end : lf + 1;
  const block = readHeaderBlock(input, headerStart, end);
  const unfolded = unfoldHeaders(block.lines, mode, mode === "lenient" ? options.keepHeaders : undefined);
  if (unfolded.problems.length > 0) {
    if (mode === "strict") return fail("bad-header", unfolded.problems[0]!);
    for (const p of unfolded.problems) warnings.push({ code: "bad-header", message: p });
  }
  const headers = unfolded.headers;
  if (!block.terminated) {
    const message = "no empty line ends the header section";
    if (mode === "strict") return fail("truncated", message);
    warnings.push({ code: "truncated", message });
  }

  if (mode === "strict" || options.skipLenientChecks !== true) {
    const rejected = checkHeaders(sl.line, headers, mode, options, warnings);
    if (rejected !== null) return rejected;
  }

  const framing = frameBody(headers, block.bodyStart, end, block.terminated);
  if (framing.error !== null) {
    if (mode === "strict") return { ok: false, error: framing.error };
    warnings.push(framing.error);
  }
  warnings.push(...framing.warnings);
  const body = Buffer.from(input.subarray(block.bodyStart, framing.bodyEnd));
  return { ok: true, message: buildMessage(sl.line, headers, body), consumed: framing.bodyEnd, warnings };
}

/**
 * The per-header rules (strict mode) and the message-level checks: the rejection in strict mode,
 * else null with the findings added to `warnings`. Apart from parseSip so that its bytecode stays
 * small (the analyzer leaves TurboFan off for functions over 1,200 bytes: analyze-command.ts).
 */
function checkHeaders(
  line: StartLine,
  headers: readonly SipHeader[],
  mode: SipParseMode,
  options: SipParseOptions,
  warnings: SipParseError[],
): SipParseResult | null {
  if (mode === "strict") {
    for (const h of headers) {
      const rule = STRICT_HEADER_RULES[h.name];
      const problem = rule === undefined ? null : rule.check(h.value);
      if (problem !== null) return fail(rule!.code, `${h.raw}: ${problem}`);
    }
  }
  const issues = checkMessage(line, headers, options);
  if (mode === "strict" && issues.errors.length > 0) return { ok: false, error: issues.errors[0]! };
  warnings.push(...issues.errors, ...issues.warnings);
  return null;
}

interface BodyFraming {
  readonly bodyEnd: number;
  /** strict mode rejects on it; lenient mode keeps the available bytes and warns */
  readonly error: SipParseError | null;
  readonly warnings: readonly SipParseError[];
}

/** RFC 3261 §20.14: "The Content-Length header field value ... indicates the size of the message-body, in decimal number of octets" */
function frameBody(
  headers: readonly SipHeader[],
  bodyStart: number,
  end: number,
  terminated: boolean,
): BodyFraming {
  if (!terminated) return { bodyEnd: end, error: null, warnings: [] };
  const lengths = headers.filter((h) => h.name === "content-length").map((h) => h.value);
  if (lengths.length === 0) return { bodyEnd: end, error: null, warnings: [] };
  const warnings: SipParseError[] = [];
  if (new Set(lengths).size > 1) {
    warnings.push({
      code: "bad-header-value",
      message: `conflicting Content-Length values ${lengths.join(", ")}`,
    });
  }
  const n = parseUint(lengths[0]!, MAX_CONTENT_LENGTH);
  if (n === null) {
    const error: SipParseError = {
      code: "bad-header-value",
      message: `Content-Length ${JSON.stringify(lengths[0]!.slice(0, 30))} is not a length; body taken to the end`,
    };
    return { bodyEnd: end, error, warnings };
  }
  const available = end - bodyStart;
  if (n > available) {
    const error: SipParseError = {
      code: "content-length-mismatch",
      message: `Content-Length ${n} but only ${available} body bytes available`,
    };
    return { bodyEnd: end, error, warnings };
  }
  return { bodyEnd: bodyStart + n, error: null, warnings };
}

function buildMessage(line: StartLine, headers: readonly SipHeader[], body: Buffer): SipMessage {
  return line.kind === "request"
    ? { kind: "request", method: line.method, uri: line.uri, version: line.version, headers, body }
    : { kind: "response", status: line.status, reason: line.reason, version: line.version, headers, body };
}
