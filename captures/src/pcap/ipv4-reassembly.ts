import { FragmentTable, type FragmentLimits, type Reassembled } from "./fragment-table.ts";

/*
 * RFC 791 §3.2 "Fragmentation and Reassembly": "The internet identification field (ID) is used
 * together with the source and destination address, and the protocol fields, to identify
 * datagram fragments for reassembly." "The More Fragments flag bit (MF) is set if the datagram
 * is not the last fragment. The Fragment Offset field identifies the fragment location, relative
 * to the beginning of the original unfragmented datagram. Fragment offsets are in units of
 * 8 octets."
 *
 *  |         Identification        |0|D|M|      Fragment Offset    |
 */
export class Ipv4Reassembly {
  private readonly table: FragmentTable;

  constructor(limits?: FragmentLimits) {
    this.table = new FragmentTable(limits);
  }

  /**
   * Adds one fragment: `hdr` is the IPv4 header's offset in `buf`, the payload is
   * `buf[payOff .. payOff + present)` of the `claimed` bytes its header announces.
   */
  add(
    buf: Buffer,
    hdr: number,
    payOff: number,
    present: number,
    claimed: number,
    tsS: number,
  ): Reassembled | null {
    const id = buf.readUInt16BE(hdr + 4);
    const flagsOffset = buf.readUInt16BE(hdr + 6);
    const proto = buf[hdr + 9]!;
    const key = `${buf.readUInt32BE(hdr + 12)}>${buf.readUInt32BE(hdr + 16)}/${id}/${proto}`;
    const more = (flagsOffset & 0x2000) !== 0;
    const fragOffset = (flagsOffset & 0x1fff) * 8;
    return this.table.add(key, tsS, fragOffset, more, buf, payOff, present, claimed, proto);
  }

  /** Datagrams given up on so far, counting those still in progress (call at the end). */
  finish(): number {
    return this.table.finish();
  }
}
