import { writeSync } from "node:fs";

/** Where the CLI writes: injected so black-box tests can capture it. */
export interface Io {
  out(text: string): void;
  /**
   * UTF-8 bytes for stdout, in order with `out` (optional: large documents skip a decode/encode).
   * Returns true when the bytes are already written out, so the caller may reuse the buffer.
   */
  outBytes?(bytes: Uint8Array): boolean;
  err(text: string): void;
  readonly isTty: boolean;
}

const pause = new Int32Array(new SharedArrayBuffer(4));
/** the reader of stdout went away (`| head`): the rest of the document is dropped, quietly */
let stdoutGone = false;

/**
 * Writes all of `b` to stdout before returning, waiting while a pipe is full: a document of any
 * size then holds one buffer, never a queue as long as the document. Falls back to the stream
 * while it still has text queued (so the order holds).
 */
function writeBytesNow(b: Uint8Array): boolean {
  if (stdoutGone) return true;
  if (process.stdout.writableLength > 0) {
    process.stdout.write(b);
    return false;
  }
  for (let off = 0; off < b.length;) {
    try {
      off += writeSync(1, b, off, b.length - off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EPIPE") {
        stdoutGone = true;
        return true;
      }
      // a non-blocking pipe whose reader is behind: wait a moment and go on
      if (code !== "EAGAIN") throw e;
      Atomics.wait(pause, 0, 0, 2);
    }
  }
  return true;
}

// A reader that goes away (`mvsct analyze x.pcap --json | head`) is not an error of ours: the rest of
// the output is dropped and the exit code stays the analysis's. Anything else is one line, no trace.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") {
    stdoutGone = true;
    return;
  }
  process.stderr.write(`mvsct: cannot write to stdout: ${e.code ?? e.message}\n`);
  process.exitCode = 3;
});

export const processIo: Io = {
  out: (t) => {
    if (!stdoutGone) process.stdout.write(t);
  },
  outBytes: writeBytesNow,
  err: (t) => void process.stderr.write(t),
  isTty: process.stdout.isTTY === true,
};
