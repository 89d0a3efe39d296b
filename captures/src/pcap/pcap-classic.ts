import { captureErrors } from "./capture-error.ts";
import type { ChunkReader } from "./chunk-reader.ts";
import type { FrameEmitter } from "./frame-emitter.ts";
import type { CaptureError } from "./types.ts";

/*
 * Classic libpcap file (draft-ietf-opsawg-pcap, §4 File Header):
 *
 *                         1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  0 |                          Magic Number                         |
 *  4 |          Major Version        |         Minor Version         |
 *  8 |                           Reserved1                           |
 * 12 |                           Reserved2                           |
 * 16 |                            SnapLen                            |
 * 20 | FCS |f|0 0 0 0 0 0 0 0 0 0 0 0|         LinkType              |
 *
 * "The Magic Number ... 0xA1B2C3D4 ... time stamps in Packet Records are in seconds and
 *  microseconds; 0xA1B23C4D ... seconds and nanoseconds." Written in the writer's byte order.
 *
 * §5 Packet Record:
 *  0 |                      Timestamp (Seconds)                      |
 *  4 |            Timestamp (Microseconds or nanoseconds)            |
 *  8 |                    Captured Packet Length                     |
 * 12 |                    Original Packet Length                     |
 * 16 /                          Packet Data                          /
 */

/** Magic numbers as read little-endian, with what they mean. */
export const PCAP_MAGICS: ReadonlyMap<number, { le: boolean; fracPerS: number; recordHeader: number }> =
  new Map([
    [0xa1b2c3d4, { le: true, fracPerS: 1e6, recordHeader: 16 }],
    [0xd4c3b2a1, { le: false, fracPerS: 1e6, recordHeader: 16 }],
    [0xa1b23c4d, { le: true, fracPerS: 1e9, recordHeader: 16 }],
    [0x4d3cb2a1, { le: false, fracPerS: 1e9, recordHeader: 16 }],
    // Alexey Kuznetsov's patched libpcap: 8 more bytes per record (ifindex, protocol, pkt_type)
    [0xa1b2cd34, { le: true, fracPerS: 1e6, recordHeader: 24 }],
    [0x34cdb2a1, { le: false, fracPerS: 1e6, recordHeader: 24 }],
  ]);

const FILE_HEADER_BYTES = 24;
/** Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD: a longer record is a corrupt length, not a packet. */
export const MAX_PCAP_RECORD_BYTES = 256 * 1024;

export interface FormatResult {
  linkType: number;
  error: CaptureError | null;
}

/** Reads a classic pcap whose magic (read little-endian) is `magic`, from the cursor at byte 0. */
export function readPcapClassic(src: ChunkReader, magic: number, out: FrameEmitter): FormatResult {
  const kind = PCAP_MAGICS.get(magic);
  if (!kind) return { linkType: -1, error: captureErrors.notACapture() };
  if (!src.ensure(FILE_HEADER_BYTES)) return { linkType: -1, error: stopped(src, 0) };
  const { le, fracPerS, recordHeader } = kind;
  let buf = src.buf;
  let s = src.start;
  // The upper bits carry the FCS length and the f bit (§4); the link type is the low 16 bits.
  const linkType = (le ? buf.readUInt32LE(s + 20) : buf.readUInt32BE(s + 20)) & 0xffff;
  src.advance(FILE_HEADER_BYTES);

  for (;;) {
    if (!src.ensure(recordHeader)) {
      if (src.available === 0 && !src.ioError) return { linkType, error: null };
      return { linkType, error: stopped(src, src.pos) };
    }
    buf = src.buf;
    s = src.start;
    let sec: number, frac: number, incl: number, orig: number;
    if (le) {
      // inline little-endian reads: Buffer#readUInt32LE's bounds checks cost more than the record
      sec = (buf[s]! | (buf[s + 1]! << 8) | (buf[s + 2]! << 16)) + buf[s + 3]! * 0x1000000;
      frac = (buf[s + 4]! | (buf[s + 5]! << 8) | (buf[s + 6]! << 16)) + buf[s + 7]! * 0x1000000;
      incl = (buf[s + 8]! | (buf[s + 9]! << 8) | (buf[s + 10]! << 16)) + buf[s + 11]! * 0x1000000;
      orig = (buf[s + 12]! | (buf[s + 13]! << 8) | (buf[s + 14]! << 16)) + buf[s + 15]! * 0x1000000;
    } else {
      sec = buf.readUInt32BE(s);
      frac = buf.readUInt32BE(s + 4);
      incl = buf.readUInt32BE(s + 8);
      orig = buf.readUInt32BE(s + 12);
    }
    if (incl > MAX_PCAP_RECORD_BYTES) {
      return {
        linkType,
        error: captureErrors.corrupt(src.pos, `pcap record length ${incl} exceeds ${MAX_PCAP_RECORD_BYTES}`),
      };
    }
    const total = recordHeader + incl;
    if (!src.ensure(total)) return { linkType, error: stopped(src, src.pos) };
    buf = src.buf;
    s = src.start;
    out.emit(sec + frac / fracPerS, linkType, 0, buf, s + recordHeader, incl, orig);
    src.advance(total);
  }
}

/** Why `ensure` failed at a record starting at `atByte`: a read error, or the file ends there. */
export function stopped(src: ChunkReader, atByte: number): CaptureError {
  return src.ioError ? captureErrors.io(atByte, src.ioError) : captureErrors.truncated(atByte);
}
