/**
 * The server transport's edit of the top Via of every received request.
 *
 * RFC 3261 §18.2.1: "When the server transport receives a request over any transport, it MUST
 * examine the value of the "sent-by" parameter in the top Via header field value. If the host
 * portion of the "sent-by" parameter contains a domain name, or if it contains an IP address that
 * differs from the packet source address, the server MUST add a "received" parameter to that Via
 * header field value. This parameter MUST contain the source address from which the packet was
 * received."
 * RFC 3581 §4: "When a server compliant to this specification (which can be a proxy or UAS)
 * receives a request, it examines the topmost Via header field value. If this Via header field
 * value contains an "rport" parameter with no value, it MUST set the value of the parameter to
 * the source port of the request. ... When there is an rport parameter ... the server MUST add a
 * received parameter containing the source IP address that the request came from, even if it is
 * identical to the value of the "sent-by" component."
 * RFC 3261 §25.1: via-received = "received" EQUAL (IPv4address / IPv6address): no brackets.
 */
import type { SipHeader, SipRequest } from "../wire/sip/index.ts";
import { parseVia } from "../wire/sip/index.ts";
import { isIpLiteral, normalizeIp, sameIp } from "./address.ts";

export interface PacketSource {
  readonly host: string;
  readonly port: number;
}

/** The request with its top Via stamped; the same object when nothing had to change. */
export function stampVia(request: SipRequest, source: PacketSource): SipRequest {
  const index = request.headers.findIndex((h) => h.name === "via");
  if (index < 0) return request;
  const header = request.headers[index]!;
  const split = splitTopLevel(header.value, ",");
  const top = split[0]!;
  const via = parseVia(top);
  if (via === null) return request;
  const fillRport = via.rport === true;
  const addReceived = via.rport !== null || !isIpLiteral(via.host) || !sameIp(via.host, source.host);
  if (!fillRport && !addReceived) return request;

  const [sentBy, ...params] = splitTopLevel(top, ";");
  const kept: string[] = [];
  for (const p of params) {
    const name = p.split("=")[0]!.trim().toLowerCase();
    if (name === "received" && addReceived) continue;
    kept.push(name === "rport" && fillRport ? `rport=${source.port}` : p.trim());
  }
  if (addReceived) kept.push(`received=${normalizeIp(source.host)}`);
  const element = [sentBy!.trimEnd(), ...kept].join(";");
  const value = [element, ...split.slice(1)].join(",");
  const headers: SipHeader[] = [...request.headers];
  headers[index] = { ...header, value };
  return { ...request, headers };
}

/** Splits on `sep` outside double quotes (quoted-pairs respected); pieces keep their spaces. */
export function splitTopLevel(s: string, sep: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted && c === "\\") i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && c === sep) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}
