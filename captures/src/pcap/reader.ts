import { closeSync, openSync } from "node:fs";
import { captureErrors } from "./capture-error.ts";
import { ChunkReader } from "./chunk-reader.ts";
import { FrameEmitter } from "./frame-emitter.ts";
import { PCAP_MAGICS, readPcapClassic, type FormatResult } from "./pcap-classic.ts";
import { PCAPNG_BLOCK, readPcapng } from "./pcapng.ts";
import type { CaptureFormat, RawFrame, ReadOutcome } from "./types.ts";

/**
 * Streams every frame of a pcap or pcapng file to `onFrame` (one REUSED RawFrame object), reading
 * synchronously through a fixed window: memory does not grow with the file.
 *
 * Never throws on file contents: a file that is not a capture, ends inside a record, or has an
 * impossible length comes back as `error` after the frames before that point were delivered.
 * Errors thrown by `onFrame` itself propagate (they are the caller's bugs).
 */
export function readCapture(path: string, onFrame: (frame: RawFrame) => void): ReadOutcome {
  const emitter = new FrameEmitter(onFrame);
  const warnings: string[] = [];
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    const error = captureErrors.io(0, err instanceof Error ? err : new Error(String(err)));
    return { info: { format: "pcap", linkType: -1 }, stats: emitter.stats, error, warnings };
  }
  try {
    const src = new ChunkReader(fd);
    let format: CaptureFormat = "pcap";
    let result: FormatResult;
    if (!src.ensure(4)) {
      result = {
        linkType: -1,
        error: src.ioError ? captureErrors.io(0, src.ioError) : captureErrors.notACapture(),
      };
    } else {
      const magic = src.buf.readUInt32LE(src.start);
      if (magic === PCAPNG_BLOCK.shb) {
        format = "pcapng";
        result = readPcapng(src, emitter, warnings);
      } else if (PCAP_MAGICS.has(magic)) {
        result = readPcapClassic(src, magic, emitter);
      } else {
        result = { linkType: -1, error: captureErrors.notACapture() };
      }
    }
    return {
      info: { format, linkType: result.linkType },
      stats: emitter.stats,
      error: result.error,
      warnings,
    };
  } finally {
    closeSync(fd);
  }
}
