/**
 * Hostile files: every fixture cut at any byte, random bit flips, random garbage. The reader must
 * never throw, always end, and report what it could not read as a value.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { readTransport } from "../../src/pcap/decode.ts";
import { readCapture } from "../../src/pcap/reader.ts";
import type { CaptureErrorCode } from "../../src/pcap/types.ts";
import { pcapHeader, pcapngInterface, pcapngSectionHeader } from "../../src/pcap/writer.ts";
import { tempDir } from "./temp-files.ts";

const tmp = tempDir("pcap-robust");
const DIR = join(import.meta.dirname, "..", "..", "fixtures", "public");
const FIXTURES = readdirSync(DIR)
  .filter((f) => /\.pcap(ng)?$/.test(f))
  .sort()
  .map((name) => ({ name, bytes: readFileSync(join(DIR, name)) }));

interface Layout {
  /** end of the file header (pcap: 24; pcapng: 0, the SHB is a block) */
  headerEnd: number;
  /** records in file order: [start, end) and whether it is a packet */
  records: { start: number; end: number; packet: boolean }[];
}

/** An independent walk of record boundaries (not the code under test). */
function layout(b: Buffer): Layout {
  const magic = b.readUInt32LE(0);
  const records: Layout["records"] = [];
  if (magic === 0x0a0d0d0a) {
    let le = true;
    for (let pos = 0; pos + 12 <= b.length;) {
      if (b.readUInt32LE(pos) === 0x0a0d0d0a) le = b.readUInt32LE(pos + 8) === 0x1a2b3c4d;
      const type = le ? b.readUInt32LE(pos) : b.readUInt32BE(pos);
      const len = le ? b.readUInt32LE(pos + 4) : b.readUInt32BE(pos + 4);
      records.push({ start: pos, end: pos + len, packet: type === 2 || type === 3 || type === 6 });
      pos += len;
    }
    return { headerEnd: 0, records };
  }
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  for (let pos = 24; pos + 16 <= b.length;) {
    const incl = le ? b.readUInt32LE(pos + 8) : b.readUInt32BE(pos + 8);
    records.push({ start: pos, end: pos + 16 + incl, packet: true });
    pos += 16 + incl;
  }
  return { headerEnd: 24, records };
}

const LAYOUTS = FIXTURES.map((f) => ({ ...f, layout: layout(f.bytes) }));

function frameHashes(path: string) {
  const hashes: string[] = [];
  const outcome = readCapture(path, (f) =>
    hashes.push(
      createHash("sha1")
        .update(f.data.subarray(f.offset, f.offset + f.length))
        .digest("hex"),
    ),
  );
  return { outcome, hashes };
}

const FULL = new Map(LAYOUTS.map((f) => [f.name, frameHashes(join(DIR, f.name)).hashes]));
const CODES: readonly CaptureErrorCode[] = ["not-a-capture", "truncated", "corrupt"];

describe("truncation", () => {
  it("the layout walk agrees with the fixtures' packet counts", () => {
    for (const f of LAYOUTS) {
      assert.equal(f.layout.records.filter((r) => r.packet).length, FULL.get(f.name)!.length, f.name);
      assert.equal(f.layout.records.at(-1)!.end, f.bytes.length, f.name);
    }
  });

  it("every fixture cut at any byte: the complete frames before the cut, then 'truncated' at the cut record", () => {
    fc.assert(
      fc.property(fc.nat(LAYOUTS.length - 1), fc.double({ min: 0, max: 1, noNaN: true }), (fi, frac) => {
        const f = LAYOUTS[fi]!;
        const cut = Math.min(f.bytes.length, Math.floor(frac * f.bytes.length));
        const path = tmp(`cut-${fi}.bin`);
        writeFileSync(path, f.bytes.subarray(0, cut));
        const { outcome, hashes } = frameHashes(path);
        const { records, headerEnd } = f.layout;
        const complete = records.filter((r) => r.end <= cut);
        const want = FULL.get(f.name)!.slice(0, complete.filter((r) => r.packet).length);
        assert.deepEqual(hashes, want);
        const boundary = cut === headerEnd || records.some((r) => r.end === cut);
        if (cut < 4) assert.equal(outcome.error?.code, "not-a-capture");
        else if (cut < headerEnd)
          assert.deepEqual(outcome.error, { code: "truncated", message: "truncated at byte 0", atByte: 0 });
        else if (boundary) assert.equal(outcome.error, null);
        else {
          const at = records.find((r) => r.end > cut)!.start;
          assert.deepEqual(outcome.error, {
            code: "truncated",
            message: `truncated at byte ${at}`,
            atByte: at,
          });
        }
        const t = readTransport(path, () => {});
        assert.deepEqual(t.error, outcome.error);
      }),
      { numRuns: 300 },
    );
  });

  it("cut exactly one byte short of each of the first records of every fixture", () => {
    for (const [fi, f] of LAYOUTS.entries()) {
      for (const r of f.layout.records.slice(0, 4)) {
        const path = tmp(`short-${fi}.bin`);
        writeFileSync(path, f.bytes.subarray(0, r.end - 1));
        const { outcome } = frameHashes(path);
        if (r.start === 0) assert.equal(outcome.error?.atByte, 0);
        else
          assert.deepEqual(outcome.error, {
            code: "truncated",
            message: `truncated at byte ${r.start}`,
            atByte: r.start,
          });
      }
    }
  });
});

