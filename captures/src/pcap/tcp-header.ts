/*
 * TCP header (RFC 9293 §3.1):
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Source Port          |       Destination Port        |
 *  |                        Sequence Number                        |
 *  |                    Acknowledgment Number                      |
 *  |  Data |       |C|E|U|A|P|R|S|F|                               |
 *  | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 *  |           Checksum            |         Urgent Pointer        |
 *  |                           [Options]                           |
 *
 * "Data Offset (DOffset): 4 bits. The number of 32-bit words in the TCP header."
 */
export const TCP_MIN_HEADER_BYTES = 20;

export const TCP_FLAG = Object.freeze({ FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 });

/** Header length of the segment at `buf[off .. end)`, or -1 when malformed. */
export function tcpHeaderLength(buf: Buffer, off: number, end: number): number {
  if (end - off < TCP_MIN_HEADER_BYTES) return -1;
  const hl = (buf[off + 12]! >> 4) * 4;
  if (hl < TCP_MIN_HEADER_BYTES || hl > end - off) return -1;
  return hl;
}
