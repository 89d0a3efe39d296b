import { newNetCursor } from "./ethernet.ts";
import type { FragmentLimits } from "./fragment-table.ts";
import { IP_PROTO, IpDecoder } from "./ip.ts";
import { linkToNet } from "./link.ts";
import { tcpHeaderLength } from "./tcp-header.ts";
import { TcpReassembler, type TcpLimits, type TcpStream } from "./tcp-reassembly.ts";
import type {
  RawFrame,
  TransportCounts,
  TransportPayload,
  UndecodedFrame,
  UndecodedReason,
} from "./types.ts";
import { UDP_HEADER_BYTES, udpPayloadLength } from "./udp.ts";
import { readU16 } from "../../../protocol/src/wire/bytes.ts";
import { Ipv4Names } from "./ip-address.ts";
import { LINKTYPE } from "./link-types.ts";

export interface TransportDecoderOptions {
  /** called (with a REUSED object) for each frame that does not reach UDP/TCP */
  onUndecoded?: (u: UndecodedFrame) => void;
  fragmentLimits?: FragmentLimits;
  tcpLimits?: TcpLimits;
}

/**
 * Frames in, transport payloads out: link layer -> IP (tunnels, reassembly) -> UDP / TCP stream.
 * Feed frames in capture order with `frame()`, then call `finish()` once. The UDP path allocates
 * nothing per packet: one TransportPayload object is filled and handed to `onPayload`.
 */
export class TransportDecoder {
  readonly counts: TransportCounts = {
    udpDatagrams: 0,
    tcpSegments: 0,
    tcpBytes: 0,
    tcpGaps: 0,
    ipFragmentsIncomplete: 0,
  };
  undecoded = 0;
  private readonly payload: TransportPayload = {
    frame: 0,
    tsS: 0,
    proto: "udp",
    srcIp: "",
    dstIp: "",
    srcPort: 0,
    dstPort: 0,
    data: Buffer.alloc(0),
    offset: 0,
    length: 0,
    tcpGap: false,
  };
  private readonly undecodedFrame: UndecodedFrame = { frame: 0, reason: "not-ip", detail: -1 };
  private readonly unknownLinkTypes = new Map<number, number>();
  private readonly net = newNetCursor();
  private readonly v4names = new Ipv4Names();
  private readonly ip: IpDecoder;
  private readonly tcp: TcpReassembler;

  constructor(
    private readonly onPayload: (p: TransportPayload) => void,
    private readonly opts: TransportDecoderOptions = {},
  ) {
    this.ip = new IpDecoder(opts.fragmentLimits);
    this.tcp = new TcpReassembler(this.deliverTcp, opts.tcpLimits);
  }

  frame(f: RawFrame): void {
    if (f.linkType === LINKTYPE.ETHERNET && this.plainUdp(f)) return;
    const link = linkToNet(f.linkType, f.data, f.offset, f.offset + f.length, this.net);
    if (link !== null) {
      if (link === "link-type")
        this.unknownLinkTypes.set(f.linkType, (this.unknownLinkTypes.get(f.linkType) ?? 0) + 1);
      this.skip(f.frame, link, link === "link-type" ? f.linkType : -1);
      return;
    }
    const ip = this.ip.decode(this.net, f);
    if (ip === "pending") return;
    if (ip !== null) {
      this.skip(f.frame, ip, this.ip.detail);
      return;
    }
    const t = this.ip.out;
    const buf = t.buf;
    const off = t.off;
    if (t.proto === IP_PROTO.UDP) {
      const n = udpPayloadLength(buf, off, t.end);
      if (n < 0) {
        this.skip(f.frame, "transport-malformed", t.proto);
        return;
      }
      this.emitUdp(f, t.srcIp, t.dstIp, buf, off, n);
      return;
    }
    if (t.proto === IP_PROTO.TCP) {
      const hl = tcpHeaderLength(buf, off, t.end);
      if (hl < 0) {
        this.skip(f.frame, "transport-malformed", t.proto);
        return;
      }
      this.counts.tcpSegments++;
      this.tcp.segment(
        t.srcIp,
        buf.readUInt16BE(off),
        t.dstIp,
        buf.readUInt16BE(off + 2),
        f.frame,
        f.tsS,
        buf.readUInt32BE(off + 4),
        buf[off + 13]!,
        buf,
        off + hl,
        t.end - off - hl,
      );
      return;
    }
    this.skip(f.frame, "ip-protocol", t.proto);
  }

