/**
 * Rewrites one frame of the seed capture into "copy k" of it, so that K copies of a real SIPp capture
 * look like K times as many independent calls to an analyzer (and to tshark):
 * - every IPv4 address that the seed carries in its IP headers moves to another /16 of its /8
 *   (127.0.0.1 -> 127.k.0.1), in the IP header AND wherever it is written in SIP/SDP text (Via,
 *   Contact, Call-ID, o=, c=), so SDP still points at the addresses the RTP uses;
 * - every Call-ID gets the prefix "k<k>-", in its header and anywhere else the message repeats it;
 *   so does a Cisco-Guid, and each UUID of a Session-ID (RFC 7989) starts with k as 4 hex digits,
 *   so the copies of one call are not one call to a correlator;
 * - SIP lengths are kept true after the edits: Content-Length, IPv4 Total Length, UDP Length;
 * - RTP (and RTCP) SSRCs are XORed with a per-copy mask; sequence numbers and RTP time stamps stay.
 * Copy 0 is the seed byte for byte. IPv4 header checksums are recomputed; UDP checksums of rewritten
 * datagrams are set to 0 ("no checksum", RFC 768), which analyzers and tshark accept.
 * Frames that are not Ethernet/raw IPv4 + UDP (or are IP fragments) keep their payload; their
 * addresses still move when they have an IPv4 header.
 */

/** LINKTYPE_ETHERNET, LINKTYPE_RAW, LINKTYPE_IPV4 (tcpdump.org link-layer header types). */
const LINK = Object.freeze({ ethernet: 1, raw: 101, ipv4: 228 });
const ETHERTYPE_IPV4 = 0x0800;
const IP_PROTO_UDP = 17;
const UDP_HEADER_BYTES = 8;
/** Largest frame we build: an IPv4 datagram can not be longer than 65535 bytes, plus a link header. */
export const MAX_FRAME_BYTES = 65535 + 64;

/** Per-copy SSRC mask: never 0 for k >= 1, different for every k below 2^32 (odd multiplier). */
export function ssrcMask(k: number): number {
  return Math.imul(k, 0x9e3779b1) >>> 0;
}

/** The address copy k uses for a seed address: same first octet, the other 24 bits moved by k x 2^16. */
export function shiftIpv4(addr: number, k: number): number {
  return ((addr & 0xff000000) | (((addr & 0x00ffffff) + k * 0x10000) & 0x00ffffff)) >>> 0;
}

