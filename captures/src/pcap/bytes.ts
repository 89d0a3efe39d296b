/**
 * Unsigned big-endian reads for the per-packet path. Node 20's Buffer#readUInt16BE/readUInt32BE
 * validate their offset through a wrapper V8 does not inline (≈ 60 ms of a million-packet run);
 * these are plain indexing that V8 inlines. The caller has checked the bounds: an index past the
 * end reads `undefined`, which these turn into 0 rather than throwing.
 */

export function u16be(b: Uint8Array, o: number): number {
  return ((b[o]! << 8) | b[o + 1]!) & 0xffff;
}

/** As a non-negative number (the high byte multiplied, not shifted, so it never turns negative). */
export function u32be(b: Uint8Array, o: number): number {
  return b[o]! * 0x1000000 + (((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0);
}