  /**
   * The frame nearly every packet of a VoIP capture is: Ethernet II, IPv4 with a 20-byte header and
   * no fragmentation, UDP (the layouts are drawn in ethernet.ts, ip.ts and udp.ts). Decoded inline,
   * with the same result as the general path; anything else (VLAN tags, IP options, fragments,
   * short or odd lengths) returns false and takes the general path.
   */
  private plainUdp(f: RawFrame): boolean {
    const b = f.data;
    const o = f.offset;
    const end = o + f.length;
    // EtherType 0x0800 at 12, version 4 + IHL 5 at 14, protocol 17 at 23
    if (f.length < 42 || b[o + 12] !== 0x08 || b[o + 13] !== 0x00 || b[o + 14] !== 0x45 || b[o + 23] !== 17)
      return false;
    const total = readU16(b, o + 16);
    if (total < 28 || (readU16(b, o + 20) & 0x3fff) !== 0) return false;
    const ipEnd = total > f.length - 14 ? end : o + 14 + total;
    const u = o + 34;
    const n = udpPayloadLength(b, u, ipEnd);
    if (n < 0) return false;
    this.emitUdp(f, this.v4names.at(b, o + 26), this.v4names.at(b, o + 30), b, u, n);
    return true;
  }

  /** Hands the UDP datagram whose header is at `buf[udp]` (payload `n` bytes) to onPayload. */
  private emitUdp(f: RawFrame, srcIp: string, dstIp: string, buf: Buffer, udp: number, n: number): void {
    const p = this.payload;
    p.frame = f.frame;
    p.tsS = f.tsS;
    p.proto = "udp";
    p.srcIp = srcIp;
    p.dstIp = dstIp;
    p.srcPort = readU16(buf, udp);
    p.dstPort = readU16(buf, udp + 2);
    p.data = buf;
    p.offset = udp + UDP_HEADER_BYTES;
    p.length = n;
    p.tcpGap = false;
    this.counts.udpDatagrams++;
    this.onPayload(p);
  }

  /** End of input: delivers held TCP bytes, settles the counts; returns warnings for a person. */
  finish(): string[] {
    this.tcp.flushAll();
    const counts = this.counts;
    counts.tcpGaps = this.tcp.gaps;
    counts.ipFragmentsIncomplete = this.ip.finish();
    const warnings: string[] = [];
    for (const [linkType, n] of this.unknownLinkTypes) {
      warnings.push(`no decoder for link type ${linkType}: ${n} frame(s) not decoded`);
    }
    if (counts.ipFragmentsIncomplete > 0) {
      warnings.push(`${counts.ipFragmentsIncomplete} fragmented IP datagram(s) could not be reassembled`);
    }
    if (counts.tcpGaps > 0) {
      warnings.push(`TCP: ${counts.tcpGaps} gap(s) where segments were missing from the capture`);
    }
    return warnings;
  }

  private readonly deliverTcp = (
    s: TcpStream,
    frame: number,
    tsS: number,
    buf: Buffer,
    off: number,
    len: number,
    gap: boolean,
  ): void => {
    const p = this.payload;
    p.frame = frame;
    p.tsS = tsS;
    p.proto = "tcp";
    p.srcIp = s.srcIp;
    p.dstIp = s.dstIp;
    p.srcPort = s.srcPort;
    p.dstPort = s.dstPort;
    p.data = buf;
    p.offset = off;
    p.length = len;
    p.tcpGap = gap;
    this.counts.tcpBytes += len;
    this.onPayload(p);
  };

  private skip(frame: number, reason: UndecodedReason, detail: number): void {
    this.undecoded++;
    const cb = this.opts.onUndecoded;
    if (cb) {
      const u = this.undecodedFrame;
      u.frame = frame;
      u.reason = reason;
      u.detail = detail;
      cb(u);
    }
  }
}