export function ipv4Text(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 0xff}.${(addr >>> 8) & 0xff}.${addr & 0xff}`;
}

export function parseIpv4Text(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (m === null) return null;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return null;
  return ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
}

/** Where the IPv4 header starts in a frame of this link type, or -1 (not IPv4 / unsupported link). */
export function ipv4Offset(linkType: number, frame: Buffer, off: number, len: number): number {
  if (linkType === LINK.ethernet) {
    if (len < 14 + 20 || frame.readUInt16BE(off + 12) !== ETHERTYPE_IPV4) return -1;
    return off + 14;
  }
  if (linkType === LINK.raw || linkType === LINK.ipv4) {
    return len >= 20 && frame[off]! >> 4 === 4 ? off : -1;
  }
  return -1;
}

/*
 * IPv4 header (RFC 791 §3.1):
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  0 |Version|  IHL  |Type of Service|          Total Length         |
 *  4 |         Identification        |Flags|      Fragment Offset    |
 *  8 |  Time to Live |    Protocol   |         Header Checksum       |
 * 12 |                       Source Address                          |
 * 16 |                    Destination Address                        |
 *
 * "The checksum field is the 16 bit one's complement of the one's complement sum of all 16 bit
 *  words in the header. For purposes of computing the checksum, the value of the checksum field
 *  is zero." (RFC 791 §3.1)
 */
export function ipv4HeaderChecksum(buf: Buffer, ip: number, ihlBytes: number): number {
  let sum = 0;
  for (let i = 0; i < ihlBytes; i += 2) if (i !== 10) sum += buf.readUInt16BE(ip + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** What copy k changes; built once per copy. */
export class CopyPlan {
  readonly mask: number;
  readonly callIdPrefix: string;
  /** the first 4 hex digits of each Session-ID UUID in copy k */
  readonly uuidPrefix: string;
  private readonly addrText: Map<string, string>;
  private readonly addrNum: Map<number, number>;

  /** `seedAddrs`: the IPv4 addresses found in the seed's IP headers (only these move). */
  constructor(
    readonly k: number,
    seedAddrs: ReadonlySet<number>,
  ) {
    this.mask = ssrcMask(k);
    this.callIdPrefix = `k${k}-`;
    this.uuidPrefix = (k & 0xffff).toString(16).padStart(4, "0");
    this.addrText = new Map();
    this.addrNum = new Map();
    for (const a of seedAddrs) {
      const to = shiftIpv4(a, k);
      this.addrNum.set(a, to);
      this.addrText.set(ipv4Text(a), ipv4Text(to));
    }
  }

  mapAddr(a: number): number {
    return this.addrNum.get(a) ?? a;
  }

  /** Dotted quads in text (not inside a longer dotted/numbered run) that are seed addresses. */
  mapText(s: string): string {
    return s.replace(
      /(?<![\d.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\d]|\.\d)/g,
      (m) => this.addrText.get(m) ?? m,
    );
  }
}

/** True for a UDP payload that starts like a SIP request or status line. */
export function looksLikeSip(buf: Buffer, off: number, len: number): boolean {
  if (len < 12) return false;
  const c = buf[off]!;
  if (c < 0x41 || c > 0x5a) return false; // methods and "SIP/2.0" start with an upper-case letter
  const lineEnd = buf.indexOf(0x0a, off);
  const first = buf.toString(
    "latin1",
    off,
    lineEnd < 0 || lineEnd > off + len ? off + Math.min(len, 512) : lineEnd,
  );
  return first.startsWith("SIP/2.0 ") || /^[A-Z]+ \S+ SIP\/2\.0\r?$/.test(first);
}

const HEADER_END = /\r?\n\r?\n/;

/**
 * SIP message text of copy k: Call-ID prefixed everywhere it occurs, seed addresses moved, and
 * Content-Length set to the body's new length (when the message had one).
 */
export function rewriteSipText(text: string, plan: CopyPlan): string {
  let s = text;
  const cut = HEADER_END.exec(s);
  const head = cut === null ? s : s.slice(0, cut.index);
  const callId = /^(?:call-id|i)[ \t]*:[ \t]*(\S(?:.*\S)?)[ \t]*\r?$/im.exec(head)?.[1];
  if (callId !== undefined) {
    // a long Call-ID is replaced wherever the message repeats it (e.g. a body naming the dialog);
    // a short one only in its header, so that "1" does not rewrite every digit 1 of the message
    if (callId.length >= 8) s = s.split(callId).join(plan.callIdPrefix + callId);
    else s = s.replace(/^((?:call-id|i)[ \t]*:[ \t]*)/im, `$1${plan.callIdPrefix}`);
  }
  s = s.replace(/^((?:cisco-guid)[ \t]*:[ \t]*)/im, `$1${plan.callIdPrefix}`);
  s = s.replace(
    /^(session-id[ \t]*:)(.*)$/im,
    (_m, name: string, value: string) =>
      `${name}${value.replace(/\b[0-9a-f]{32}\b/gi, (u) => plan.uuidPrefix + u.slice(4))}`,
  );
  s = plan.mapText(s);
  const cut2 = HEADER_END.exec(s);
  if (cut2 === null) return s;
  const bodyBytes = Buffer.byteLength(s.slice(cut2.index + cut2[0].length), "latin1");
  const newHead = s
    .slice(0, cut2.index)
    .replace(/^((?:content-length|l)[ \t]*:[ \t]*)\d+/im, (_m, name: string) => `${name}${bodyBytes}`);
  return newHead + s.slice(cut2.index);
}

/**
 * Writes copy k of one frame into `out` (length >= MAX_FRAME_BYTES) and returns its length.
 * `frame[off .. off+len)` is the seed frame; it is not modified.
 */
export function rewriteFrame(
  linkType: number,
  frame: Buffer,
  off: number,
  len: number,
  plan: CopyPlan,
  out: Buffer,
): number {
  frame.copy(out, 0, off, off + len);
  if (plan.k === 0) return len;
  const ip = ipv4Offset(linkType, out, 0, len);
  if (ip < 0) return len;
  const ihl = (out[ip]! & 0x0f) * 4;
  if (ihl < 20 || ip + ihl > len) return len;
  out.writeUInt32BE(plan.mapAddr(out.readUInt32BE(ip + 12)), ip + 12);
  out.writeUInt32BE(plan.mapAddr(out.readUInt32BE(ip + 16)), ip + 16);
  let total = len;
  const fragmented = (out.readUInt16BE(ip + 6) & 0x3fff) !== 0; // MF flag or a fragment offset
  const udp = ip + ihl;
  if (out[ip + 9] === IP_PROTO_UDP && !fragmented && udp + UDP_HEADER_BYTES <= len) {
    const ipEnd = Math.min(len, ip + out.readUInt16BE(ip + 2));
    const p = udp + UDP_HEADER_BYTES;
    const plen = Math.max(0, Math.min(ipEnd, udp + out.readUInt16BE(udp + 4)) - p);
    const b0 = out[p]!;
    if (plen >= 8 && (b0 & 0xc0) === 0x80) {
      // RTP (RFC 3550 §5.1): SSRC at byte 8; RTCP (PT 200-204, §6.4): sender SSRC at byte 4
      const pt = out[p + 1]!;
      const at = pt >= 200 && pt <= 204 ? p + 4 : p + 8;
      if (at + 4 <= p + plen) out.writeUInt32BE((out.readUInt32BE(at) ^ plan.mask) >>> 0, at);
      out.writeUInt16BE(0, udp + 6);
    } else if (looksLikeSip(out, p, plen)) {
      const text = rewriteSipText(out.toString("latin1", p, p + plen), plan);
      // (a message that would no longer fit an IPv4 datagram keeps its seed text)
      if (ihl + UDP_HEADER_BYTES + text.length > 0xffff) return finishIp(out, ip, ihl, len);
      const n = out.write(text, p, "latin1");
      const trailer = len - (p + plen); // Ethernet padding after the datagram, if any
      frame.copy(out, p + n, off + p + plen, off + len);
      total = p + n + trailer;
      out.writeUInt16BE(ihl + UDP_HEADER_BYTES + n, ip + 2);
      out.writeUInt16BE(UDP_HEADER_BYTES + n, udp + 4);
      out.writeUInt16BE(0, udp + 6);
    }
  }
  return finishIp(out, ip, ihl, total);
}

function finishIp(out: Buffer, ip: number, ihl: number, frameLen: number): number {
  out.writeUInt16BE(ipv4HeaderChecksum(out, ip, ihl), ip + 10);
  return frameLen;
}
