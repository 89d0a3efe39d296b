import { ETHERTYPE, PPP_PROTOCOL } from "./link-types.ts";
import type { UndecodedReason } from "./types.ts";
import { readU16 } from "../../../protocol/src/wire/bytes.ts";

/** Where the network layer starts: written by the link decoders (one object, reused). */
export interface NetCursor {
  buf: Buffer;
  off: number;
  end: number;
  /** EtherType of the bytes at `off` (ETHERTYPE.IPV4 / IPV6 for IP), or the last one not understood */
  etherType: number;
}

export function newNetCursor(): NetCursor {
  return { buf: Buffer.alloc(0), off: 0, end: 0, etherType: -1 };
}

/** Stacked VLAN tags / MPLS labels beyond this are malformed (a loop guard on hostile input). */
const MAX_SHIM_HEADERS = 16;

/*
 * Ethernet II / IEEE 802.3 (IEEE 802.3 §3.1.1):
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  Destination MAC (48)                         |
 *  |                               |       Source MAC (48)         |
 *  |                                                               |
 *  |      EtherType / Length       |  payload ...
 *
 * "If the value of this field is greater than or equal to 1536 decimal, then the Length/Type
 *  field indicates the [EtherType]" (802.3 §3.2.6); below that it is a length and an 802.2 LLC
 *  header follows (SNAP: DSAP=SSAP=0xAA, control 0x03, OUI (3), EtherType (2)).
 */
export function ethernetToNet(buf: Buffer, off: number, end: number, out: NetCursor): UndecodedReason | null {
  if (end - off < 14) return "link-malformed";
  return etherTypeToNet(buf, readU16(buf, off + 12), off + 14, end, out);
}

/*
 * Follows EtherType `type`, whose payload starts at `off`, through shim headers to the network layer:
 *
 * IEEE 802.1Q tag (TPID 0x8100; 802.1ad S-tag 0x88A8; 0x9100/0x9200 pre-standard QinQ), the TPID
 * being the EtherType just read:
 *  | PCP |D|        VID (12)       |        next EtherType         |
 *
 * PPPoE session stage (RFC 2516 §4, EtherType 0x8864):
 *  | VER | TYPE |     CODE      |          SESSION_ID           |
 *  |            LENGTH             |   PPP Protocol (16)   |  PPP payload
 *
 * MPLS label stack entry (RFC 3032 §2.1, EtherType 0x8847/0x8848):
 *  |                Label (20)             | TC  |S|     TTL       |
 *  "S: Bottom of Stack"; the payload's type is not signalled, so the IP version nibble decides.
 */
export function etherTypeToNet(
  buf: Buffer,
  type: number,
  off: number,
  end: number,
  out: NetCursor,
): UndecodedReason | null {
  out.buf = buf;
  out.end = end;
  for (let depth = 0; depth <= MAX_SHIM_HEADERS; depth++) {
    out.etherType = type;
    out.off = off;
    switch (type) {
      case ETHERTYPE.IPV4:
      case ETHERTYPE.IPV6:
        return null;
      case ETHERTYPE.VLAN_8021Q:
      case ETHERTYPE.QINQ_8021AD:
      case ETHERTYPE.QINQ_9100:
      case ETHERTYPE.QINQ_9200:
        if (end - off < 4) return "link-malformed";
        type = buf.readUInt16BE(off + 2);
        off += 4;
        continue;
      case ETHERTYPE.PPPOE_SESSION: {
        if (end - off < 8) return "link-malformed";
        const ppp = buf.readUInt16BE(off + 6);
        out.end = Math.min(end, off + 6 + buf.readUInt16BE(off + 4));
        out.off = off + 8;
        out.etherType =
          ppp === PPP_PROTOCOL.IPV4 ? ETHERTYPE.IPV4 : ppp === PPP_PROTOCOL.IPV6 ? ETHERTYPE.IPV6 : type;
        return null;
      }
      case ETHERTYPE.MPLS_UNICAST:
      case ETHERTYPE.MPLS_MULTICAST:
        return mplsToNet(buf, off, end, out);
      default:
        if (type < 1536) return llcToNet(buf, off, end, out);
        return null;
    }
  }
  return "link-malformed";
}

function mplsToNet(buf: Buffer, off: number, end: number, out: NetCursor): UndecodedReason | null {
  let p = off;
  for (let depth = 0; depth < MAX_SHIM_HEADERS; depth++) {
    if (end - p < 4) return "link-malformed";
    const bottom = (buf[p + 2]! & 0x01) === 1;
    p += 4;
    if (!bottom) continue;
    out.off = p;
    if (p < end) {
      const version = buf[p]! >> 4;
      if (version === 4) out.etherType = ETHERTYPE.IPV4;
      else if (version === 6) out.etherType = ETHERTYPE.IPV6;
    }
    return null;
  }
  return "link-malformed";
}

/* 802.2 LLC: DSAP (8) | SSAP (8) | Control (8) [ | SNAP OUI (24) | EtherType (16) ] */
function llcToNet(buf: Buffer, off: number, end: number, out: NetCursor): UndecodedReason | null {
  out.etherType = ETHERTYPE.LLC;
  const snap = end - off >= 8 && buf[off] === 0xaa && buf[off + 1] === 0xaa && buf[off + 2] === 0x03;
  // Only a real EtherType may follow (a length here again would let hostile input recurse).
  if (snap && buf.readUInt16BE(off + 6) >= 1536)
    return etherTypeToNet(buf, buf.readUInt16BE(off + 6), off + 8, end, out);
  return null;
}
