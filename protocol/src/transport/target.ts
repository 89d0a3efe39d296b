/**
 * The transport address a SIP URI names, without DNS (a subset of RFC 3263 §4).
 *
 * RFC 3263 §4.1: "If the URI specifies a transport protocol in the transport parameter, that
 * transport protocol SHOULD be used." RFC 3263 §4.2: "If the TARGET was not a numeric IP address,
 * but a port is present in the URI, the client performs an A or AAAA record lookup" -> not done:
 * a host name is refused ("no DNS"), and the lab runs on IP literals. With a numeric IP and no
 * port, RFC 3261 §19.1.2 gives 5060 for UDP and TCP. sips: (TLS) is not served.
 */
import { parseSipUri } from "../wire/sip/index.ts";
import { isIpLiteral, normalizeIp } from "./address.ts";
import { DEFAULT_SIP_PORT } from "./response-route.ts";
import type { TransportAddress, TransportProtocol } from "./types.ts";

export type UriTarget =
  { readonly ok: true; readonly address: TransportAddress } | { readonly ok: false; readonly reason: string };

export function targetOfUri(uri: string, defaultTransport: TransportProtocol = "udp"): UriTarget {
  const u = parseSipUri(uri);
  if (u === null) return { ok: false, reason: `not a URI: ${uri}` };
  if (u.scheme !== "sip") return { ok: false, reason: `scheme ${u.scheme} is not served (sip only)` };
  if (!isIpLiteral(u.host)) return { ok: false, reason: `host ${u.host} is not an IP literal (no DNS)` };
  const param = u.params["transport"]?.toLowerCase();
  const transport = param === undefined || param === null ? defaultTransport : param;
  if (transport !== "udp" && transport !== "tcp")
    return { ok: false, reason: `transport ${transport} is not served` };
  return { ok: true, address: { host: normalizeIp(u.host), port: u.port ?? DEFAULT_SIP_PORT, transport } };
}
