/*
 * pcapng Interface Description Block (draft-ietf-opsawg-pcapng, §4.2):
 *
 *                         1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +---------------------------------------------------------------+
 *  0 |                    Block Type = 0x00000001                    |
 *  4 |                      Block Total Length                       |
 *  8 |           LinkType            |           Reserved            |
 * 12 |                            SnapLen                            |
 * 16 /                      Options (variable)                       /
 *    |                      Block Total Length                       |
 *
 * Options (§3.5): Option Code (16) | Option Length (16) | value padded to 32 bits; opt_endofopt = 0.
 *
 * §4.2 if_tsresol (code 9, 1 byte): "If the Most Significant Bit is equal to zero, the remaining
 * bits indicates the resolution of the timestamp as a negative power of 10 (e.g. 6 means
 * microsecond resolution [...]). If the Most Significant Bit is equal to one, the remaining bits
 * indicates the resolution as negative power of 2 [...]. If this option is not present, a
 * resolution of 10^-6 is assumed".
 * §4.2 if_tsoffset (code 14, 8 bytes, signed): "a time zone offset in seconds [...] added to
 * the timestamp stored in each packet to obtain the absolute timestamp".
 */

/** The facts of one interface that packet blocks need. */
export interface PcapngInterface {
  linkType: number;
  snapLen: number;
  /** timestamp units per second (1e6 unless if_tsresol says otherwise) */
  unitsPerS: number;
  /** 2^32 / unitsPerS: seconds per unit of the upper timestamp word */
  highWordS: number;
  offsetS: number;
}

export const IDB_OPTION = Object.freeze({ endOfOpt: 0, tsresol: 9, tsoffset: 14 });

/**
 * Parses an IDB body. `s` is the block start, `len` its total length (already checked >= 20).
 * A malformed option list ends the option walk (the interface keeps its defaults).
 */
export function parseInterface(buf: Buffer, s: number, len: number, le: boolean): PcapngInterface {
  const linkType = le ? buf.readUInt16LE(s + 8) : buf.readUInt16BE(s + 8);
  const snapLen = le ? buf.readUInt32LE(s + 12) : buf.readUInt32BE(s + 12);
  let unitsPerS = 1e6;
  let offsetS = 0;
  const optEnd = s + len - 4;
  let p = s + 16;
  while (p + 4 <= optEnd) {
    const code = le ? buf.readUInt16LE(p) : buf.readUInt16BE(p);
    const olen = le ? buf.readUInt16LE(p + 2) : buf.readUInt16BE(p + 2);
    if (code === IDB_OPTION.endOfOpt || p + 4 + olen > optEnd) break;
    if (code === IDB_OPTION.tsresol && olen >= 1) {
      const v = buf[p + 4]!;
      unitsPerS = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
    } else if (code === IDB_OPTION.tsoffset && olen >= 8) {
      const hi = le ? buf.readInt32LE(p + 8) : buf.readInt32BE(p + 4);
      const lo = le ? buf.readUInt32LE(p + 4) : buf.readUInt32BE(p + 8);
      offsetS = hi * 4294967296 + lo;
    }
    p += 4 + ((olen + 3) & ~3);
  }
  return { linkType, snapLen, unitsPerS, highWordS: 4294967296 / unitsPerS, offsetS };
}

/** Seconds since the epoch from a 64-bit timestamp split in two words, in the interface's units. */
export function interfaceTimeS(ifc: PcapngInterface, high: number, low: number): number {
  return high * ifc.highWordS + low / ifc.unitsPerS + ifc.offsetS;
}
