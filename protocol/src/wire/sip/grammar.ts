/**
 * RFC 3261 §25.1 lexical helpers shared by the SIP header parsers: tokens, quoted strings,
 * comma lists and `;` parameter lists. Pure string functions; they never throw.
 */

/**
 * RFC 3261 §25.1:
 *   token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" )
 */
export const TOKEN_RE = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

export function isToken(s: string): boolean {
  return TOKEN_RE.test(s);
}

function isWsp(c: string | undefined): boolean {
  return c === " " || c === "\t";
}

/** Strips SP/HTAB at both ends (index loops: a regex like /[ \t]+$/ is quadratic on long runs). */
export function trimLws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWsp(s[a])) a++;
  while (b > a && isWsp(s[b - 1])) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Strips trailing SP/HTAB. */
export function trimLwsEnd(s: string): string {
  let b = s.length;
  while (b > 0 && isWsp(s[b - 1])) b--;
  return b === s.length ? s : s.slice(0, b);
}

/** Strips leading SP/HTAB. */
export function trimLwsStart(s: string): string {
  let a = 0;
  while (a < s.length && isWsp(s[a])) a++;
  return a === 0 ? s : s.slice(a);
}

/** A parameter value: token / host (RFC 3261 §25.1 gen-value); quoted strings are handled apart. */
const GEN_VALUE_RE = /^[A-Za-z0-9\-.!%*_+`'~[\]:]+$/;

export interface Quoted {
  /** index just past the closing DQUOTE */
  readonly end: number;
  /** the content with quoted-pairs resolved */
  readonly text: string;
}

/**
 * Reads a quoted-string whose opening DQUOTE is at `s[start]`.
 * RFC 3261 §25.1: quoted-string = SWS DQUOTE *(qdtext / quoted-pair ) DQUOTE;
 * quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F). Returns null when the quote never closes.
 */
export function readQuoted(s: string, start: number): Quoted | null {
  if (s[start] !== '"') return null;
  let text = "";
  for (let i = start + 1; i < s.length; i++) {
    const c = s[i]!;
    if (c === "\\") {
      if (i + 1 >= s.length) return null;
      text += s[i + 1]!;
      i++;
    } else if (c === '"') {
      return { end: i + 1, text };
    } else text += c;
  }
  return null;
}

/**
 * Splits `s` on `sep` where it stands outside quoted strings and outside `<...>`
 * (RFC 3261 §7.3.1: a comma inside a quoted display name or a bracketed URI does not separate
 * list elements). Pieces are returned untrimmed; an unbalanced quote runs to the end of `s`.
 */
export function splitOutside(s: string, sep: string): string[] {
  const out: string[] = [];
  let inQuote = false;
  let inAngle = false;
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (inQuote) {
      if (c === "\\") i++;
      else if (c === '"') inQuote = false;
    } else if (c === '"') inQuote = true;
    else if (c === "<") inAngle = true;
    else if (c === ">") inAngle = false;
    else if (c === sep && !inAngle) {
      out.push(s.slice(from, i));
      from = i + 1;
    }
  }
  out.push(s.slice(from));
  return out;
}

/** Index of `ch` outside quoted strings, or -1. */
export function indexOutsideQuotes(s: string, ch: string, from = 0): number {
  let inQuote = false;
  for (let i = from; i < s.length; i++) {
    const c = s[i]!;
    if (inQuote) {
      if (c === "\\") i++;
      else if (c === '"') inQuote = false;
    } else if (c === '"') inQuote = true;
    else if (c === ch) return i;
  }
  return -1;
}

export type Params = Readonly<Record<string, string | null>>;

/** Problems recorded per list at most (strict mode needs one; a hostile value may hold thousands). */
export const MAX_PROBLEMS = 8;

export interface ParamsParse {
  /** names lower-cased; quoted values unquoted; a name without `=` maps to null; first wins */
  readonly params: Params;
  /** grammar problems (empty parameter, bad name or value); empty when the list is clean */
  readonly problems: readonly string[];
}

/**
 * Parses `;`-separated generic parameters (the text AFTER the element the parameters follow,
 * starting with `;` or empty). RFC 3261 §25.1:
 *   generic-param = token [ EQUAL gen-value ]; gen-value = token / host / quoted-string;
 *   SEMI = SWS ";" SWS; EQUAL = SWS "=" SWS
 */
export function parseParams(text: string): ParamsParse {
  const rest = text.trim();
  if (rest === "") return { params: {}, problems: [] };
  return SIMPLE_PARAMS_RE.test(rest)
    ? (simpleParams(rest) ?? parseParamsGeneral(text))
    : parseParamsGeneral(text);
}

/**
 * A list with nothing to check: every piece `;token` or `;token=gen-value` (token/host only), no
 * quotes, no whitespace. Most lists on the wire (";branch=z9hG4bK...", ";tag=...", ";lr") are so;
 * for them this regex plus a split gives what parseParamsGeneral gives, at a fraction of the cost
 * (protocol/test/wire/sip/params-fast-path.property.test.ts checks the two agree).
 */
const SIMPLE_PARAMS_RE = /^(?:;[A-Za-z0-9\-.!%*_+`'~]+(?:=[A-Za-z0-9\-.!%*_+`'~[\]:]+)?)+$/;

