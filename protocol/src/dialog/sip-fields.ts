/**
 * Header reads and writes the dialog layer needs, on the plain message model of wire/sip.
 * Nothing here throws on bad input: unreadable fields come back as null.
 */
import type { SipHeader, SipMessage } from "../wire/sip/index.ts";
import { getHeader, getHeaders, parseContentType, parseCSeq, parseNameAddr } from "../wire/sip/index.ts";
import type { CSeq } from "../wire/sip/index.ts";

const CANONICAL: Readonly<Record<string, string>> = Object.freeze({
  "call-id": "Call-ID",
  cseq: "CSeq",
  rseq: "RSeq",
  rack: "RAck",
  "www-authenticate": "WWW-Authenticate",
  "min-se": "Min-SE",
});

/** A header in its long form with conventional capitalisation ("session-expires" -> "Session-Expires"). */
export function header(name: string, value: string): SipHeader {
  const lower = name.toLowerCase();
  const raw =
    CANONICAL[lower] ??
    lower
      .split("-")
      .map((w) => (w === "" ? w : w[0]!.toUpperCase() + w.slice(1)))
      .join("-");
  return { name: lower, raw, value };
}

export function cseqOf(m: SipMessage): CSeq | null {
  const v = getHeader(m, "cseq");
  return v === undefined ? null : parseCSeq(v);
}

export function callIdOf(m: SipMessage): string | null {
  const v = getHeader(m, "call-id")?.trim();
  return v === undefined || v === "" ? null : v;
}

export function tagOf(m: SipMessage, which: "from" | "to"): string | null {
  const v = getHeader(m, which);
  return v === undefined ? null : (parseNameAddr(v)?.tag ?? null);
}

/** The first Contact's URI, or null. */
export function contactUri(m: SipMessage): string | null {
  const c = getHeaders(m, "contact")[0];
  const a = c === undefined ? null : parseNameAddr(c);
  return a === null || a.uri === "*" ? null : a.uri;
}

/** Option tags of Supported / Require / Proxy-Require / Unsupported, lower-cased. */
export function optionTags(
  m: SipMessage,
  name: "supported" | "require" | "proxy-require" | "unsupported",
): Set<string> {
  return new Set(getHeaders(m, name).map((t) => t.trim().toLowerCase()));
}

/** Methods of an Allow header, upper-cased; null when the message has no Allow. */
export function allowedMethods(m: SipMessage): Set<string> | null {
  if (getHeader(m, "allow") === undefined) return null;
  return new Set(getHeaders(m, "allow").map((t) => t.trim().toUpperCase()));
}

/**
 * The SDP body, or null. RFC 3261 §13.2.1 / RFC 3264: a session description travels as
 * `Content-Type: application/sdp`; an empty body is no offer (delayed offer, RFC 3261 §13.2.1).
 * multipart bodies are not searched.
 */
export function sdpOf(m: SipMessage): string | null {
  if (m.body.length === 0) return null;
  const ct = getHeader(m, "content-type");
  const parsed = ct === undefined ? null : parseContentType(ct);
  if (parsed === null || `${parsed.type}/${parsed.subtype}`.toLowerCase() !== "application/sdp") return null;
  return m.body.toString("utf8");
}

/** The message with the given headers removed (any form of the names) and `add` appended before Content-Length. */
export function editHeaders<M extends SipMessage>(
  m: M,
  drop: readonly string[],
  add: readonly SipHeader[] = [],
): M {
  const names = new Set(drop.map((n) => n.toLowerCase()));
  const kept = m.headers.filter((h) => !names.has(h.name));
  const cl = kept.findIndex((h) => h.name === "content-length");
  kept.splice(cl < 0 ? kept.length : cl, 0, ...add);
  return { ...m, headers: kept };
}

/** The message with a body, Content-Type and a matching Content-Length (or no body at all). */
export function withBody<M extends SipMessage>(
  m: M,
  body: { readonly contentType: string; readonly text: string } | null,
): M {
  const bytes = body === null ? Buffer.alloc(0) : Buffer.from(body.text, "utf8");
  const stripped = editHeaders(m, ["content-type", "content-length"]);
  const headers = [...stripped.headers];
  if (body !== null) headers.push(header("content-type", body.contentType));
  headers.push(header("content-length", String(bytes.length)));
  return { ...stripped, headers, body: bytes };
}

export const sdpBody = (text: string | null): { contentType: string; text: string } | null =>
  text === null ? null : { contentType: "application/sdp", text };

/**
 * A To/From value without its tag parameter (the dialog's local/remote URI with its display
 * name), e.g. `"Bob" <sip:bob@b.example>;tag=x` -> `"Bob" <sip:bob@b.example>`.
 */
export function withoutTag(value: string): string {
  const gt = value.lastIndexOf(">");
  const head = gt < 0 ? "" : value.slice(0, gt + 1);
  const params = gt < 0 ? value : value.slice(gt + 1);
  return head + params.replace(/;\s*tag\s*=\s*[^;]*/gi, "");
}
