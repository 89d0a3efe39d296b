/**
 * name-addr / addr-spec values of From, To, Contact, Route, Record-Route, Reply-To, Refer-To ...
 *
 * RFC 3261 §25.1:
 *   from-spec    = ( name-addr / addr-spec ) *( SEMI from-param )
 *   name-addr    = [ display-name ] LAQUOT addr-spec RAQUOT
 *   display-name = *(token LWS)/ quoted-string
 *   LAQUOT = SWS "<";  RAQUOT = ">" SWS
 * RFC 3261 §20.10: "when the header field value contains a display name, the URI including all
 * URI parameters is enclosed in "<" and ">". If no "<" and ">" are present, all parameters after
 * the URI are header parameters, not URI parameters." and "if the URI contains a comma, question
 * mark or semicolon, the URI MUST be enclosed in angle brackets".
 */
import { indexOutsideQuotes, isToken, looksLikeAbsoluteUri, parseParams, readQuoted } from "./grammar.ts";
import type { Params } from "./grammar.ts";

export interface NameAddr {
  /** unquoted display name (quoted-pairs resolved), or the token words as written; null when absent */
  readonly displayName: string | null;
  /** the URI inside <...>, or the addr-spec; "*" for `Contact: *` */
  readonly uri: string;
  /** the `tag` header parameter (RFC 3261 §19.3) */
  readonly tag: string | null;
  /** header parameters (after the URI), names lower-cased */
  readonly params: Params;
  /** whether the URI was enclosed in <...> */
  readonly bracketed: boolean;
}

export interface NameAddrAnalysis {
  /** null when the value cannot be read at all */
  readonly addr: NameAddr | null;
  /** RFC 3261 grammar violations (strict mode rejects on any) */
  readonly problems: readonly string[];
}

/** Parses one element; strictness is left to the caller, which reads `problems`. */
export function analyzeNameAddr(value: string): NameAddrAnalysis {
  const v = value.trim();
  const problems: string[] = [];
  if (v === "*")
    return { addr: { displayName: null, uri: "*", tag: null, params: {}, bracketed: false }, problems };
  if (v === "") return { addr: null, problems: ["empty value"] };
  let displayName: string | null = null;
  let lt: number;
  if (v.startsWith('"')) {
    const q = readQuoted(v, 0);
    if (q === null) return { addr: null, problems: ["unbalanced quotes in display name"] };
    displayName = q.text;
    lt = q.end;
    while (v[lt] === " " || v[lt] === "\t") lt++;
    if (v[lt] !== "<") return { addr: null, problems: ["quoted display name not followed by <"] };
  } else {
    lt = indexOutsideQuotes(v, "<");
    const semi = indexOutsideQuotes(v, ";");
    if (semi >= 0 && semi < lt) lt = -1; // a "<" inside a header parameter of an addr-spec
    if (lt > 0) {
      const words = v.slice(0, lt).trim();
      if (words !== "") {
        displayName = words;
        if (!words.split(/[ \t]+/).every(isToken))
          problems.push("display name is neither tokens nor a quoted string");
      }
    }
  }
  if (lt >= 0) return bracketed(v, lt, displayName, problems);
  // addr-spec without <>: parameters after the URI belong to the header
  const semi = v.indexOf(";");
  const uri = (semi < 0 ? v : v.slice(0, semi)).trim();
  if (/[\s,?]/.test(uri)) problems.push("addr-spec without <> contains LWS, comma or question mark");
  if (!looksLikeAbsoluteUri(uri.replace(/[,?]/g, ""))) problems.push("not a URI");
  const p = parseParams(semi < 0 ? "" : v.slice(semi));
  problems.push(...p.problems);
  return { addr: make(displayName, uri, p.params, false), problems };
}

function bracketed(v: string, lt: number, displayName: string | null, problems: string[]): NameAddrAnalysis {
  const gt = v.indexOf(">", lt);
  if (gt < 0) return { addr: null, problems: [...problems, "< without >"] };
  const inner = v.slice(lt + 1, gt);
  const uri = inner.trim();
  if (inner !== uri) problems.push("whitespace inside <...>");
  if (!looksLikeAbsoluteUri(uri)) problems.push("not a URI inside <...>");
  const p = parseParams(v.slice(gt + 1));
  problems.push(...p.problems);
  return { addr: make(displayName, uri, p.params, true), problems };
}

function make(displayName: string | null, uri: string, params: Params, isBracketed: boolean): NameAddr {
  const tag = params["tag"];
  return { displayName, uri, tag: typeof tag === "string" ? tag : null, params, bracketed: isBracketed };
}

/** Lenient parse of one name-addr / addr-spec element; null only when nothing sensible is there. */
export function parseNameAddr(value: string): NameAddr | null {
  return analyzeNameAddr(value).addr;
}