function simpleParams(rest: string): ParamsParse | null {
  const params: Record<string, string | null> = {};
  const pieces = rest.split(";");
  for (let i = 1; i < pieces.length; i++) {
    const piece = pieces[i]!;
    const eq = piece.indexOf("=");
    const key = (eq < 0 ? piece : piece.slice(0, eq)).toLowerCase();
    // an own "__proto__" needs defineProperty semantics: left to the general path
    if (key === "__proto__") return null;
    if (Object.hasOwn(params, key)) continue;
    params[key] = eq < 0 ? null : piece.slice(eq + 1);
  }
  return { params, problems: [] };
}

/** The full RFC 3261 parse with problem reporting (what parseParams does for any list that is not simple). */
export function parseParamsGeneral(text: string): ParamsParse {
  const problems: string[] = [];
  const note = (p: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  const entries: [string, string | null][] = [];
  const seen = new Set<string>();
  const rest = text.trim();
  if (rest === "") return { params: {}, problems };
  if (rest[0] !== ";") note(`unexpected text before parameters: ${JSON.stringify(rest.slice(0, 20))}`);
  const pieces = splitOutside(rest, ";");
  // the piece before the first ';' is empty when the text starts with ';'
  const first = pieces.shift()!.trim();
  if (first !== "" && problems.length === 0) note("unexpected text before parameters");
  for (const raw of pieces) {
    const piece = raw.trim();
    if (piece === "") {
      note("empty parameter");
      continue;
    }
    const eq = indexOutsideQuotes(piece, "=");
    const name = (eq < 0 ? piece : piece.slice(0, eq)).trim();
    let value: string | null = null;
    if (!isToken(name)) note(`bad parameter name ${JSON.stringify(name)}`);
    if (eq >= 0) {
      const v = piece.slice(eq + 1).trim();
      if (v.startsWith('"')) {
        const q = readQuoted(v, 0);
        if (q === null) note(`unbalanced quotes in parameter ${JSON.stringify(name)}`);
        else if (q.end !== v.length) note(`text after quoted value of ${JSON.stringify(name)}`);
        value = q === null ? v.slice(1) : q.text;
      } else {
        if (!GEN_VALUE_RE.test(v)) note(`bad value for parameter ${JSON.stringify(name)}`);
        value = v;
      }
    }
    const key = name.toLowerCase();
    if (key === "" || seen.has(key)) continue;
    seen.add(key);
    entries.push([key, value]);
  }
  // Object.fromEntries defines own properties, so a "__proto__" parameter cannot touch the prototype
  return { params: Object.fromEntries(entries), problems };
}

/** Plain host syntax (RFC 3261 §25.1 host = hostname / IPv4address / IPv6reference), kept linear-time. */
export function isHost(h: string): boolean {
  if (h.startsWith("[")) return /^\[[0-9A-Fa-f:.]+\]$/.test(h) && h.includes(":");
  if (!/^[A-Za-z0-9._-]+$/.test(h)) return false;
  return !h.startsWith(".") && !h.startsWith("-") && !h.includes("..");
}

/** RFC 3986 §3.1 / RFC 3261 §25.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
export const SCHEME_RE = /^[A-Za-z][A-Za-z0-9+\-.]*$/;

/** An absoluteURI as it may appear in a header or the Request-URI: scheme ":" and no LWS/<>/DQUOTE. */
export function looksLikeAbsoluteUri(s: string): boolean {
  const colon = s.indexOf(":");
  if (colon <= 0 || colon === s.length - 1) return false;
  if (!SCHEME_RE.test(s.slice(0, colon))) return false;
  return !/[\s<>"]/.test(s);
}

/** Decimal digits only, parsed exactly; null when not all digits or beyond `max`. */
export function parseUint(s: string, max: number): number | null {
  if (!/^[0-9]+$/.test(s)) return null;
  const trimmed = s.replace(/^0+(?=[0-9])/, "");
  if (trimmed.length > 16) return null;
  const n = Number(trimmed);
  return n <= max ? n : null;
}
