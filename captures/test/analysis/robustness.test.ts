/**
 * Bad input never throws out of the analyzer: random truncation and bit flips of real captures,
 * random bytes, empty files. Bounded runs; each case must also finish (no hang).
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { analyzeCapture } from "../../src/analysis/analyze.ts";

const tmp = mkdtempSync(join(tmpdir(), "mvsct-fuzz-"));
const seeds = [
  "captures/fixtures/public/heplify-sip-ipv6-udp-call.pcap",
  "captures/fixtures/public/ndpi-sip-register-digest.pcapng",
  "captures/fixtures/public/sngrep-sip-tcp-ipip-tunnel.pcap",
  "captures/fixtures/public/heplify-sip-over-tcp-call.pcap",
  "captures/fixtures/public/zeek-sip-invalid-content-length.pcap",
];

function analyzeBytes(bytes: Uint8Array, name: string): void {
  const f = join(tmp, name);
  writeFileSync(f, bytes);
  const { report, error } = analyzeCapture(f);
  assert.ok(report !== null || error !== null, "either a report or a reason");
  if (report !== null) JSON.stringify(report);
}

for (const seed of seeds) {
  const bytes = readFileSync(seed);
  test(`truncation anywhere never throws: ${seed}`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length }), (cut) => {
        analyzeBytes(bytes.subarray(0, cut), "cut.pcap");
      }),
      { numRuns: 60 },
    );
  });
  test(`bit flips never throw: ${seed}`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 0, max: 7 })), {
          minLength: 1,
          maxLength: 40,
        }),
        (flips) => {
          const copy = Buffer.from(bytes);
          for (const [i, bit] of flips) copy[i] = copy[i]! ^ (1 << bit);
          analyzeBytes(copy, "flip.pcap");
        },
      ),
      { numRuns: 60 },
    );
  });
}

test("random bytes and an empty file give a reason, not a crash", () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 2048 }), (b) => {
      analyzeBytes(b, "random.bin");
    }),
    { numRuns: 100 },
  );
  const { report, error } = analyzeCapture(join(tmp, "does-not-exist.pcap"));
  assert.equal(report, null);
  assert.ok(error !== null);
});
