/**
 * The text of WWW-Authenticate / Proxy-Authenticate / Authorization / Proxy-Authorization values.
 *
 * RFC 3261 §25.1 (from RFC 2617 §1.2 and §3.2.1-§3.2.2):
 *   challenge     = ("Digest" LWS digest-cln *(COMMA digest-cln)) / other-challenge
 *   credentials   = ("Digest" LWS digest-response) / other-response
 *   auth-param    = auth-param-name EQUAL ( token / quoted-string )
 * RFC 3261 §7.3.1: these four headers are the exceptions to comma-joining: commas separate
 * auth-params, so one header row is one challenge (or one set of credentials).
 *
 * Parsing never throws: an unreadable value gives null.
 */

export interface AuthParams {
  /** the scheme as written, e.g. "Digest" */
  readonly scheme: string;
  /** parameter names lower-cased; quoted values unquoted (quoted-pairs resolved) */
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN_RE = /^[A-Za-z0-9\-.!%*_+`'~]+/;

/** `Digest realm="a", nonce="b", qop="auth"` -> { scheme: "Digest", params: {...} }; null when unreadable. */
export function parseAuthParams(value: string): AuthParams | null {
  const text = value.trim();
  const scheme = TOKEN_RE.exec(text)?.[0];
  if (scheme === undefined) return null;
  const params: Record<string, string> = {};
  let i = scheme.length;
  const skipWs = (): void => {
    while (i < text.length && (text[i] === " " || text[i] === "\t")) i++;
  };
  for (;;) {
    skipWs();
    while (i < text.length && text[i] === ",") {
      i++;
      skipWs();
    }
    if (i >= text.length) break;
    const name = TOKEN_RE.exec(text.slice(i))?.[0];
    if (name === undefined) return null;
    i += name.length;
    skipWs();
    if (text[i] !== "=") return null;
    i++;
    skipWs();
    let val: string;
    if (text[i] === '"') {
      const q = readQuoted(text, i);
      if (q === null) return null;
      val = q.value;
      i = q.end;
    } else {
      const tok = /^[^\s,]*/.exec(text.slice(i))![0];
      val = tok;
      i += tok.length;
    }
    params[name.toLowerCase()] = val;
    skipWs();
    if (i < text.length && text[i] !== ",") return null;
  }
  return { scheme, params };
}

function readQuoted(s: string, start: number): { value: string; end: number } | null {
  let out = "";
  for (let i = start + 1; i < s.length; i++) {
    const c = s[i]!;
    if (c === "\\") {
      if (i + 1 >= s.length) return null;
      out += s[++i];
    } else if (c === '"') return { value: out, end: i + 1 };
    else out += c;
  }
  return null;
}

/** RFC 3261 §25.1 quoted-string: quotes and backslashes escaped with a backslash. */
export function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export interface AuthParamOut {
  readonly name: string;
  readonly value: string;
  /** written as a quoted-string (true) or as a token (false) */
  readonly quoted: boolean;
}

/** `Digest name="value", name=token, ...` in the given order. */
export function formatAuthParams(scheme: string, params: readonly AuthParamOut[]): string {
  return `${scheme} ${params.map((p) => `${p.name}=${p.quoted ? quote(p.value) : p.value}`).join(", ")}`;
}
