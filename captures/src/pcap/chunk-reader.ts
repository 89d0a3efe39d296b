import { readSync } from "node:fs";

/** Initial window: large enough that one readSync serves thousands of small frames. */
export const INITIAL_CHUNK_BYTES = 256 * 1024;
/** The window never grows past this, whatever length a (possibly corrupt) file claims. */
export const MAX_CHUNK_BYTES = 32 * 1024 * 1024;

/**
 * A synchronous forward-only window over a file descriptor. Memory is the window (4 MiB, grown
 * only to hold one record that is larger), never the file.
 *
 * `buf[start .. end)` holds the bytes from file offset `pos` on. Callers `ensure(n)` before reading
 * `buf[start .. start + n)`, then `advance(n)`. A read error is kept in `ioError` (never thrown):
 * `ensure` then answers false as at end of file.
 */
export class ChunkReader {
  buf: Buffer;
  start = 0;
  end = 0;
  /** file offset of buf[0] */
  private base = 0;
  ioError: Error | null = null;

  constructor(
    private readonly fd: number,
    initialBytes = INITIAL_CHUNK_BYTES,
  ) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** File offset of the cursor. */
  get pos(): number {
    return this.base + this.start;
  }

  /** Bytes buffered at the cursor. */
  get available(): number {
    return this.end - this.start;
  }

  /**
   * Make `n` bytes available at the cursor (n <= MAX_CHUNK_BYTES; larger is a bug of the caller).
   * False at end of file (then `available` says how many bytes there were) or on a read error.
   */
  ensure(n: number): boolean {
    if (this.end - this.start >= n) return true;
    if (n > MAX_CHUNK_BYTES) throw new RangeError(`ChunkReader.ensure(${n}) exceeds the cap`);
    if (this.ioError) return false;
    if (this.start > 0) {
      this.buf.copy(this.buf, 0, this.start, this.end);
      this.base += this.start;
      this.end -= this.start;
      this.start = 0;
    }
    if (n > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.min(MAX_CHUNK_BYTES, Math.max(n, this.buf.length * 2)));
      this.buf.copy(grown, 0, 0, this.end);
      this.buf = grown;
    }
    while (this.end < n) {
      let got: number;
      try {
        got = readSync(this.fd, this.buf, this.end, this.buf.length - this.end, this.base + this.end);
      } catch (err) {
        this.ioError = err instanceof Error ? err : new Error(String(err));
        return false;
      }
      if (got === 0) return false;
      this.end += got;
    }
    return true;
  }

  /** Move the cursor `n` bytes on; `n` may pass the buffered bytes (the file is then read from there). */
  advance(n: number): void {
    if (this.end - this.start >= n) {
      this.start += n;
      return;
    }
    this.base = this.base + this.start + n;
    this.start = 0;
    this.end = 0;
  }
}
