/**
 * SIP, SIPS and tel URIs (RFC 3261 §19.1, RFC 3966 §3); other schemes are kept opaque.
 *
 * RFC 3261 §19.1.1:
 *   sip:user:password@host:port;uri-parameters?headers
 * RFC 3261 §25.1:
 *   SIP-URI  = "sip:" [ userinfo ] hostport uri-parameters [ headers ]
 *   userinfo = ( user / telephone-subscriber ) [ ":" password ] "@"
 *   hostport = host [ ":" port ];  host = hostname / IPv4address / IPv6reference
 *   uri-parameters = *( ";" uri-parameter );  headers = "?" header *( "&" header )
 * Neither `user`, `password`, parameters nor headers may hold an unescaped "@", so the first "@"
 * ends the userinfo (the user part may hold ";", "?" and "/": RFC 4475 §3.1.1.2 and §3.1.1.9).
 */
import { isHost, parseUint, SCHEME_RE } from "./grammar.ts";

export interface SipUri {
  /** lower-cased scheme: "sip", "sips", "tel" or any other absoluteURI scheme */
  readonly scheme: "sip" | "sips" | "tel" | (string & {});
  /** user part with %HH escapes decoded (RFC 3261 §19.1.4); the number for tel URIs */
  readonly user: string | null;
  readonly password: string | null;
  /** as written; IPv6 references keep their brackets, e.g. "[2001:db8::1]"; "" for tel/other */
  readonly host: string;
  readonly port: number | null;
  /** names lower-cased, names and values %-decoded; a parameter without "=" maps to null */
  readonly params: Readonly<Record<string, string | null>>;
  /** URI headers (`?name=value&...`), names as written, values %-decoded; first wins */
  readonly headers: Readonly<Record<string, string>>;
  /** everything after "scheme:", as written */
  readonly opaque: string;
}

const MAX_PORT = 65535;

/** Decodes %HH escapes as UTF-8 octets; a "%" not followed by two hex digits stays literal. */
export function decodeEscapes(s: string): string {
  if (!s.includes("%")) return s;
  return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) =>
    Buffer.from(run.replace(/%/g, ""), "hex").toString("utf8"),
  );
}

/** Parses a URI given bare or inside `<...>`; null when it is not a URI at all. */
export function parseSipUri(text: string): SipUri | null {
  let t = text.trim();
  if (t.startsWith("<") && t.endsWith(">")) t = t.slice(1, -1).trim();
  const colon = t.indexOf(":");
  if (colon <= 0 || /\s/.test(t)) return null;
  const schemeText = t.slice(0, colon);
  if (!SCHEME_RE.test(schemeText)) return null;
  const scheme = schemeText.toLowerCase();
  const opaque = t.slice(colon + 1);
  if (opaque === "") return null;
  if (scheme === "sip" || scheme === "sips") return parseSipLike(scheme, opaque);
  if (scheme === "tel") {
    // RFC 3966 §3: telephoneuri = "tel:" telephone-subscriber; parameters follow ";"
    const semi = opaque.indexOf(";");
    const number = semi < 0 ? opaque : opaque.slice(0, semi);
    if (number === "") return null;
    const params = semi < 0 ? {} : parseUriParams(opaque.slice(semi + 1));
    return {
      scheme,
      user: decodeEscapes(number),
      password: null,
      host: "",
      port: null,
      params,
      headers: {},
      opaque,
    };
  }
  return { scheme, user: null, password: null, host: "", port: null, params: {}, headers: {}, opaque };
}

function parseSipLike(scheme: string, opaque: string): SipUri | null {
  const at = opaque.indexOf("@");
  const userinfo = at < 0 ? null : opaque.slice(0, at);
  const afterUser = at < 0 ? opaque : opaque.slice(at + 1);
  const q = afterUser.indexOf("?");
  const main = q < 0 ? afterUser : afterUser.slice(0, q);
  const headersText = q < 0 ? "" : afterUser.slice(q + 1);
  const semi = main.indexOf(";");
  const hostport = semi < 0 ? main : main.slice(0, semi);
  const hp = splitHostPort(hostport);
  if (hp === null) return null;
  let user: string | null = null;
  let password: string | null = null;
  if (userinfo !== null) {
    const c = userinfo.indexOf(":");
    user = decodeEscapes(c < 0 ? userinfo : userinfo.slice(0, c));
    password = c < 0 ? null : decodeEscapes(userinfo.slice(c + 1));
  }
  return {
    scheme,
    user,
    password,
    host: hp.host,
    port: hp.port,
    params: semi < 0 ? {} : parseUriParams(main.slice(semi + 1)),
    headers: parseUriHeaders(headersText),
    opaque,
  };
}

function splitHostPort(hostport: string): { host: string; port: number | null } | null {
  let host: string;
  let portText: string | null = null;
  if (hostport.startsWith("[")) {
    const close = hostport.indexOf("]");
    if (close < 0) return null;
    host = hostport.slice(0, close + 1);
    const rest = hostport.slice(close + 1);
    if (rest !== "") {
      if (!rest.startsWith(":")) return null;
      portText = rest.slice(1);
    }
  } else {
    const c = hostport.indexOf(":");
    host = c < 0 ? hostport : hostport.slice(0, c);
    portText = c < 0 ? null : hostport.slice(c + 1);
  }
  if (!isHost(host)) return null;
  if (portText === null) return { host, port: null };
  const port = parseUint(portText, MAX_PORT);
  return port === null ? null : { host, port };
}

/** RFC 3261 §25.1: uri-parameter = transport-param / ... / other-param; other-param = pname [ "=" pvalue ] */
function parseUriParams(text: string): Record<string, string | null> {
  const entries: [string, string | null][] = [];
  const seen = new Set<string>();
  for (const piece of text.split(";")) {
    if (piece === "") continue;
    const eq = piece.indexOf("=");
    const name = decodeEscapes(eq < 0 ? piece : piece.slice(0, eq)).toLowerCase();
    if (seen.has(name)) continue;
    seen.add(name);
    entries.push([name, eq < 0 ? null : decodeEscapes(piece.slice(eq + 1))]);
  }
  return Object.fromEntries(entries);
}

/** RFC 3261 §25.1: headers = "?" header *( "&" header ); header = hname "=" hvalue */
function parseUriHeaders(text: string): Record<string, string> {
  const entries: [string, string][] = [];
  const seen = new Set<string>();
  for (const piece of text.split("&")) {
    if (piece === "") continue;
    const eq = piece.indexOf("=");
    const name = decodeEscapes(eq < 0 ? piece : piece.slice(0, eq));
    if (seen.has(name)) continue;
    seen.add(name);
    entries.push([name, eq < 0 ? "" : decodeEscapes(piece.slice(eq + 1))]);
  }
  return Object.fromEntries(entries);
}
