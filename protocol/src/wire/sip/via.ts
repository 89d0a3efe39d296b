/**
 * One Via element (a via-parm; split a Via header value into elements with getHeaders first).
 *
 * RFC 3261 §25.1:
 *   via-parm      = sent-protocol LWS sent-by *( SEMI via-params )
 *   sent-protocol = protocol-name SLASH protocol-version SLASH transport
 *   sent-by       = host [ COLON port ]
 *   via-params    = via-ttl / via-maddr / via-received / via-branch / via-extension
 *   SLASH = SWS "/" SWS;  COLON = SWS ":" SWS
 * RFC 3581 §3: response-port = "rport" [EQUAL 1*DIGIT]
 */
import { isHost, isToken, parseParams, parseUint } from "./grammar.ts";
import type { Params } from "./grammar.ts";

export interface Via {
  /** "SIP/2.0" as protocol-name "/" protocol-version, upper-cased, LWS removed */
  readonly protocol: string;
  /** upper-cased transport: "UDP", "TCP", "TLS", "SCTP", "WS", ... */
  readonly transport: string;
  /** as written; IPv6 references keep their brackets */
  readonly host: string;
  readonly port: number | null;
  readonly branch: string | null;
  readonly received: string | null;
  /** RFC 3581: true when present without a value, the port when filled in, null when absent */
  readonly rport: number | true | null;
  /** all parameters, names lower-cased */
  readonly params: Params;
}

export interface ViaAnalysis {
  readonly via: Via | null;
  readonly problems: readonly string[];
}

const SENT_PROTOCOL_RE = /^([^\s/;]+)\s*\/\s*([^\s/;]+)\s*\/\s*([^\s/;]+)\s+([^;]*)/;
const MAX_PORT = 65535;
const MAX_TTL = 255;

export function analyzeVia(value: string): ViaAnalysis {
  const v = value.trim();
  const m = SENT_PROTOCOL_RE.exec(v);
  if (m === null) return { via: null, problems: ["not protocol/version/transport sent-by"] };
  const problems: string[] = [];
  const [whole, name, version, transport, sentByText] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (![name, version, transport].every(isToken)) problems.push("sent-protocol is not three tokens");
  const sentBy = splitSentBy(sentByText.trim());
  if (sentBy === null)
    return { via: null, problems: [...problems, `bad sent-by ${JSON.stringify(sentByText.trim())}`] };
  const p = parseParams(v.slice(whole.length));
  problems.push(...p.problems);
  const params = p.params;
  const str = (k: string): string | null => (typeof params[k] === "string" ? (params[k] as string) : null);
  let rport: number | true | null = null;
  if (Object.hasOwn(params, "rport")) {
    const r = params["rport"];
    if (r === null || r === undefined || r === "") rport = true;
    else {
      const n = parseUint(r, MAX_PORT);
      if (n === null) problems.push("bad rport");
      rport = n ?? true;
    }
  }
  const ttl = str("ttl");
  if (ttl !== null && parseUint(ttl, MAX_TTL) === null) problems.push("bad ttl");
  const received = str("received");
  // RFC 3261 §25.1: via-received = "received" EQUAL (IPv4address / IPv6address), IPv6 without brackets
  if (received !== null && !isHost(received) && !/^[0-9A-Fa-f:.]+$/.test(received))
    problems.push("bad received");
  const via: Via = {
    protocol: `${name}/${version}`.toUpperCase(),
    transport: transport.toUpperCase(),
    host: sentBy.host,
    port: sentBy.port,
    branch: str("branch"),
    received,
    rport,
    params,
  };
  return { via, problems };
}

function splitSentBy(s: string): { host: string; port: number | null } | null {
  let host: string;
  let rest: string;
  if (s.startsWith("[")) {
    const close = s.indexOf("]");
    if (close < 0) return null;
    host = s.slice(0, close + 1);
    rest = s.slice(close + 1).trim();
  } else {
    const m = /^([^\s:]+)\s*(.*)$/.exec(s);
    if (m === null) return null;
    host = m[1]!;
    rest = m[2]!;
  }
  if (!isHost(host)) return null;
  if (rest === "") return { host, port: null };
  if (!rest.startsWith(":")) return null;
  const port = parseUint(rest.slice(1).trim(), MAX_PORT);
  return port === null ? null : { host, port };
}

/** Lenient parse of one via-parm; null when it is not protocol/version/transport host[:port]. */
export function parseVia(value: string): Via | null {
  return analyzeVia(value).via;
}
