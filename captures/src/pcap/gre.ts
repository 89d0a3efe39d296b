import { etherTypeToNet, ethernetToNet, type NetCursor } from "./ethernet.ts";
import { ETHERTYPE } from "./link-types.ts";
import type { UndecodedReason } from "./types.ts";

/*
 * GRE (RFC 2784 §2.1 with the Key and Sequence Number of RFC 2890 §2; version 1 is PPTP's, RFC 2637):
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |C|R|K|S|s|Recur|A| Flags | Ver |         Protocol Type         |
 *  |      Checksum (optional)      |       Reserved1 (Optional)    |  present if C (or R, RFC 1701)
 *  |                         Key (optional)                        |  present if K
 *  |                 Sequence Number (Optional)                    |  present if S
 *
 * "Protocol Type [...] contains the protocol type of the payload packet [...] Ethernet protocol
 *  type field" (RFC 2784 §2.4); 0x6558 is Transparent Ethernet Bridging.
 * RFC 1701's Routing (R) field has a variable SRE list; nobody sends it, so R is not decoded.
 *
 * ERSPAN (draft-foschiano-erspan-03). Type I: GRE protocol 0x88BE without the S bit, Ethernet
 * follows directly. Type II: 0x88BE with a sequence number, then §4.1:
 *  |  Ver  |          VLAN         | COS | En|T|    Session ID     |
 *  |      Reserved         |                  Index                |
 * Type III: 0x22EB, then §4.2:
 *  |  Ver  |          VLAN         | COS |BSO|T|     Session ID    |
 *  |                          Timestamp                            |
 *  |             SGT               |P|    FT   |   Hw ID   |D|Gra|O|
 *  [ Platform Specific SubHeader (8 octets), present if O ]
 * "FT (Frame Type): 0 = Ethernet frame, 2 = IP packet; other values reserved."
 */
const GRE_FLAG = Object.freeze({ checksum: 0x8000, routing: 0x4000, key: 0x2000, sequence: 0x1000 });
const ERSPAN2_HEADER_BYTES = 8;
const ERSPAN3_HEADER_BYTES = 12;
const ERSPAN3_SUBHEADER_BYTES = 8;

/** Decodes GRE at `off` and writes the payload's network layer to `out`. */
export function greToNet(buf: Buffer, off: number, end: number, out: NetCursor): UndecodedReason | null {
  if (end - off < 4) return "ip-malformed";
  const flags = buf.readUInt16BE(off);
  const protocol = buf.readUInt16BE(off + 2);
  out.etherType = protocol;
  const version = flags & 0x7;
  let p = off + 4;
  // Version 1 is PPTP's enhanced GRE (RFC 2637 §4.1) carrying PPP: not decoded.
  if (version !== 0 || flags & GRE_FLAG.routing) return "tunnel-unsupported";
  if (flags & GRE_FLAG.checksum) p += 4;
  if (flags & GRE_FLAG.key) p += 4;
  if (flags & GRE_FLAG.sequence) p += 4;
  if (p > end) return "ip-malformed";
  switch (protocol) {
    case ETHERTYPE.TEB:
      return ethernetToNet(buf, p, end, out);
    case ETHERTYPE.ERSPAN_2:
      if (flags & GRE_FLAG.sequence) p += ERSPAN2_HEADER_BYTES;
      if (p > end) return "ip-malformed";
      return ethernetToNet(buf, p, end, out);
    case ETHERTYPE.ERSPAN_3: {
      if (end - p < ERSPAN3_HEADER_BYTES) return "ip-malformed";
      const word3 = buf.readUInt16BE(p + 10);
      const frameType = (word3 >> 10) & 0x1f;
      const subheader = (word3 & 0x1) !== 0;
      p += ERSPAN3_HEADER_BYTES + (subheader ? ERSPAN3_SUBHEADER_BYTES : 0);
      if (p > end) return "ip-malformed";
      if (frameType === 0) return ethernetToNet(buf, p, end, out);
      if (frameType === 2 && p < end) {
        const ipVersion = buf[p]! >> 4;
        out.buf = buf;
        out.off = p;
        out.end = end;
        out.etherType = ipVersion === 6 ? ETHERTYPE.IPV6 : ETHERTYPE.IPV4;
        return null;
      }
      return "tunnel-unsupported";
    }
    default:
      return etherTypeToNet(buf, protocol, p, end, out);
  }
}
