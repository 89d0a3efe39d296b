import { ETHERTYPE, LINKTYPE } from "./link-types.ts";

/*
 * Builders of link-layer and tunnel headers for synthesised captures. Layouts are diagrammed
 * beside their decoders (ethernet.ts, link.ts, gre.ts).
 */

const MAC_DST = Buffer.from([0x00, 0x50, 0x56, 0x00, 0x00, 0x02]);
const MAC_SRC = Buffer.from([0x00, 0x50, 0x56, 0x00, 0x00, 0x01]);

export interface VlanTag {
  /** 0x8100 (802.1Q), 0x88A8 (802.1ad), 0x9100 */
  tpid: number;
  vid: number;
}

/** Ethernet II frame, with VLAN tags outermost first. */
export function ethernet(etherType: number, payload: Buffer, vlans: VlanTag[] = []): Buffer {
  const parts: Buffer[] = [MAC_DST, MAC_SRC];
  for (const v of vlans) {
    const t = Buffer.alloc(4);
    t.writeUInt16BE(v.tpid, 0);
    t.writeUInt16BE(v.vid & 0x0fff, 2);
    parts.push(t);
  }
  const et = Buffer.alloc(2);
  et.writeUInt16BE(etherType, 0);
  parts.push(et, payload);
  return Buffer.concat(parts);
}

/** Linux cooked v1 header (packet type 0 "to us", ARPHRD_ETHER). */
export function sll(protocol: number, payload: Buffer, arphrd = 1): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt16BE(0, 0);
  h.writeUInt16BE(arphrd, 2);
  h.writeUInt16BE(6, 4);
  MAC_SRC.copy(h, 6);
  h.writeUInt16BE(protocol, 14);
  return Buffer.concat([h, payload]);
}

/** Linux cooked v2 header. */
export function sll2(protocol: number, payload: Buffer, arphrd = 1, ifIndex = 2): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(protocol, 0);
  h.writeUInt32BE(ifIndex, 4);
  h.writeUInt16BE(arphrd, 8);
  h[10] = 0;
  h[11] = 6;
  MAC_SRC.copy(h, 12);
  return Buffer.concat([h, payload]);
}

/** BSD loopback (DLT_NULL: host order, here chosen; DLT_LOOP: always "be"). */
export function nullLoopback(family: number, payload: Buffer, byteOrder: "le" | "be"): Buffer {
  const h = Buffer.alloc(4);
  if (byteOrder === "le") h.writeUInt32LE(family, 0);
  else h.writeUInt32BE(family, 0);
  return Buffer.concat([h, payload]);
}

/** PPPoE session header + PPP protocol (0x0021 IPv4, 0x0057 IPv6), inside Ethernet type 0x8864. */
export function pppoeSession(pppProtocol: number, payload: Buffer, sessionId = 1): Buffer {
  const h = Buffer.alloc(8);
  h[0] = 0x11;
  h.writeUInt16BE(sessionId, 2);
  h.writeUInt16BE(payload.length + 2, 4);
  h.writeUInt16BE(pppProtocol, 6);
  return Buffer.concat([h, payload]);
}

export interface GreOptions {
  key?: number;
  sequence?: number;
  checksum?: boolean;
}

/** GRE version 0 header + payload. */
export function gre(protocol: number, payload: Buffer, o: GreOptions = {}): Buffer {
  let flags = 0;
  const extra: Buffer[] = [];
  if (o.checksum) {
    flags |= 0x8000;
    extra.push(Buffer.alloc(4));
  }
  if (o.key !== undefined) {
    flags |= 0x2000;
    const k = Buffer.alloc(4);
    k.writeUInt32BE(o.key >>> 0, 0);
    extra.push(k);
  }
  if (o.sequence !== undefined) {
    flags |= 0x1000;
    const s = Buffer.alloc(4);
    s.writeUInt32BE(o.sequence >>> 0, 0);
    extra.push(s);
  }
  const h = Buffer.alloc(4);
  h.writeUInt16BE(flags, 0);
  h.writeUInt16BE(protocol, 2);
  return Buffer.concat([h, ...extra, payload]);
}

/** GRE + ERSPAN type II header (version 1) around an Ethernet frame. */
export function erspan2(ethernetFrame: Buffer, sessionId = 1, sequence = 1): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE((1 << 12) | 0, 0);
  h.writeUInt16BE(sessionId & 0x3ff, 2);
  return gre(ETHERTYPE.ERSPAN_2, Buffer.concat([h, ethernetFrame]), { sequence });
}

/** GRE + ERSPAN type III header (version 2); frameType 0 = Ethernet, 2 = IP. */
export function erspan3(
  inner: Buffer,
  frameType: 0 | 2 = 0,
  platformSubheader = false,
  sequence = 1,
): Buffer {
  const h = Buffer.alloc(12 + (platformSubheader ? 8 : 0));
  h.writeUInt16BE((2 << 12) | 0, 0);
  h.writeUInt16BE(1, 2);
  h.writeUInt32BE(0x01020304, 4);
  h.writeUInt16BE(((frameType & 0x1f) << 10) | (platformSubheader ? 1 : 0), 10);
  return gre(ETHERTYPE.ERSPAN_3, Buffer.concat([h, inner]), { sequence });
}

/** Wraps an IP packet in the link header of `linkType` (Ethernet, SLL, SLL2, NULL, LOOP, raw). */
export function ipToLink(linkType: number, ipPacket: Buffer): Buffer {
  const v6 = ipPacket.length > 0 && ipPacket[0]! >> 4 === 6;
  const etherType = v6 ? ETHERTYPE.IPV6 : ETHERTYPE.IPV4;
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      return ethernet(etherType, ipPacket);
    case LINKTYPE.LINUX_SLL:
      return sll(etherType, ipPacket);
    case LINKTYPE.LINUX_SLL2:
      return sll2(etherType, ipPacket);
    case LINKTYPE.NULL:
      return nullLoopback(v6 ? 30 : 2, ipPacket, "le");
    case LINKTYPE.LOOP:
      return nullLoopback(v6 ? 24 : 2, ipPacket, "be");
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_DLT12:
    case LINKTYPE.RAW_DLT14:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
      return ipPacket;
    default:
      throw new RangeError(`no builder for link type ${linkType}`);
  }
}
