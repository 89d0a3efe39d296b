export {
  parseRtpHeader,
  RTP_VERSION,
  RTP_FIXED_HEADER_LENGTH,
  RTP_CSRC_LENGTH,
  RTP_EXTENSION_HEADER_LENGTH,
} from "./header.ts";
export type { RtpHeader, RtpError, RtpErrorCode, RtpHeaderResult } from "./header.ts";
export { looksLikeRtp, looksLikeRtcp, RTCP_PACKET_TYPE_MIN, RTCP_PACKET_TYPE_MAX } from "./looks-like.ts";
export { writeRtpHeader, buildRtpPacket, rtpHeaderLength } from "./write.ts";
export type { RtpHeaderFields, RtpPacketFields } from "./write.ts";
