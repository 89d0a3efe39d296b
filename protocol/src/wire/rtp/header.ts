/**
 * RTP fixed header (RFC 3550 §5.1):
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           timestamp                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           synchronization source (SSRC) identifier            |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |            contributing source (CSRC) identifiers             |
 * |                             ....                              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Header extension (RFC 3550 §5.3.1), present when X=1, right after the CSRC list:
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      defined by profile       |           length              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        header extension                       |
 * |                             ....                              |
 *
 * "the header extension contains a 16-bit length field that counts the number of 32-bit words in
 * the extension, excluding the four-octet extension header".
 *
 * Padding (RFC 3550 §5.1, P bit): "The last octet of the padding contains a count of how many
 * padding octets should be ignored, including itself."
 */
import { readU16, readU32 } from "../bytes.ts";

export { readU16, readU32 };

export const RTP_VERSION = 2;
export const RTP_FIXED_HEADER_LENGTH = 12;
export const RTP_CSRC_LENGTH = 4;
export const RTP_EXTENSION_HEADER_LENGTH = 4;

/** byte 0 */
export const RTP_VERSION_SHIFT = 6;
export const RTP_PADDING_MASK = 0x20;
export const RTP_EXTENSION_MASK = 0x10;
export const RTP_CSRC_COUNT_MASK = 0x0f;
/** byte 1 */
export const RTP_MARKER_MASK = 0x80;
export const RTP_PAYLOAD_TYPE_MASK = 0x7f;
/** byte offsets in the fixed header */
export const RTP_SEQUENCE_OFFSET = 2;
export const RTP_TIMESTAMP_OFFSET = 4;
export const RTP_SSRC_OFFSET = 8;

export type RtpErrorCode =
  "bad-range" | "too-short" | "bad-version" | "truncated-csrc" | "truncated-extension" | "bad-padding";

export interface RtpError {
  readonly ok: false;
  readonly code: RtpErrorCode;
  readonly message: string;
}

export interface RtpHeader {
  readonly ok: true;
  readonly version: number;
  readonly padding: boolean;
  readonly extension: boolean;
  readonly csrcCount: number;
  readonly marker: boolean;
  readonly payloadType: number;
  readonly sequence: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly csrcs: readonly number[];
  /** the 16-bit "defined by profile" field, or null when X=0 */
  readonly extensionProfile: number | null;
  /** absolute offset in `buf` of the extension data (after its 4-byte header); 0 when X=0 */
  readonly extensionOffset: number;
  /** extension data length in bytes (length field × 4); 0 when X=0 */
  readonly extensionLength: number;
  /** fixed header + CSRCs + extension */
  readonly headerLength: number;
  /** padding octets at the end, the count octet included; 0 when P=0 */
  readonly paddingLength: number;
  /** absolute offset of the payload in `buf` */
  readonly payloadOffset: number;
  readonly payloadLength: number;
}

export type RtpHeaderResult = RtpHeader | RtpError;

const NO_CSRCS: readonly number[] = Object.freeze([]);

function fail(code: RtpErrorCode, message: string): RtpError {
  return { ok: false, code, message };
}

/** Decodes the RTP header of the packet `buf[offset, offset + length)`. Never throws. */
export function parseRtpHeader(buf: Uint8Array, offset: number, length: number): RtpHeaderResult {
  if (
    !Number.isInteger(offset) ||
    !Number.isInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > buf.length
  ) {
    return fail("bad-range", `offset ${offset} + length ${length} outside a buffer of ${buf.length} bytes`);
  }
  if (length < RTP_FIXED_HEADER_LENGTH) {
    return fail("too-short", `${length} bytes, an RTP header needs ${RTP_FIXED_HEADER_LENGTH}`);
  }
  const b0 = buf[offset]!;
  const b1 = buf[offset + 1]!;
  // RFC 3550 §5.1: "The version defined by this specification is two (2)."
  const version = b0 >> RTP_VERSION_SHIFT;
  if (version !== RTP_VERSION) return fail("bad-version", `RTP version ${version}, expected 2`);

  const padding = (b0 & RTP_PADDING_MASK) !== 0;
  const extension = (b0 & RTP_EXTENSION_MASK) !== 0;
  const csrcCount = b0 & RTP_CSRC_COUNT_MASK;
  let pos = offset + RTP_FIXED_HEADER_LENGTH;
  const end = offset + length;
  if (pos + csrcCount * RTP_CSRC_LENGTH > end) {
    return fail(
      "truncated-csrc",
      `CC=${csrcCount} needs ${csrcCount * RTP_CSRC_LENGTH} bytes after the fixed header`,
    );
  }
  let csrcs = NO_CSRCS;
  if (csrcCount > 0) {
    const list: number[] = [];
    for (let i = 0; i < csrcCount; i++) list.push(readU32(buf, pos + i * RTP_CSRC_LENGTH));
    csrcs = list;
  }
  pos += csrcCount * RTP_CSRC_LENGTH;

  let extensionProfile: number | null = null;
  let extensionOffset = 0;
  let extensionLength = 0;
  if (extension) {
    if (pos + RTP_EXTENSION_HEADER_LENGTH > end) {
      return fail("truncated-extension", "X=1 but no room for the 4-byte extension header");
    }
    extensionProfile = readU16(buf, pos);
    extensionLength = readU16(buf, pos + 2) * 4;
    extensionOffset = pos + RTP_EXTENSION_HEADER_LENGTH;
    if (extensionOffset + extensionLength > end) {
      return fail("truncated-extension", `extension of ${extensionLength} bytes runs past the packet end`);
    }
    pos = extensionOffset + extensionLength;
  }

  let paddingLength = 0;
  if (padding) {
    paddingLength = buf[end - 1]!;
    if (paddingLength === 0 || pos + paddingLength > end) {
      return fail(
        "bad-padding",
        `padding count ${paddingLength} does not fit the ${end - pos} bytes after the header`,
      );
    }
  }

  return {
    ok: true,
    version,
    padding,
    extension,
    csrcCount,
    marker: (b1 & RTP_MARKER_MASK) !== 0,
    payloadType: b1 & RTP_PAYLOAD_TYPE_MASK,
    sequence: readU16(buf, offset + RTP_SEQUENCE_OFFSET),
    timestamp: readU32(buf, offset + RTP_TIMESTAMP_OFFSET),
    ssrc: readU32(buf, offset + RTP_SSRC_OFFSET),
    csrcs,
    extensionProfile,
    extensionOffset,
    extensionLength,
    headerLength: pos - offset,
    paddingLength,
    payloadOffset: pos,
    payloadLength: end - pos - paddingLength,
  };
}