describe("corruption", () => {
  const SMALL = LAYOUTS.filter((f) => f.bytes.length < 150_000);

  it("random bit flips never throw, always end, and report only known error codes", () => {
    fc.assert(
      fc.property(
        fc.nat(SMALL.length - 1),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(7)), {
          minLength: 1,
          maxLength: 16,
        }),
        fc.boolean(),
        (fi, flips, nearStart) => {
          const f = SMALL[fi]!;
          const b = Buffer.from(f.bytes);
          // half the runs aim at the first 2 KiB, where the file and first record headers are
          const span = nearStart ? Math.min(2048, b.length) : b.length;
          for (const [where, bit] of flips) {
            const at = Math.min(span - 1, Math.floor(where * span));
            b[at] = b[at]! ^ (1 << bit);
          }
          const path = tmp(`flip-${fi}.bin`);
          writeFileSync(path, b);
          let frames = 0;
          const raw = readCapture(path, () => frames++);
          assert.ok(raw.error === null || CODES.includes(raw.error.code), raw.error?.message);
          assert.ok(frames <= b.length / 12);
          const decoded = readTransport(path, (p) => {
            assert.ok(p.offset >= 0 && p.length >= 0 && p.offset + p.length <= p.data.length);
          });
          assert.deepEqual(decoded.error, raw.error);
          assert.equal(decoded.stats.packets, frames);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("random bytes after a valid file or section header never throw", () => {
    const heads = [
      pcapHeader(1),
      pcapHeader(113, { byteOrder: "be", resolution: "ns" }),
      pcapHeader(276),
      Buffer.concat([pcapngSectionHeader(true), pcapngInterface({ linkType: 1 }, true)]),
      Buffer.concat([pcapngSectionHeader(false), pcapngInterface({ linkType: 0, tsresol: 0x8a }, false)]),
    ];
    fc.assert(
      fc.property(fc.nat(heads.length - 1), fc.uint8Array({ maxLength: 4096 }), (hi, tail) => {
        const path = tmp(`garbage-${hi}.bin`);
        writeFileSync(path, Buffer.concat([heads[hi]!, Buffer.from(tail)]));
        const raw = readCapture(path, () => {});
        assert.ok(raw.error === null || CODES.includes(raw.error.code));
        readTransport(path, () => {});
      }),
      { numRuns: 300 },
    );
  });

  it("a file that starts with no capture magic is 'not-a-capture' with no frames", () => {
    const magics = new Set([
      0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0xa1b2cd34, 0x34cdb2a1, 0x0a0d0d0a,
    ]);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (arr) => {
        const b = Buffer.from(arr);
        fc.pre(b.length < 4 || !magics.has(b.readUInt32LE(0)));
        const path = tmp("random.bin");
        writeFileSync(path, b);
        let frames = 0;
        const r = readCapture(path, () => frames++);
        assert.equal(frames, 0);
        assert.deepEqual(r.error, { code: "not-a-capture", message: "not a pcap or pcapng file", atByte: 0 });
      }),
      { numRuns: 200 },
    );
  });
});
