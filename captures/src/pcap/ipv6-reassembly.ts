import { FragmentTable, type FragmentLimits, type Reassembled } from "./fragment-table.ts";

/*
 * RFC 8200 §4.5 Fragment Header (Next Header value 44):
 *
 *  |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
 *  |                         Identification                        |
 *
 * "Fragment Offset: 13-bit unsigned integer. The offset, in 8-octet units, of the data following
 *  this header, relative to the start of the Fragmentable Part of the original packet."
 * "Fragments with the same Source Address, Destination Address, and Fragment Identification are
 *  reassembled"; "the Next Header values in the Fragment headers of different fragments of the
 *  same original packet may differ. Only the value from the Offset zero fragment packet is used
 *  for reassembly."
 */
export const IPV6_FRAGMENT_HEADER_BYTES = 8;

export class Ipv6Reassembly {
  private readonly table: FragmentTable;

  constructor(limits?: FragmentLimits) {
    this.table = new FragmentTable(limits);
  }

  /**
   * Adds one fragment: the fragment header is at `fh`; its fragmentable part is
   * `buf[fh + 8 .. fh + 8 + present)` of `claimed` bytes. `meta` of the result is the Next Header
   * of the offset-zero fragment, which the caller continues the header chain with.
   */
  add(
    srcIp: string,
    dstIp: string,
    buf: Buffer,
    fh: number,
    present: number,
    claimed: number,
    tsS: number,
  ): Reassembled | null {
    const offsetFlags = buf.readUInt16BE(fh + 2);
    const key = `${srcIp}>${dstIp}/${buf.readUInt32BE(fh + 4)}`;
    const more = (offsetFlags & 0x0001) !== 0;
    const fragOffset = offsetFlags & 0xfff8;
    return this.table.add(
      key,
      tsS,
      fragOffset,
      more,
      buf,
      fh + IPV6_FRAGMENT_HEADER_BYTES,
      present,
      claimed,
      buf[fh]!,
    );
  }

  finish(): number {
    return this.table.finish();
  }
}
