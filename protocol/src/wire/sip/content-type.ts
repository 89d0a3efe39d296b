/**
 * Content-Type (RFC 3261 §20.15, §25.1):
 *   media-type  = m-type SLASH m-subtype *(SEMI m-parameter)
 *   m-parameter = m-attribute EQUAL m-value;  m-value = token / quoted-string
 * RFC 2045 §5.1: type, subtype and parameter names are case-insensitive; parameter values are
 * not in general (a multipart boundary is case-sensitive, RFC 2046 §5.1.1).
 */
import { isToken, parseParams } from "./grammar.ts";

export interface ContentType {
  /** lower-cased, e.g. "application" */
  readonly type: string;
  /** lower-cased, e.g. "sdp" */
  readonly subtype: string;
  /** names lower-cased, values unquoted and kept as written (e.g. boundary) */
  readonly params: Readonly<Record<string, string>>;
}

export interface ContentTypeAnalysis {
  readonly contentType: ContentType | null;
  readonly problems: readonly string[];
}

export function analyzeContentType(value: string): ContentTypeAnalysis {
  const v = value.trim();
  const semi = v.indexOf(";");
  const media = semi < 0 ? v : v.slice(0, semi);
  const slash = media.indexOf("/");
  if (slash < 0) return { contentType: null, problems: ["no type/subtype"] };
  const type = media.slice(0, slash).trim();
  const subtype = media.slice(slash + 1).trim();
  const problems: string[] = [];
  if (!isToken(type) || !isToken(subtype)) problems.push("type or subtype is not a token");
  const p = parseParams(semi < 0 ? "" : v.slice(semi));
  problems.push(...p.problems);
  const params: Record<string, string> = Object.fromEntries(
    Object.entries(p.params).map(([k, val]) => [k, val ?? ""] as [string, string]),
  );
  return { contentType: { type: type.toLowerCase(), subtype: subtype.toLowerCase(), params }, problems };
}

/** `multipart/mixed;boundary="7a9c"` -> { type: "multipart", subtype: "mixed", params: { boundary: "7a9c" } } */
export function parseContentType(value: string): ContentType | null {
  return analyzeContentType(value).contentType;
}
