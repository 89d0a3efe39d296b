/**
 * IP address helpers: comparison per RFC 3261 §18.2.1 ("an IP address that differs from the packet
 * source address"), keys for connection tables, and the bracketed form for Via and URIs
 * (RFC 3261 §25.1: IPv6reference = "[" IPv6address "]").
 */
import { isIP } from "node:net";
import type { TransportAddress } from "./types.ts";

/** "[::1]" -> "::1"; other text unchanged. */
export function stripBrackets(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/** True for an IPv4 or IPv6 literal, with or without brackets. */
export function isIpLiteral(host: string): boolean {
  return isIP(stripBrackets(host)) !== 0;
}

/**
 * A canonical text for an IP literal so two spellings compare equal: IPv6 lower-cased and
 * zero-compressed (RFC 5952 §4), IPv4-mapped IPv6 (::ffff:a.b.c.d, what a dual-stack socket
 * reports) as plain IPv4. Non-IP text is returned lower-cased.
 */
export function normalizeIp(host: string): string {
  const h = stripBrackets(host.trim()).toLowerCase();
  const family = isIP(h);
  if (family === 4) return h;
  if (family !== 6) return h;
  const mapped = /^(?:0{0,4}:){0,4}:?(?:0{0,4}:)?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  if (mapped !== null && isIP(mapped[1]!) === 4) return mapped[1]!;
  return compressIpv6(expandIpv6(h));
}

/** Eight 16-bit groups (embedded IPv4 tail converted). */
function expandIpv6(h: string): number[] {
  let text = h;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4 !== null) {
    const o = v4[1]!.split(".").map(Number);
    text = `${text.slice(0, v4.index)}${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, null];
  const a = head === "" || head === undefined ? [] : head.split(":");
  const b = tail === null || tail === "" ? [] : tail.split(":");
  const fill = tail === null ? 0 : 8 - a.length - b.length;
  return [...a, ...Array<string>(fill).fill("0"), ...b].map((g) => parseInt(g, 16));
}

function compressIpv6(groups: number[]): string {
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

/** Same IP written differently? ("::ffff:127.0.0.1" equals "127.0.0.1"). */
export function sameIp(a: string, b: string): boolean {
  return normalizeIp(a) === normalizeIp(b);
}

/** "[::1]" for IPv6, the text itself otherwise (for Via sent-by, Contact and Request-URIs). */
export function hostForUri(host: string): string {
  const h = stripBrackets(host);
  return isIP(h) === 6 ? `[${h}]` : h;
}

/** A key for connection tables: transport, canonical IP and port. */
export function addressKey(a: TransportAddress): string {
  return `${a.transport}:${normalizeIp(a.host)}:${a.port}`;
}

/** "udp 127.0.0.1:5060" for messages and events. */
export function formatAddress(a: TransportAddress): string {
  return `${a.transport} ${hostForUri(a.host)}:${a.port}`;
}
