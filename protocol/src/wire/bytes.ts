/**
 * Unsigned big-endian reads by plain indexing (network byte order). V8 inlines these; Node 20's
 * Buffer#readUInt16BE / readUInt32BE validate their offset through a wrapper it does not inline
 * (≈ 60 ms of a million-packet capture analysis). The caller checks bounds: an index past the end
 * reads as 0, never throws.
 */

export function readU16(buf: Uint8Array, at: number): number {
  return (buf[at]! << 8) | buf[at + 1]!;
}

export function readU32(buf: Uint8Array, at: number): number {
  // `>>> 0` keeps the value unsigned (a JS bitwise result is a signed 32-bit integer).
  return ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
}
