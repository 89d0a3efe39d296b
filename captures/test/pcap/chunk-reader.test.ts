/**
 * The reader's window over a file: random ensure/advance sequences see exactly the file's bytes,
 * however small the window and however far an advance jumps.
 */
import assert from "node:assert/strict";
import { closeSync, openSync, writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ChunkReader } from "../../src/pcap/chunk-reader.ts";
import { tempDir } from "./temp-files.ts";

const tmp = tempDir("pcap-chunk");

describe("ChunkReader", () => {
  it("property: the bytes at the cursor are the file's bytes at pos", () => {
    const file = Buffer.from(Array.from({ length: 20_000 }, (_, i) => (i * 31 + (i >> 8)) & 0xff));
    const path = tmp("bytes.bin");
    writeFileSync(path, file);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 512 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 3000 })), {
          maxLength: 40,
        }),
        (initial, steps) => {
          const fd = openSync(path, "r");
          try {
            const r = new ChunkReader(fd, initial);
            for (const [need, move] of steps) {
              const pos = r.pos;
              const ok = r.ensure(need);
              assert.equal(ok, pos + need <= file.length);
              const have = Math.min(need, file.length - pos);
              if (have > 0)
                assert.ok(r.buf.subarray(r.start, r.start + have).equals(file.subarray(pos, pos + have)));
              if (!ok) assert.equal(r.available, Math.max(0, file.length - pos));
              r.advance(move);
              assert.equal(r.pos, pos + move);
            }
          } finally {
            closeSync(fd);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses a request beyond its cap (a caller bug, not file content)", () => {
    const path = tmp("small.bin");
    writeFileSync(path, Buffer.alloc(10));
    const fd = openSync(path, "r");
    try {
      assert.throws(() => new ChunkReader(fd, 16).ensure(64 * 1024 * 1024), RangeError);
    } finally {
      closeSync(fd);
    }
  });
});
