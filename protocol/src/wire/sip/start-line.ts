/**
 * The start line of a SIP message.
 *
 * RFC 3261 §7.1: "Request-Line = Method SP Request-URI SP SIP-Version CRLF ... The elements are
 * separated by single SP characters. No CR or LF are allowed except in the final CRLF sequence.
 * No linear whitespace (LWS) is allowed in any of the elements."
 * RFC 3261 §7.2: "Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF"
 * RFC 3261 §7.1: SIP-Version is "SIP/2.0" and "the SIP-Version string is case-insensitive".
 * RFC 3261 §19.1.1 (Table 1): the headers component of a SIP URI is not allowed in a Request-URI
 * (RFC 4475 §3.1.2.11); RFC 4475 §3.1.2.7: a Request-URI in <...> is invalid.
 */
import { isToken, looksLikeAbsoluteUri } from "./grammar.ts";
import { parseSipUri } from "./uri.ts";
import type { SipParseError, SipParseMode } from "./types.ts";

export type StartLine =
  | { readonly kind: "request"; readonly method: string; readonly uri: string; readonly version: string }
  | { readonly kind: "response"; readonly status: number; readonly reason: string; readonly version: string };

export type StartLineResult =
  | { readonly ok: true; readonly line: StartLine; readonly warnings: readonly SipParseError[] }
  | { readonly ok: false; readonly error: SipParseError };

const SIP_2_0_RE = /^SIP\/2\.0$/i;
const SIP_ANY_VERSION_RE = /^SIP\/[0-9]+\.[0-9]+$/i;
const MIN_STATUS = 100;
const MAX_STATUS = 699;
/** RFC 3261 §25.1 Reason-Phrase: no control characters other than HTAB. */
const REASON_BAD_CHAR_RE = /[\x00-\x08\x0a-\x1f\x7f]/;

function fail(code: SipParseError["code"], message: string): StartLineResult {
  return { ok: false, error: { code, message } };
}

export function parseStartLine(line: string, mode: SipParseMode): StartLineResult {
  if (/^SIP\//i.test(line)) return mode === "strict" ? strictStatusLine(line) : lenientStatusLine(line);
  const words = line.trim().split(/[ \t]+/);
  const last = words[words.length - 1] ?? "";
  if (words.length < 2 || !/^SIP\//i.test(last) || !isToken(words[0]!)) {
    return fail("not-sip", `not a SIP start line: ${JSON.stringify(line.slice(0, 60))}`);
  }
  return mode === "strict" ? strictRequestLine(line) : lenientRequestLine(words);
}

function versionError(version: string): StartLineResult {
  return SIP_ANY_VERSION_RE.test(version)
    ? fail("bad-version", `unsupported SIP version ${JSON.stringify(version)} (RFC 3261 §8.2.2: 505)`)
    : fail("bad-start-line", `malformed SIP-Version ${JSON.stringify(version)}`);
}

function strictRequestLine(line: string): StartLineResult {
  const parts = line.split(" ");
  if (parts.length !== 3) {
    return fail("bad-start-line", "Request-Line is not Method SP Request-URI SP SIP-Version with single SPs");
  }
  const [method, uri, version] = parts as [string, string, string];
  if (!isToken(method)) return fail("bad-start-line", `method is not a token: ${JSON.stringify(method)}`);
  if (!SIP_2_0_RE.test(version)) return versionError(version);
  if (!looksLikeAbsoluteUri(uri)) return fail("bad-uri", `Request-URI is not a URI: ${JSON.stringify(uri)}`);
  const scheme = uri.slice(0, uri.indexOf(":")).toLowerCase();
  if (scheme === "sip" || scheme === "sips") {
    const parsed = parseSipUri(uri);
    if (parsed === null) return fail("bad-uri", `malformed SIP Request-URI ${JSON.stringify(uri)}`);
    if (uri.includes("?", uri.indexOf("@") + 1)) {
      return fail("bad-uri", "Request-URI carries URI headers (RFC 3261 §19.1.1)");
    }
  }
  return { ok: true, line: { kind: "request", method, uri, version }, warnings: [] };
}

function lenientRequestLine(words: readonly string[]): StartLineResult {
  const warnings: SipParseError[] = [];
  const method = words[0]!;
  const version = words[words.length - 1]!;
  const uri = words.slice(1, -1).join(" ");
  if (uri === "") return fail("bad-start-line", "Request-Line without a Request-URI");
  if (words.length !== 3) warnings.push({ code: "bad-start-line", message: "LWS inside the Request-Line" });
  if (!SIP_2_0_RE.test(version)) warnings.push({ code: "bad-version", message: `SIP version ${version}` });
  if (!looksLikeAbsoluteUri(uri))
    warnings.push({ code: "bad-uri", message: `Request-URI ${JSON.stringify(uri)}` });
  return { ok: true, line: { kind: "request", method, uri, version }, warnings };
}

function strictStatusLine(line: string): StartLineResult {
  const sp1 = line.indexOf(" ");
  if (sp1 < 0) return fail("bad-start-line", "Status-Line without SP");
  const version = line.slice(0, sp1);
  if (!SIP_2_0_RE.test(version)) return versionError(version);
  const sp2 = line.indexOf(" ", sp1 + 1);
  if (sp2 < 0) return fail("bad-start-line", "Status-Line without SP before the Reason-Phrase");
  const code = line.slice(sp1 + 1, sp2);
  // RFC 3261 §25.1: Status-Code = 3DIGIT; RFC 4475 §3.1.2.19: 4294967301 must be rejected
  if (!/^[0-9]{3}$/.test(code) || Number(code) < MIN_STATUS || Number(code) > MAX_STATUS) {
    return fail("bad-start-line", `status code ${JSON.stringify(code.slice(0, 20))} is not 100-699`);
  }
  const reason = line.slice(sp2 + 1);
  if (REASON_BAD_CHAR_RE.test(reason)) return fail("bad-start-line", "control character in Reason-Phrase");
  return { ok: true, line: { kind: "response", status: Number(code), reason, version }, warnings: [] };
}

function lenientStatusLine(line: string): StartLineResult {
  const m = /^(SIP\/[^ \t]*)[ \t]+([0-9]+)(?:[ \t](.*))?$/is.exec(line);
  if (m === null) return fail("bad-start-line", `malformed Status-Line ${JSON.stringify(line.slice(0, 60))}`);
  const version = m[1]!;
  const status = Number(m[2]!);
  if (m[2]!.length > 15) return fail("bad-start-line", "status code too long");
  const warnings: SipParseError[] = [];
  if (!SIP_2_0_RE.test(version)) warnings.push({ code: "bad-version", message: `SIP version ${version}` });
  if (status < MIN_STATUS || status > MAX_STATUS || m[2]!.length !== 3) {
    warnings.push({ code: "bad-start-line", message: `status code ${m[2]!} is not 3 digits in 100-699` });
  }
  return { ok: true, line: { kind: "response", status, reason: m[3] ?? "", version }, warnings };
}
