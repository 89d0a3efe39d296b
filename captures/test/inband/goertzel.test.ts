import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  DTMF_GOERTZEL,
  DTMF_TONES_HZ,
  dtmfToneOf,
  goertzelDtmf,
  SUB_BLOCK_SAMPLES,
} from "../../src/analysis/inband/index.ts";
import { measureToneOffsetsHz } from "../../src/analysis/inband/tone-frequency.ts";

const FS = 8000;

/** Direct DFT at an arbitrary frequency, the textbook sum (independent of the recurrence). */
function dft(x: ArrayLike<number>, from: number, n: number, hz: number): { re: number; im: number } {
  let re = 0;
  let im = 0;
  for (let i = 0; i < n; i++) {
    const w = (2 * Math.PI * hz * i) / FS;
    re += x[from + i]! * Math.cos(w);
    im -= x[from + i]! * Math.sin(w);
  }
  return { re, im };
}

function sine(hz: number, amp: number, n: number, phase = 0): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => amp * Math.cos((2 * Math.PI * hz * i) / FS + phase));
}

describe("Goertzel DTMF bank", () => {
  it("has the 8 Q.23 frequencies, rows first", () => {
    assert.deepEqual(DTMF_TONES_HZ, [697, 770, 852, 941, 1209, 1336, 1477, 1633]);
    assert.deepEqual([...DTMF_GOERTZEL.hz], [697, 770, 852, 941, 1209, 1336, 1477, 1633]);
    assert.deepEqual(dtmfToneOf("#"), { rowHz: 941, colHz: 1477 });
    assert.deepEqual(dtmfToneOf("B"), { rowHz: 770, colHz: 1633 });
    assert.equal(dtmfToneOf("x"), null);
  });

  it("equals the direct DFT up to the phase factor e^{jω(N-1)} (any input, any offset)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -32768, max: 32767 }), { minLength: 100, maxLength: 100 }),
        fc.integer({ min: 0, max: 20 }),
        (samples, from) => {
          const x = Float64Array.from(samples);
          const n = SUB_BLOCK_SAMPLES;
          const out = new Float64Array(16);
          goertzelDtmf(x, from, n, out);
          for (let i = 0; i < 8; i++) {
            const hz = DTMF_TONES_HZ[i]!;
            const { re, im } = dft(x, from, n, hz);
            // y = e^{jω(N-1)} X
            const w = (2 * Math.PI * hz * (n - 1)) / FS;
            const yr = re * Math.cos(w) - im * Math.sin(w);
            const yi = re * Math.sin(w) + im * Math.cos(w);
            const scale = 1e-9 * (1 + Math.hypot(yr, yi)) + 1e-6;
            if (Math.abs(out[2 * i]! - yr) > scale * 1000 || Math.abs(out[2 * i + 1]! - yi) > scale * 1000) {
              return false;
            }
          }
          return true;
        },
      ),
      { numRuns: 200 },
    );
  });

  it("gives |y| = A·N/2 for a sine of amplitude A at a filter frequency", () => {
    const out = new Float64Array(16);
    for (let i = 0; i < 8; i++) {
      goertzelDtmf(sine(DTMF_TONES_HZ[i]!, 1000, 80, 0.3), 0, 80, out);
      const mag = Math.hypot(out[2 * i]!, out[2 * i + 1]!);
      // the negative-frequency image leaks a little at N = 80 (≥ 14 bins away)
      assert.ok(Math.abs(mag / 40000 - 1) < 0.02, `${DTMF_TONES_HZ[i]} Hz: ${mag}`);
    }
  });
});

describe("Hann phase-difference frequency estimate", () => {
  it("measures a tone pair's offsets within 1 Hz (nominal to ±3 %)", () => {
    const out = new Float64Array(2);
    for (const digit of "1D5*") {
      const { rowHz, colHz } = dtmfToneOf(digit)!;
      for (const dev of [-0.03, -0.015, 0, 0.01, 0.025]) {
        const x = new Float64Array(160);
        const r = sine(rowHz * (1 + dev), 8000, 160, 1);
        const c = sine(colHz * (1 + dev), 8000, 160, 2);
        for (let i = 0; i < 160; i++) x[i] = r[i]! + c[i]!;
        const rowIndex = DTMF_TONES_HZ.indexOf(rowHz);
        const colIndex = DTMF_TONES_HZ.indexOf(colHz);
        const e = (from: number): number => x.subarray(from, from + 80).reduce((s, v) => s + v * v, 0);
        measureToneOffsetsHz(x.subarray(0, 80), x.subarray(80), e(0), e(80), rowIndex, colIndex, out);
        assert.ok(Math.abs(out[0]! - rowHz * dev) < 1, `${digit} ${dev} row ${out[0]} vs ${rowHz * dev}`);
        assert.ok(Math.abs(out[1]! - colHz * dev) < 1, `${digit} ${dev} col ${out[1]} vs ${colHz * dev}`);
      }
    }
  });

  it("undoes the bias of a window that holds the start of a tone (≥ 5/8 filled)", () => {
    const out = new Float64Array(2);
    const rowHz = 941 * 1.02;
    const colHz = 1633 * 1.02;
    for (const startAt of [10, 20, 30]) {
      const x = new Float64Array(160);
      for (let i = startAt; i < 160; i++) {
        x[i] = 8000 * (Math.cos((2 * Math.PI * rowHz * i) / FS) + Math.cos((2 * Math.PI * colHz * i) / FS));
      }
      const e = (from: number): number => x.subarray(from, from + 80).reduce((s, v) => s + v * v, 0);
      measureToneOffsetsHz(x.subarray(0, 80), x.subarray(80), e(0), e(80), 3, 7, out);
      assert.ok(Math.abs(out[0]! - 941 * 0.02) < 1.5, `start ${startAt}: row ${out[0]}`);
      assert.ok(Math.abs(out[1]! - 1633 * 0.02) < 1.5, `start ${startAt}: col ${out[1]}`);
    }
  });
});
