import { captureErrors } from "./capture-error.ts";
import type { ChunkReader } from "./chunk-reader.ts";
import { MAX_CHUNK_BYTES } from "./chunk-reader.ts";
import type { FrameEmitter } from "./frame-emitter.ts";
import { stopped, type FormatResult } from "./pcap-classic.ts";
import { interfaceTimeS, parseInterface, type PcapngInterface } from "./pcapng-interface.ts";

/*
 * pcapng (draft-ietf-opsawg-pcapng). §3.1 every block:
 *
 *                         1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +---------------------------------------------------------------+
 *  0 |                          Block Type                           |
 *  4 |                      Block Total Length                       |
 *  8 /                          Block Body                           /
 *    |                      Block Total Length                       |
 *
 * "Block Total Length: total size of this block, in octets. [...] MUST be a multiple of 4."
 *
 * §4.1 Section Header Block: type 0x0A0D0D0A (a palindrome, readable in either byte order), then
 * the length, then Byte-Order Magic 0x1A2B3C4D "written in the native byte order of the writer",
 * Major (1) / Minor Version, Section Length (64), options. Each SHB starts a new section whose
 * interfaces are numbered from 0 again (§4.2 "Interface ID ... within the current section").
 *
 * §4.3 Enhanced Packet Block (type 6):
 *  8 |                         Interface ID                          |
 * 12 |                        Timestamp (High)                       |
 * 16 |                        Timestamp (Low)                        |
 * 20 |                    Captured Packet Length                     |
 * 24 |                    Original Packet Length                     |
 * 28 /                          Packet Data                          /
 *
 * §4.4 Simple Packet Block (type 3): 8 | Original Packet Length | 12 / Packet Data /
 * "the Captured Packet Length [is] the minimum value among the Original Packet Length and the
 *  value of the SnapLen field of the first Interface Description Block"; no timestamp.
 *
 * Appendix A Packet Block (type 2, obsolete): 8 | Interface ID (16) | Drops Count (16) | then as EPB.
 */

export const PCAPNG_BLOCK = Object.freeze({
  shb: 0x0a0d0d0a,
  idb: 0x00000001,
  obsoletePacket: 0x00000002,
  spb: 0x00000003,
  epb: 0x00000006,
});
/**
 * Blocks that are not packets but that Wireshark (4.0) still numbers as frames: custom blocks
 * (§4.8, 0x00000BAD / 0x40000BAD), systemd Journal Export (9) and sysdig event blocks. They are
 * counted in the frame numbering (so our numbers match Wireshark's) but not delivered.
 */
export const NUMBERED_NON_PACKET_BLOCKS: ReadonlySet<number> = new Set([
  0x00000bad, 0x40000bad, 0x00000009, 0x00000204, 0x00000208, 0x00000216, 0x00000217, 0x00000221, 0x00000222,
]);
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const MIN_SHB_BYTES = 28;
/** A packet/interface/section block longer than this is a corrupt length (unknown blocks are skipped). */
export const MAX_PCAPNG_BLOCK_BYTES = 16 * 1024 * 1024;

