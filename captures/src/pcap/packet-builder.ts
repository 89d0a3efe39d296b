/*
 * Builders of IP / UDP / TCP packets for synthesised captures (tests, benchmarks). Header layouts
 * are diagrammed beside their decoders (ip.ts, ipv6-reassembly.ts, udp.ts, tcp-header.ts).
 * Checksums are left 0: the decoders never validate them.
 */

/** "192.0.2.1" -> 4 bytes. */
export function ipv4Bytes(addr: string): Buffer {
  const parts = addr.split(".").map((p) => Number(p));
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new RangeError(`not an IPv4 address: ${addr}`);
  }
  return Buffer.from(parts);
}

/** "2001:db8::1" -> 16 bytes (hex groups with at most one "::"). */
export function ipv6Bytes(addr: string): Buffer {
  const [head, tail, extra] = addr.split("::");
  if (extra !== undefined) throw new RangeError(`not an IPv6 address: ${addr}`);
  const groups = (s: string | undefined) => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = groups(tail);
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  const all = [...h, ...new Array<number>(fill).fill(0), ...t];
  if (all.length !== 8 || all.some((g) => !(g >= 0 && g <= 0xffff))) {
    throw new RangeError(`not an IPv6 address: ${addr}`);
  }
  const b = Buffer.alloc(16);
  all.forEach((g, i) => b.writeUInt16BE(g, 2 * i));
  return b;
}

export interface Ipv4Options {
  id?: number;
  /** fragment offset in BYTES (a multiple of 8) */
  fragOffset?: number;
  moreFragments?: boolean;
  dontFragment?: boolean;
  ttl?: number;
  /** override Total Length (to test inconsistent headers) */
  totalLength?: number;
  /** IP options (padded to 4 bytes by the caller) */
  options?: Buffer;
}

export function ipv4(src: string, dst: string, proto: number, payload: Buffer, o: Ipv4Options = {}): Buffer {
  const opts = o.options ?? Buffer.alloc(0);
  const hl = 20 + opts.length;
  const h = Buffer.alloc(hl);
  h[0] = 0x40 | (hl / 4);
  h.writeUInt16BE(o.totalLength ?? hl + payload.length, 2);
  h.writeUInt16BE(o.id ?? 0, 4);
  const flags = (o.dontFragment ? 0x4000 : 0) | (o.moreFragments ? 0x2000 : 0);
  h.writeUInt16BE(flags | ((o.fragOffset ?? 0) / 8), 6);
  h[8] = o.ttl ?? 64;
  h[9] = proto;
  ipv4Bytes(src).copy(h, 12);
  ipv4Bytes(dst).copy(h, 16);
  opts.copy(h, 20);
  return Buffer.concat([h, payload]);
}

/** An IPv6 extension header with 8-octet-unit length (hop-by-hop, routing, destination options). */
export function ipv6ExtensionHeader(nextHeader: number, bodyBytes = 6): Buffer {
  const len = Math.ceil((bodyBytes + 2) / 8) * 8;
  const h = Buffer.alloc(len);
  h[0] = nextHeader;
  h[1] = len / 8 - 1;
  return h;
}

/** IPv6 Fragment header (RFC 8200 §4.5); `fragOffset` in BYTES. */
export function ipv6FragmentHeader(
  nextHeader: number,
  fragOffset: number,
  more: boolean,
  id: number,
): Buffer {
  const h = Buffer.alloc(8);
  h[0] = nextHeader;
  h.writeUInt16BE((fragOffset & 0xfff8) | (more ? 1 : 0), 2);
  h.writeUInt32BE(id >>> 0, 4);
  return h;
}

/** IPv6 packet; `nextHeader` names the first header of `payload` (which may start with extensions). */
export function ipv6(src: string, dst: string, nextHeader: number, payload: Buffer, hopLimit = 64): Buffer {
  const h = Buffer.alloc(40);
  h.writeUInt32BE(0x60000000, 0);
  h.writeUInt16BE(payload.length, 4);
  h[6] = nextHeader;
  h[7] = hopLimit;
  ipv6Bytes(src).copy(h, 8);
  ipv6Bytes(dst).copy(h, 24);
  return Buffer.concat([h, payload]);
}

export function udp(srcPort: number, dstPort: number, payload: Buffer, lengthField?: number): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(srcPort, 0);
  h.writeUInt16BE(dstPort, 2);
  h.writeUInt16BE(lengthField ?? 8 + payload.length, 4);
  return Buffer.concat([h, payload]);
}

export interface TcpOptions {
  syn?: boolean;
  fin?: boolean;
  rst?: boolean;
  /** ACK flag (default true unless syn without ack is wanted: set ack=false) */
  ack?: boolean;
  ackNumber?: number;
}

export function tcp(
  srcPort: number,
  dstPort: number,
  seq: number,
  payload: Buffer,
  o: TcpOptions = {},
): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(srcPort, 0);
  h.writeUInt16BE(dstPort, 2);
  h.writeUInt32BE(seq >>> 0, 4);
  h.writeUInt32BE((o.ackNumber ?? 0) >>> 0, 8);
  h[12] = 5 << 4;
  h[13] = (o.fin ? 0x01 : 0) | (o.syn ? 0x02 : 0) | (o.rst ? 0x04 : 0) | (o.ack === false ? 0 : 0x10);
  h.writeUInt16BE(65535, 14);
  return Buffer.concat([h, payload]);
}

/** IPv4 or IPv6 (by the address form) carrying UDP. */
export function ipUdp(src: string, dst: string, srcPort: number, dstPort: number, payload: Buffer): Buffer {
  const seg = udp(srcPort, dstPort, payload);
  return src.includes(":") ? ipv6(src, dst, 17, seg) : ipv4(src, dst, 17, seg);
}

/** IPv4 or IPv6 (by the address form) carrying a TCP segment. */
export function ipTcp(
  src: string,
  dst: string,
  srcPort: number,
  dstPort: number,
  seq: number,
  payload: Buffer,
  o: TcpOptions = {},
): Buffer {
  const seg = tcp(srcPort, dstPort, seq, payload, o);
  return src.includes(":") ? ipv6(src, dst, 6, seg) : ipv4(src, dst, 6, seg);
}
