import { newNetCursor, type NetCursor } from "./ethernet.ts";
import type { FragmentLimits } from "./fragment-table.ts";
import { greToNet } from "./gre.ts";
import { Ipv4Names, Ipv6Names } from "./ip-address.ts";
import { Ipv4Reassembly } from "./ipv4-reassembly.ts";
import { IPV6_FRAGMENT_HEADER_BYTES, Ipv6Reassembly } from "./ipv6-reassembly.ts";
import { ETHERTYPE } from "./link-types.ts";
import type { UndecodedReason } from "./types.ts";
import { readU16 } from "../../../protocol/src/wire/bytes.ts";

/** IANA "Assigned Internet Protocol Numbers" that the decoder treats specially. */
export const IP_PROTO = Object.freeze({
  HOPOPT: 0,
  IPV4: 4,
  TCP: 6,
  UDP: 17,
  IPV6: 41,
  ROUTING: 43,
  FRAGMENT: 44,
  GRE: 47,
  AH: 51,
  NO_NEXT: 59,
  DSTOPTS: 60,
  MOBILITY: 135,
  HIP: 139,
  SHIM6: 140,
  SCTP: 132,
});

/** The innermost IP payload: written by IpDecoder.decode (one object, reused). */
export interface TransportCursor {
  buf: Buffer;
  off: number;
  end: number;
  /** IP protocol number of the bytes at `off` */
  proto: number;
  srcIp: string;
  dstIp: string;
}

/** null: `out` holds a transport payload; "pending": a fragment was kept for reassembly. */
export type IpResult = UndecodedReason | "pending" | null;

/** IP-in-IP / GRE nesting deeper than this is treated as malformed (a loop guard). */
const MAX_TUNNEL_DEPTH = 8;
/** IPv6 extension headers per packet beyond this are malformed (RFC 8200 allows a handful). */
const MAX_EXTENSION_HEADERS = 16;

/**
 * Walks IPv4 / IPv6 headers down to the first non-IP, non-tunnel protocol: reassembles
 * fragments, skips IPv6 extension headers and unwraps IP-in-IP (4, 41) and GRE (47, including
 * Ethernet over GRE and ERSPAN). Checksums are never validated (loopback and offloaded captures
 * carry wrong ones). Never throws on bad bytes.
 */
export class IpDecoder {
  readonly out: TransportCursor = { buf: Buffer.alloc(0), off: 0, end: 0, proto: -1, srcIp: "", dstIp: "" };
  /** for undecoded frames: the EtherType or protocol number not understood */
  detail = -1;
  private readonly inner: NetCursor = newNetCursor();
  private readonly v4names = new Ipv4Names();
  private readonly v6names = new Ipv6Names();
  private readonly v4frag: Ipv4Reassembly;
  private readonly v6frag: Ipv6Reassembly;

  constructor(fragmentLimits?: FragmentLimits) {
    this.v4frag = new Ipv4Reassembly(fragmentLimits);
    this.v6frag = new Ipv6Reassembly(fragmentLimits);
  }

  /** `at`: the frame (its time stamps fragments); an object, so no number is boxed per packet */
  decode(net: NetCursor, at: { readonly tsS: number }): IpResult {
    const out = this.out;
    out.buf = net.buf;
    out.off = net.off;
    out.end = net.end;
    let etherType = net.etherType;
    for (let depth = 0; depth < MAX_TUNNEL_DEPTH; depth++) {
      let r: IpResult;
      if (etherType === ETHERTYPE.IPV4) r = this.ipv4(at);
      else if (etherType === ETHERTYPE.IPV6) r = this.ipv6(at);
      else {
        this.detail = etherType;
        return "not-ip";
      }
      if (r !== null) return r;
      switch (out.proto) {
        case IP_PROTO.IPV4:
          etherType = ETHERTYPE.IPV4;
          continue;
        case IP_PROTO.IPV6:
          etherType = ETHERTYPE.IPV6;
          continue;
        case IP_PROTO.GRE: {
          const inner = this.inner;
          const g = greToNet(out.buf, out.off, out.end, inner);
          if (g !== null) {
            this.detail = inner.etherType;
            return g;
          }
          out.buf = inner.buf;
          out.off = inner.off;
          out.end = inner.end;
          etherType = inner.etherType;
          continue;
        }
        default:
          return null;
      }
    }
    this.detail = -1;
    return "ip-malformed";
  }

  /** Datagrams whose fragments never all arrived (call once, at the end). */
  finish(): number {
    return this.v4frag.finish() + this.v6frag.finish();
  }