/** Reads a pcapng file from its first block (the cursor is at byte 0, on an SHB type). */
export function readPcapng(src: ChunkReader, out: FrameEmitter, warnings: string[]): FormatResult {
  let le = true;
  let interfaces: PcapngInterface[] = [];
  let firstLinkType = -1;
  let lastTsS = 0;
  let spbWarned = false;
  let nonPackets = 0;
  const result = (error: FormatResult["error"]): FormatResult => ({ linkType: firstLinkType, error });

  for (;;) {
    const at = src.pos;
    if (!src.ensure(12)) {
      if (src.available === 0 && !src.ioError) return result(null);
      return result(stopped(src, at));
    }
    let buf = src.buf;
    let s = src.start;
    let type = le ? buf.readUInt32LE(s) : buf.readUInt32BE(s);
    if (type === PCAPNG_BLOCK.shb) {
      const magic = buf.readUInt32LE(s + 8);
      if (magic === BYTE_ORDER_MAGIC) le = true;
      else if (buf.readUInt32BE(s + 8) === BYTE_ORDER_MAGIC) le = false;
      else if (at === 0) return result(captureErrors.notACapture());
      else
        return result(
          captureErrors.corrupt(at, `pcapng section header has byte-order magic 0x${magic.toString(16)}`),
        );
    } else if (at === 0) {
      return result(captureErrors.notACapture());
    }
    const len = le ? buf.readUInt32LE(s + 4) : buf.readUInt32BE(s + 4);
    if (len < 12 || len % 4 !== 0) {
      return result(captureErrors.corrupt(at, `pcapng block length ${len} (type 0x${type.toString(16)})`));
    }
    const known =
      type === PCAPNG_BLOCK.shb ||
      type === PCAPNG_BLOCK.idb ||
      type === PCAPNG_BLOCK.epb ||
      type === PCAPNG_BLOCK.spb ||
      type === PCAPNG_BLOCK.obsoletePacket;
    if (len > MAX_PCAPNG_BLOCK_BYTES || len > MAX_CHUNK_BYTES) {
      if (known) {
        return result(
          captureErrors.corrupt(at, `pcapng block length ${len} exceeds ${MAX_PCAPNG_BLOCK_BYTES}`),
        );
      }
      // An unknown block too large to hold: skip to its trailing length and check that.
      src.advance(len - 4);
      if (!src.ensure(4)) return result(stopped(src, at));
      const trailing = le ? src.buf.readUInt32LE(src.start) : src.buf.readUInt32BE(src.start);
      if (trailing !== len) return result(trailerMismatch(at, len, trailing));
      src.advance(4);
      continue;
    }
    if (!src.ensure(len)) return result(stopped(src, at));
    buf = src.buf;
    s = src.start;
    type = le ? buf.readUInt32LE(s) : buf.readUInt32BE(s);
    const trailing = le ? buf.readUInt32LE(s + len - 4) : buf.readUInt32BE(s + len - 4);
    if (trailing !== len) return result(trailerMismatch(at, len, trailing));

    switch (type) {
      case PCAPNG_BLOCK.shb: {
        if (len < MIN_SHB_BYTES)
          return result(captureErrors.corrupt(at, `pcapng section header length ${len}`));
        const major = le ? buf.readUInt16LE(s + 12) : buf.readUInt16BE(s + 12);
        if (major !== 1) return result(captureErrors.corrupt(at, `pcapng major version ${major}`));
        interfaces = [];
        break;
      }
      case PCAPNG_BLOCK.idb: {
        if (len < 20) return result(captureErrors.corrupt(at, `pcapng interface block length ${len}`));
        const ifc = parseInterface(buf, s, len, le);
        if (firstLinkType === -1) firstLinkType = ifc.linkType;
        interfaces.push(ifc);
        break;
      }
      case PCAPNG_BLOCK.epb:
      case PCAPNG_BLOCK.obsoletePacket: {
        if (len < 32) return result(captureErrors.corrupt(at, `pcapng packet block length ${len}`));
        const epb = type === PCAPNG_BLOCK.epb;
        const ifId = epb
          ? le
            ? buf.readUInt32LE(s + 8)
            : buf.readUInt32BE(s + 8)
          : le
            ? buf.readUInt16LE(s + 8)
            : buf.readUInt16BE(s + 8);
        const ifc = interfaces[ifId];
        if (!ifc) return result(captureErrors.corrupt(at, `pcapng packet on undeclared interface ${ifId}`));
        const high = le ? buf.readUInt32LE(s + 12) : buf.readUInt32BE(s + 12);
        const low = le ? buf.readUInt32LE(s + 16) : buf.readUInt32BE(s + 16);
        const capLen = le ? buf.readUInt32LE(s + 20) : buf.readUInt32BE(s + 20);
        const origLen = le ? buf.readUInt32LE(s + 24) : buf.readUInt32BE(s + 24);
        if (capLen > len - 32) {
          return result(
            captureErrors.corrupt(at, `pcapng captured length ${capLen} exceeds its block (${len})`),
          );
        }
        lastTsS = interfaceTimeS(ifc, high, low);
        out.emit(lastTsS, ifc.linkType, ifId, buf, s + 28, capLen, origLen);
        break;
      }
      case PCAPNG_BLOCK.spb: {
        if (len < 16) return result(captureErrors.corrupt(at, `pcapng simple packet block length ${len}`));
        const ifc = interfaces[0];
        if (!ifc) return result(captureErrors.corrupt(at, "pcapng simple packet block before any interface"));
        const origLen = le ? buf.readUInt32LE(s + 8) : buf.readUInt32BE(s + 8);
        let capLen = Math.min(origLen, len - 16);
        if (ifc.snapLen > 0) capLen = Math.min(capLen, ifc.snapLen);
        if (!spbWarned) {
          spbWarned = true;
          warnings.push(
            "pcapng simple packet blocks carry no time stamp: the previous packet's time is used",
          );
        }
        out.emit(lastTsS, ifc.linkType, 0, buf, s + 12, capLen, origLen);
        break;
      }
      default:
        // NRB, ISB, DSB, custom and future blocks: not needed to find packets (§3.1 "MUST skip").
        if (NUMBERED_NON_PACKET_BLOCKS.has(type)) {
          if (nonPackets++ === 0) {
            warnings.push(
              "pcapng non-packet records (custom/journal/event blocks) are numbered as frames, as Wireshark does, but not decoded",
            );
          }
          out.skipFrameNumber();
        }
        break;
    }
    src.advance(len);
  }
}

function trailerMismatch(at: number, len: number, trailing: number) {
  return captureErrors.corrupt(at, `pcapng block length ${len} but trailing length ${trailing}`);
}
