import { etherTypeToNet, ethernetToNet, type NetCursor } from "./ethernet.ts";
import { ETHERTYPE, LINKTYPE, LOOPBACK_FAMILY } from "./link-types.ts";
import type { UndecodedReason } from "./types.ts";

/*
 * Linux "cooked" capture v1, LINKTYPE_LINUX_SLL (113):
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Packet type           |        ARPHRD_ type           |
 *  |   Link-layer address length   |                               |
 *  |               Link-layer address (8, padded)                  |
 *  |                               |        Protocol type          |
 *
 * Linux cooked capture v2, LINKTYPE_LINUX_SLL2 (276):
 *
 *  |        Protocol type          |           Reserved            |
 *  |                       Interface index                         |
 *  |         ARPHRD_ type          |  Packet type  | Addr length   |
 *  |               Link-layer address (8, padded)                  |
 *
 * "Protocol type: [...] the Ethernet protocol type [...] for ARPHRD_IPGRE, it is a GRE protocol
 *  type" (linktypes/LINKTYPE_LINUX_SLL.html); values below 1536 name Linux pseudo-protocols
 *  (802.3, 802.2 LLC, CAN...), never IP. ARPHRD_NETLINK (824) carries netlink messages.
 *
 * BSD loopback, LINKTYPE_NULL (0) / LINKTYPE_LOOP (108):
 *  |                 Address family (32, host order / network order)             |
 */
const SLL_HEADER_BYTES = 16;
const SLL2_HEADER_BYTES = 20;
const ARPHRD_NETLINK = 824;

/**
 * Decodes the link header of a frame and writes where the network layer starts into `out`.
 * Returns null when it found a network layer (which may still be non-IP: see `out.etherType`),
 * or why the frame cannot be decoded.
 */
export function linkToNet(
  linkType: number,
  buf: Buffer,
  off: number,
  end: number,
  out: NetCursor,
): UndecodedReason | null {
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      return ethernetToNet(buf, off, end, out);
    case LINKTYPE.LINUX_SLL:
      if (end - off < SLL_HEADER_BYTES) return "link-malformed";
      if (buf.readUInt16BE(off + 2) === ARPHRD_NETLINK) return notIp(buf, off, end, out);
      return cookedProtocol(buf, buf.readUInt16BE(off + 14), off + SLL_HEADER_BYTES, end, out);
    case LINKTYPE.LINUX_SLL2:
      if (end - off < SLL2_HEADER_BYTES) return "link-malformed";
      if (buf.readUInt16BE(off + 8) === ARPHRD_NETLINK) return notIp(buf, off, end, out);
      return cookedProtocol(buf, buf.readUInt16BE(off), off + SLL2_HEADER_BYTES, end, out);
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP: {
      if (end - off < 4) return "link-malformed";
      // Host byte order for NULL; a family never exceeds 16 bits, so a large LE value is BE.
      let family = linkType === LINKTYPE.LOOP ? buf.readUInt32BE(off) : buf.readUInt32LE(off);
      if (family > 0xffff) family = buf.readUInt32BE(off);
      return setNet(buf, off + 4, end, out, familyToEtherType(family));
    }
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_DLT12:
    case LINKTYPE.RAW_DLT14:
      return setNet(buf, off, end, out, versionToEtherType(buf, off, end));
    case LINKTYPE.IPV4:
      return setNet(buf, off, end, out, ETHERTYPE.IPV4);
    case LINKTYPE.IPV6:
      return setNet(buf, off, end, out, ETHERTYPE.IPV6);
    default:
      return "link-type";
  }
}

/** SLL/SLL2 protocol field: an EtherType, a GRE protocol type (ARPHRD_IPGRE), or a Linux pseudo-protocol. */
function cookedProtocol(
  buf: Buffer,
  protocol: number,
  off: number,
  end: number,
  out: NetCursor,
): UndecodedReason | null {
  if (protocol < 1536) return setNet(buf, off, end, out, protocol);
  if (protocol === ETHERTYPE.TEB) return ethernetToNet(buf, off, end, out);
  return etherTypeToNet(buf, protocol, off, end, out);
}

function notIp(buf: Buffer, off: number, end: number, out: NetCursor): null {
  return setNet(buf, off, end, out, -1);
}

function setNet(buf: Buffer, off: number, end: number, out: NetCursor, etherType: number): null {
  out.buf = buf;
  out.off = off;
  out.end = end;
  out.etherType = etherType;
  return null;
}

function familyToEtherType(family: number): number {
  if (family === LOOPBACK_FAMILY.INET) return ETHERTYPE.IPV4;
  if (LOOPBACK_FAMILY.INET6.includes(family)) return ETHERTYPE.IPV6;
  return -1;
}

/** Raw IP: the version nibble says which. */
function versionToEtherType(buf: Buffer, off: number, end: number): number {
  if (off >= end) return -1;
  const version = buf[off]! >> 4;
  return version === 4 ? ETHERTYPE.IPV4 : version === 6 ? ETHERTYPE.IPV6 : -1;
}
