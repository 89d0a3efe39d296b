import { RTP_FIXED_HEADER_LENGTH, RTP_VERSION, RTP_VERSION_SHIFT } from "./header.ts";

/**
 * RTCP packet types live in the second byte where RTP has M + PT. RFC 5761 §4 (RTP and RTCP on one
 * port): RTCP packet types 192-223 collide with RTP marker=1 + PT 64-95, so "applications ... SHOULD
 * NOT use RTP payload types 64-95"; a second byte of 192-223 is taken as RTCP. Assigned today:
 * 200 SR, 201 RR, 202 SDES, 203 BYE, 204 APP (RFC 3550 §12.1), 205 RTPFB, 206 PSFB (RFC 4585),
 * 207 XR (RFC 3611). RFC 3551 §3 reserves RTP PTs 72-76 for exactly this reason (M=1 gives 200-204).
 */
export const RTCP_PACKET_TYPE_MIN = 192;
export const RTCP_PACKET_TYPE_MAX = 223;
/** RFC 3550 §6.4.2: an RR with no report blocks is 8 bytes (header word + SSRC) */
export const RTCP_MIN_LENGTH = 8;

/**
 * Zero-allocation check used to pick RTP out of UDP payloads: version 2, at least a fixed header,
 * and a second byte outside the RTCP range. Says nothing about CSRC/extension/padding sanity:
 * run parseRtpHeader for that.
 */
export function looksLikeRtp(buf: Uint8Array, offset: number, length: number): boolean {
  if (offset < 0 || length < RTP_FIXED_HEADER_LENGTH || offset + length > buf.length) return false;
  if (buf[offset]! >> RTP_VERSION_SHIFT !== RTP_VERSION) return false;
  const b1 = buf[offset + 1]!;
  return b1 < RTCP_PACKET_TYPE_MIN || b1 > RTCP_PACKET_TYPE_MAX;
}

/**
 * RTCP common header (RFC 3550 §6.4.1):
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|    RC   |   PT=SR=200   |             length            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * "length: 16 bits The length of this RTCP packet in 32-bit words minus one, including the header
 * and any padding." Zero-allocation: version 2, packet type 192-223, and the first packet's
 * length fits the datagram.
 */
export function looksLikeRtcp(buf: Uint8Array, offset: number, length: number): boolean {
  if (offset < 0 || length < RTCP_MIN_LENGTH || offset + length > buf.length) return false;
  if (buf[offset]! >> RTP_VERSION_SHIFT !== RTP_VERSION) return false;
  const pt = buf[offset + 1]!;
  if (pt < RTCP_PACKET_TYPE_MIN || pt > RTCP_PACKET_TYPE_MAX) return false;
  const words = (buf[offset + 2]! << 8) | buf[offset + 3]!;
  return (words + 1) * 4 <= length;
}
