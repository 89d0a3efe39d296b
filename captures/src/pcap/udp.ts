import { readU16 } from "../../../protocol/src/wire/bytes.ts";
/*
 * UDP header (RFC 768):
 *
 *   0      7 8     15 16    23 24    31
 *  +--------+--------+--------+--------+
 *  |     Source      |   Destination   |
 *  |      Port       |      Port       |
 *  +--------+--------+--------+--------+
 *  |                 |                 |
 *  |     Length      |    Checksum     |
 *  +--------+--------+--------+--------+
 *
 * "Length is the length in octets of this user datagram including this header and the data.
 *  (This means the minimum value of the length is eight.)" A Length of 0 appears in IPv6
 *  jumbograms (RFC 2675 §4) and offloaded captures: then the bytes present are the datagram.
 */
export const UDP_HEADER_BYTES = 8;

/**
 * Payload length of the UDP datagram at `buf[off .. end)`: the smaller of what the Length field
 * announces and what is present (a snap length cuts datagrams; Ethernet padding extends them).
 * -1 when the header is malformed (fewer than 8 bytes, or a Length between 1 and 7).
 */
export function udpPayloadLength(buf: Buffer, off: number, end: number): number {
  const avail = end - off;
  if (avail < UDP_HEADER_BYTES) return -1;
  const length = readU16(buf, off + 4);
  if (length === 0) return avail - UDP_HEADER_BYTES;
  if (length < UDP_HEADER_BYTES) return -1;
  return (length < avail ? length : avail) - UDP_HEADER_BYTES;
}
