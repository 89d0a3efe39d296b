/**
 * The `mvsct.analysis/1` document written while the capture is still being read: each closed set of
 * calls is serialised at once into one spool file per top-level array (calls, legs, findings,
 * ladder, streams), and the document is assembled from the spools at the end, in the field order
 * and byte format of writeJson() (json-stream.ts). Memory holds one set of calls, not the capture.
 * The spool files are unlinked as soon as they are opened: nothing is left behind, even on a kill.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AnalysisSink, ReportHead } from "../analysis/analyze.ts";
import type { SegmentOutput } from "../analysis/segment.ts";

const ARRAYS = ["calls", "legs", "findings", "ladder", "streams"] as const;
type ArrayKey = (typeof ARRAYS)[number];
const FLUSH_AT = 256 * 1024;

class Spool {
  private readonly fd: number;
  private pending: string[] = [];
  private pendingLength = 0;
  private written = 0;
  count = 0;

  constructor(dir: string, name: string) {
    const path = join(dir, name);
    this.fd = openSync(path, "w+");
    unlinkSync(path);
  }

  /** `text` holds `items` array elements (one unless said) */
  add(text: string, items = 1): void {
    this.pending.push(text);
    this.pendingLength += text.length;
    this.count += items;
    if (this.pendingLength >= FLUSH_AT) this.flush();
  }

  /**
   * Each pending string goes to the file as it is: fs.writeSync encodes a string outside the JS
   * heap, where joining the pieces and `Buffer.from` made two more copies of the JSON for the GC.
   */
  flush(): void {
    for (const text of this.pending) {
      const bytes = Buffer.byteLength(text, "utf8");
      const n = writeSync(this.fd, text, this.written, "utf8");
      if (n !== bytes) {
        // a short write (a full disk gives an error instead; this is the rest of the contract)
        const buf = Buffer.from(text, "utf8");
        for (let off = n; off < buf.length;)
          off += writeSync(this.fd, buf, off, buf.length - off, this.written + off);
      }
      this.written += bytes;
    }
    this.pending = [];
    this.pendingLength = 0;
  }

  /**
   * Streams the spooled bytes to `write` (or, given, as bytes to `writeBytes`), 1 MiB at a time.
   * `writeBytes` returns true when it is done with the buffer (written out), which is then reused;
   * otherwise the next chunk gets a fresh one. So a 30 MB document costs one 1 MiB buffer, not 30.
   */
  copyTo(write: (text: string) => void, writeBytes?: (bytes: Buffer) => boolean): void {
    this.flush();
    if (writeBytes !== undefined) {
      let chunk: Buffer | null = null;
      for (let pos = 0; pos < this.written;) {
        chunk ??= Buffer.allocUnsafe(1 << 20);
        const n = readSync(this.fd, chunk, 0, Math.min(chunk.length, this.written - pos), pos);
        if (n <= 0) break;
        pos += n;
        if (!writeBytes(chunk.subarray(0, n))) chunk = null;
      }
      return;
    }
    const chunk = Buffer.allocUnsafe(1 << 20);
    let pos = 0;
    let carry = Buffer.alloc(0);
    while (pos < this.written) {
      const n = readSync(this.fd, chunk, 0, Math.min(chunk.length, this.written - pos), pos);
      if (n <= 0) break;
      pos += n;
      // never split a UTF-8 sequence between two writes
      let data = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let end = data.length;
      if (pos < this.written) {
        let back = end - 1;
        while (back > 0 && end - back < 4 && (data[back]! & 0xc0) === 0x80) back--;
        if ((data[back]! & 0x80) !== 0) end = back;
      }
      carry = Buffer.from(data.subarray(end));
      data = data.subarray(0, end);
      write(data.toString("utf8"));
    }
    if (carry.length > 0) write(carry.toString("utf8"));
  }

  close(): void {
    closeSync(this.fd);
  }
}

export class SpooledJsonWriter implements AnalysisSink {
  private readonly dir: string;
  private readonly spools: Record<ArrayKey, Spool>;
  private errorFindings = 0;

  constructor(private readonly pretty: boolean) {
    this.dir = mkdtempSync(join(tmpdir(), "mvsct-json-"));
    const spools = {} as Record<ArrayKey, Spool>;
    try {
      for (const k of ARRAYS) spools[k] = new Spool(this.dir, k);
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
    this.spools = spools;
  }

  segment(out: SegmentOutput): void {
    for (const k of ARRAYS) {
      const spool = this.spools[k];
      const items: readonly unknown[] = out[k];
      if (!this.pretty) {
        // compact: one stringify of the whole array, brackets cut off, is the items joined by ","
        if (items.length > 0) {
          // the separator and the elements as two pieces: no concatenated copy of the JSON
          if (spool.count > 0) spool.add(",", 0);
          spool.add(JSON.stringify(items).slice(1, -1), items.length);
        }
        continue;
      }
      for (const v of items) {
        const sep = spool.count === 0 ? "" : ",\n";
        spool.add(`${sep}    ${JSON.stringify(v, null, 2).replace(/\n/g, "\n    ")}`);
      }
    }
    for (const f of out.findings) if (f.severity === "error") this.errorFindings++;
  }

  /**
   * Writes the whole document (head fields, then the spooled arrays) and releases the spools.
   * `writeBytes`, when given, receives the spooled arrays as UTF-8 bytes (no decode and re-encode);
   * it returns true when it no longer needs the buffer it was handed.
   */
  finish(head: ReportHead, write: (text: string) => void, writeBytes?: (bytes: Buffer) => boolean): void {
    try {
      const fields: [string, unknown][] = [
        ["schema", head.schema],
        ["verdict", head.verdict],
        ["capture", head.capture],
        ...ARRAYS.map((k) => [k, this.spools[k]] as [string, unknown]),
        ["otherSip", head.otherSip],
      ];
      const present = fields.filter(([, v]) => v !== undefined);
      write(this.pretty ? "{\n" : "{");
      present.forEach(([key, value], i) => {
        const last = i === present.length - 1;
        const name = JSON.stringify(key);
        if (value instanceof Spool) {
          if (value.count === 0) write(this.pretty ? `  ${name}: []` : `${name}:[]`);
          else {
            write(this.pretty ? `  ${name}: [\n` : `${name}:[`);
            value.copyTo(write, writeBytes);
            write(this.pretty ? "\n  ]" : "]");
          }
        } else
          write(
            this.pretty
              ? `  ${name}: ${JSON.stringify(value, null, 2).replace(/\n/g, "\n  ")}`
              : `${name}:${JSON.stringify(value)}`,
          );
        write(last ? (this.pretty ? "\n" : "") : this.pretty ? ",\n" : ",");
      });
      write("}\n");
    } finally {
      this.close();
    }
  }

  close(): void {
    for (const k of ARRAYS) this.spools[k].close();
  }
}
