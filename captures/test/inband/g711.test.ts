import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  ALAW_TO_LINEAR,
  dbm0ToSinePower,
  encodeG711,
  linearToAlaw,
  linearToMulaw,
  MULAW_TO_LINEAR,
} from "../../src/analysis/inband/index.ts";

/** CPython 3.11 audioop output (an independent implementation), see the fixture's header. */
const oracle = readFileSync(new URL("./fixtures/g711-audioop.txt", import.meta.url), "utf8")
  .split("\n")
  .filter((l) => l && !l.startsWith("#"))
  .map((l) => l.split(" "));

const tableOf = (law: string): Readonly<Int16Array> => (law === "PCMU" ? MULAW_TO_LINEAR : ALAW_TO_LINEAR);
const encoderOf = (law: string): ((x: number) => number) => (law === "PCMU" ? linearToMulaw : linearToAlaw);

describe("G.711 decode tables", () => {
  it("match audioop for all 256 codes of both laws", () => {
    const rows = oracle.filter((r) => r[0] === "decode");
    assert.equal(rows.length, 512);
    for (const [, law, code, linear] of rows) {
      assert.equal(tableOf(law!)[Number(code)], Number(linear), `${law} 0x${Number(code).toString(16)}`);
    }
  });

  it("hold the landmarks: µ-law 0xFF/0x7F ±0, 0x80/0x00 ±32124; A-law 0xD5/0x55 ±8", () => {
    assert.equal(MULAW_TO_LINEAR[0xff], 0);
    assert.equal(MULAW_TO_LINEAR[0x7f], 0);
    assert.equal(MULAW_TO_LINEAR[0x80], 32124);
    assert.equal(MULAW_TO_LINEAR[0x00], -32124);
    assert.equal(ALAW_TO_LINEAR[0xd5], 8);
    assert.equal(ALAW_TO_LINEAR[0x55], -8);
    assert.equal(ALAW_TO_LINEAR[0xaa], 32256);
    assert.equal(ALAW_TO_LINEAR[0x2a], -32256);
  });

  it("decode the digital milliwatt (G.711 Tables 5 and 6) to 0 dBm0 with our reference", () => {
    const mu = [0x1e, 0x0b, 0x0b, 0x1e, 0x9e, 0x8b, 0x8b, 0x9e];
    const a = [0x34, 0x21, 0x21, 0x34, 0xb4, 0xa1, 0xa1, 0xb4];
    const powerDb = (t: Readonly<Int16Array>, seq: number[], ref: number): number =>
      10 * Math.log10(seq.reduce((s, c) => s + t[c]! ** 2, 0) / seq.length / ref);
    assert.ok(Math.abs(powerDb(MULAW_TO_LINEAR, mu, dbm0ToSinePower(0, "PCMU"))) < 0.05);
    assert.ok(Math.abs(powerDb(ALAW_TO_LINEAR, a, dbm0ToSinePower(0, "PCMA"))) < 0.05);
  });
});

describe("G.711 encoders", () => {
  it("match audioop on a grid of linear values (incl. clip points)", () => {
    const rows = oracle.filter((r) => r[0] === "encode");
    assert.ok(rows.length > 1000);
    for (const [, law, linear, code] of rows) {
      assert.equal(encoderOf(law!)(Number(linear)), Number(code), `${law} ${linear}`);
    }
  });

  it("round-trip every code (µ-law -0 0x7F encodes as +0 0xFF)", () => {
    for (let c = 0; c < 256; c++) {
      assert.equal(linearToAlaw(ALAW_TO_LINEAR[c]!), c);
      assert.equal(linearToMulaw(MULAW_TO_LINEAR[c]!), c === 0x7f ? 0xff : c);
    }
  });

  it("is monotonic with a quantisation error under 1/32 of the value + 16", () => {
    fc.assert(
      fc.property(fc.integer({ min: -32000, max: 32000 }), fc.integer({ min: 0, max: 2000 }), (x, d) => {
        for (const [enc, dec] of [
          [linearToMulaw, MULAW_TO_LINEAR],
          [linearToAlaw, ALAW_TO_LINEAR],
        ] as const) {
          const y = dec[enc(x)]!;
          if (Math.abs(y - x) > Math.abs(x) / 32 + 16) return false;
          if (dec[enc(Math.min(32000, x + d))]! < y) return false;
        }
        return true;
      }),
      { numRuns: 500 },
    );
  });

  it("saturates out-of-range and non-integer input instead of wrapping", () => {
    assert.equal(linearToMulaw(1e9), linearToMulaw(32767));
    assert.equal(linearToAlaw(-1e9), linearToAlaw(-32768));
    assert.equal(linearToMulaw(Number.NaN), linearToMulaw(0));
    assert.equal(linearToAlaw(100.9), linearToAlaw(100));
    assert.deepEqual([...encodeG711([0, 32767, -32768], "PCMA")], [0xd5, 0xaa, 0x2a]);
  });
});
