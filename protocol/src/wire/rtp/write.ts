import {
  RTP_CSRC_LENGTH,
  RTP_EXTENSION_HEADER_LENGTH,
  RTP_EXTENSION_MASK,
  RTP_FIXED_HEADER_LENGTH,
  RTP_MARKER_MASK,
  RTP_PADDING_MASK,
  RTP_SEQUENCE_OFFSET,
  RTP_SSRC_OFFSET,
  RTP_TIMESTAMP_OFFSET,
  RTP_VERSION,
  RTP_VERSION_SHIFT,
} from "./header.ts";

/** Fields of an RTP header to write (layout: see the diagram in header.ts, RFC 3550 §5.1). */
export interface RtpHeaderFields {
  readonly marker?: boolean;
  /** 0-127 */
  readonly payloadType: number;
  /** 0-65535 */
  readonly sequence: number;
  /** 0-2^32-1 */
  readonly timestamp: number;
  readonly ssrc: number;
  /** at most 15 (RFC 3550 §5.1: CC is 4 bits) */
  readonly csrcs?: readonly number[];
  /** RFC 3550 §5.3.1; `data` length must be a multiple of 4 and at most 65535 words */
  readonly extension?: { readonly profile: number; readonly data: Uint8Array };
}

export interface RtpPacketFields extends RtpHeaderFields {
  readonly payload: Uint8Array;
  /** padding octets to append, the count octet included (1-255); 0 or absent: no padding, P=0 */
  readonly paddingLength?: number;
}

/** Bytes `writeRtpHeader` will write for these fields. */
export function rtpHeaderLength(fields: RtpHeaderFields): number {
  const ext = fields.extension ? RTP_EXTENSION_HEADER_LENGTH + fields.extension.data.length : 0;
  return RTP_FIXED_HEADER_LENGTH + (fields.csrcs?.length ?? 0) * RTP_CSRC_LENGTH + ext;
}

/**
 * Writes the header at `buf[offset]` and returns the number of bytes written. `padding` sets the P
 * bit only; the caller appends the padding octets (buildRtpPacket does both). Throws RangeError on
 * out-of-range fields or a short buffer: those are caller bugs, not wire data.
 */
export function writeRtpHeader(
  buf: Uint8Array,
  offset: number,
  fields: RtpHeaderFields,
  padding = false,
): number {
  checkUint("payloadType", fields.payloadType, 0x7f);
  checkUint("sequence", fields.sequence, 0xffff);
  checkUint("timestamp", fields.timestamp, 0xffffffff);
  checkUint("ssrc", fields.ssrc, 0xffffffff);
  const csrcs = fields.csrcs ?? [];
  if (csrcs.length > 15) throw new RangeError(`at most 15 CSRCs, got ${csrcs.length}`);
  for (const c of csrcs) checkUint("csrc", c, 0xffffffff);
  const ext = fields.extension;
  if (ext) {
    checkUint("extension.profile", ext.profile, 0xffff);
    if (ext.data.length % 4 !== 0 || ext.data.length / 4 > 0xffff) {
      throw new RangeError(`extension data must be whole 32-bit words, got ${ext.data.length} bytes`);
    }
  }
  const total = rtpHeaderLength(fields);
  if (!Number.isInteger(offset) || offset < 0 || offset + total > buf.length) {
    throw new RangeError(`no room for a ${total}-byte RTP header at offset ${offset} of ${buf.length}`);
  }

  buf[offset] =
    (RTP_VERSION << RTP_VERSION_SHIFT) |
    (padding ? RTP_PADDING_MASK : 0) |
    (ext ? RTP_EXTENSION_MASK : 0) |
    csrcs.length;
  buf[offset + 1] = (fields.marker ? RTP_MARKER_MASK : 0) | fields.payloadType;
  writeU16(buf, offset + RTP_SEQUENCE_OFFSET, fields.sequence);
  writeU32(buf, offset + RTP_TIMESTAMP_OFFSET, fields.timestamp);
  writeU32(buf, offset + RTP_SSRC_OFFSET, fields.ssrc);
  let pos = offset + RTP_FIXED_HEADER_LENGTH;
  for (const c of csrcs) {
    writeU32(buf, pos, c);
    pos += RTP_CSRC_LENGTH;
  }
  if (ext) {
    writeU16(buf, pos, ext.profile);
    writeU16(buf, pos + 2, ext.data.length / 4);
    buf.set(ext.data, pos + RTP_EXTENSION_HEADER_LENGTH);
    pos += RTP_EXTENSION_HEADER_LENGTH + ext.data.length;
  }
  return pos - offset;
}

/** A whole RTP packet: header, payload, then padding (zeros, last octet = count) if asked. */
export function buildRtpPacket(fields: RtpPacketFields): Buffer {
  const paddingLength = fields.paddingLength ?? 0;
  checkUint("paddingLength", paddingLength, 0xff);
  const headerLength = rtpHeaderLength(fields);
  const out = Buffer.alloc(headerLength + fields.payload.length + paddingLength);
  writeRtpHeader(out, 0, fields, paddingLength > 0);
  out.set(fields.payload, headerLength);
  if (paddingLength > 0) out[out.length - 1] = paddingLength;
  return out;
}

function checkUint(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} must be an integer in 0..${max}, got ${value}`);
  }
}

function writeU16(buf: Uint8Array, at: number, v: number): void {
  buf[at] = v >>> 8;
  buf[at + 1] = v & 0xff;
}

function writeU32(buf: Uint8Array, at: number, v: number): void {
  buf[at] = v >>> 24;
  buf[at + 1] = (v >>> 16) & 0xff;
  buf[at + 2] = (v >>> 8) & 0xff;
  buf[at + 3] = v & 0xff;
}