  /*
   * RFC 791 §3.1:
   *   0                   1                   2                   3
   *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
   *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
   *  |Version|  IHL  |Type of Service|          Total Length         |
   *  |         Identification        |Flags|      Fragment Offset    |
   *  |  Time to Live |    Protocol   |         Header Checksum       |
   *  |                       Source Address                          |
   *  |                    Destination Address                        |
   *  |                    Options                    |    Padding    |
   *
   * Total Length is trusted when it is smaller than the bytes present (Ethernet pads short frames
   * to 60 bytes); the bytes present are used when fewer (snap length) or when it is 0 (TCP
   * segmentation offload captures).
   */
  private ipv4(at: { readonly tsS: number }): IpResult {
    const out = this.out;
    const buf = out.buf;
    const h = out.off;
    const avail = out.end - h;
    this.detail = -1;
    if (avail < 20) return "ip-malformed";
    const b0 = buf[h]!;
    const hl = (b0 & 0x0f) * 4;
    if (b0 >> 4 !== 4 || hl < 20 || hl > avail) return "ip-malformed";
    const total = readU16(buf, h + 2);
    if (total !== 0 && total < hl) return "ip-malformed";
    const end = total === 0 || total > avail ? out.end : h + total;
    out.srcIp = this.v4names.at(buf, h + 12);
    out.dstIp = this.v4names.at(buf, h + 16);
    out.proto = buf[h + 9]!;
    const fragField = readU16(buf, h + 6);
    if ((fragField & 0x3fff) !== 0) {
      const claimed = (total === 0 ? avail : total) - hl;
      const done = this.v4frag.add(buf, h, h + hl, end - h - hl, claimed, at.tsS);
      if (!done) return "pending";
      out.buf = done.buf;
      out.off = 0;
      out.end = done.length;
      return null;
    }
    out.off = h + hl;
    out.end = end;
    return null;
  }

  /*
   * RFC 8200 §3:
   *  |Version| Traffic Class |           Flow Label                  |
   *  |         Payload Length        |  Next Header  |   Hop Limit   |
   *  |                  Source Address (128 bits)                    |
   *  |               Destination Address (128 bits)                  |
   *
   * §4: extension headers chain by Next Header. Hop-by-Hop (0), Routing (43), Destination
   * Options (60), Mobility (135), HIP (139), Shim6 (140): "Hdr Ext Len: Length of the [...]
   * header in 8-octet units, not including the first 8 octets". AH (51, RFC 4302 §2.2): "in
   * 4-octet units, minus 2". Fragment (44): see ipv6-reassembly.ts. No Next Header (59) ends it.
   */
  private ipv6(at: { readonly tsS: number }): IpResult {
    const out = this.out;
    let buf = out.buf;
    const h = out.off;
    const avail = out.end - h;
    this.detail = -1;
    if (avail < 40 || buf[h]! >> 4 !== 6) return "ip-malformed";
    const payloadLen = readU16(buf, h + 4);
    let end = payloadLen === 0 || payloadLen > avail - 40 ? out.end : h + 40 + payloadLen;
    let claimedEnd = payloadLen === 0 ? out.end : h + 40 + payloadLen;
    out.srcIp = this.v6names.at(buf, h + 8);
    out.dstIp = this.v6names.at(buf, h + 24);
    let nh = buf[h + 6]!;
    let p = h + 40;
    for (let n = 0; n < MAX_EXTENSION_HEADERS; n++) {
      switch (nh) {
        case IP_PROTO.HOPOPT:
        case IP_PROTO.ROUTING:
        case IP_PROTO.DSTOPTS:
        case IP_PROTO.MOBILITY:
        case IP_PROTO.HIP:
        case IP_PROTO.SHIM6:
        case IP_PROTO.AH: {
          if (end - p < 8) return "ip-malformed";
          const len = nh === IP_PROTO.AH ? (buf[p + 1]! + 2) * 4 : (buf[p + 1]! + 1) * 8;
          nh = buf[p]!;
          p += len;
          if (p > end) return "ip-malformed";
          continue;
        }
        case IP_PROTO.FRAGMENT: {
          if (end - p < IPV6_FRAGMENT_HEADER_BYTES) return "ip-malformed";
          const offsetFlags = buf.readUInt16BE(p + 2);
          if ((offsetFlags & 0xfff9) === 0) {
            // RFC 6946 atomic fragment (offset 0, M clear): not fragmented at all.
            nh = buf[p]!;
            p += IPV6_FRAGMENT_HEADER_BYTES;
            continue;
          }
          const present = end - p - IPV6_FRAGMENT_HEADER_BYTES;
          const claimed = claimedEnd - p - IPV6_FRAGMENT_HEADER_BYTES;
          const done = this.v6frag.add(out.srcIp, out.dstIp, buf, p, present, claimed, at.tsS);
          if (!done) return "pending";
          buf = out.buf = done.buf;
          p = 0;
          end = claimedEnd = done.length;
          nh = done.meta;
          continue;
        }
        case IP_PROTO.NO_NEXT:
          this.detail = nh;
          return "ip-protocol";
        default:
          out.proto = nh;
          out.off = p;
          out.end = end;
          return null;
      }
    }
    return "ip-malformed";
  }
}
