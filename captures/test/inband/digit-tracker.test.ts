import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DigitTracker, Q24_DEFAULT_PARAMS, type WindowResult } from "../../src/analysis/inband/index.ts";

const E = 1e9;
const KEY_5 = 1 * 4 + 1;
const KEY_9 = 2 * 4 + 2;

/** Feed a script of window keys (−1 = miss) to a tracker, optional per-window row offsets (Hz). */
function run(keys: readonly number[], rowOffsetsHz?: readonly number[]): DigitTracker {
  const t = new DigitTracker(Q24_DEFAULT_PARAMS);
  keys.forEach((key, i) => {
    const w: WindowResult = {
      k: i + 1,
      key,
      atS: i * 0.01,
      firstFrame: 100 + Math.floor(i / 2),
      lastFrame: 100 + Math.floor((i + 1) / 2),
      firstEnergy: E,
      secondEnergy: E,
      rowOffsetHz: rowOffsetsHz?.[i] ?? 0,
      colOffsetHz: 0,
    };
    t.window(w);
  });
  t.flush();
  return t;
}

const rep = (key: number, n: number): number[] => Array<number>(n).fill(key);

describe("DigitTracker (Q.24 timing)", () => {
  it("derives 3 windows to accept (40 ms) and 3 misses to end (30 ms) from the defaults", () => {
    const t = new DigitTracker(Q24_DEFAULT_PARAMS);
    assert.equal(t.minOnWindows, 3);
    assert.equal(t.minOffWindows, 3);
  });

  it("accepts 3 windows, not 2", () => {
    assert.equal(run([-1, ...rep(KEY_5, 2), -1]).digits.length, 0);
    const [d] = run([-1, ...rep(KEY_5, 3), -1]).digits;
    assert.equal(d!.digit, "5");
    // 3 windows = 4 sub-blocks of 10 ms
    assert.equal(d!.durationMs, 40);
    assert.equal(d!.atS, 0.01);
    assert.deepEqual(d!.frames, [100, 102]);
  });

  it("bridges 2 missed windows, splits on 3", () => {
    assert.equal(run([...rep(KEY_5, 5), -1, -1, ...rep(KEY_5, 5)]).digits.length, 1);
    assert.equal(run([...rep(KEY_5, 5), -1, -1, -1, ...rep(KEY_5, 5)]).digits.length, 2);
  });

  it("a bridged digit's duration spans the dropout", () => {
    const [d] = run([...rep(KEY_5, 5), -1, -1, ...rep(KEY_5, 5)]).digits;
    assert.equal(d!.durationMs, (12 + 1) * 10);
  });

  it("another key held 3 windows ends the digit at once; a 1-window glitch does not", () => {
    const t = run([...rep(KEY_5, 6), ...rep(KEY_9, 3), -1]);
    assert.deepEqual(
      t.digits.map((d) => d.digit),
      ["5", "9"],
    );
    const glitch = run([...rep(KEY_5, 6), KEY_9, ...rep(KEY_5, 6)]);
    assert.deepEqual(
      glitch.digits.map((d) => d.digit),
      ["5"],
    );
  });

  it("restarts the 40 ms count when a tone frequency wanders more than 4 Hz from its mean", () => {
    // steady within ±1 Hz: accepted
    assert.equal(run(rep(KEY_5, 3), [10, 11, 9.5]).digits.length, 1);
    // gliding 6 Hz per window (a speech harmonic): never 3 stable windows
    assert.equal(run(rep(KEY_5, 8), [0, 6, 12, 18, 24, 30, 36, 42]).digits.length, 0);
    // glide then settle: accepted once 3 windows agree, extent from the run's start
    const [d] = run(rep(KEY_5, 6), [0, 8, 16, 16, 16, 16]).digits;
    assert.equal(d!.durationMs, 70);
  });

  it("estimates the tone's start and end inside the edge sub-blocks from their energy", () => {
    const t = new DigitTracker(Q24_DEFAULT_PARAMS);
    const energies: [number, number][] = [
      [E / 4, E], // the tone fills the last quarter of the first sub-block
      [E, E],
      [E, E],
      [E, E / 2], // and the first half of the last one
    ];
    energies.forEach(([firstEnergy, secondEnergy], i) =>
      t.window({
        k: i + 1,
        key: KEY_9,
        atS: 1 + i * 0.01,
        firstFrame: 1,
        lastFrame: 2,
        firstEnergy,
        secondEnergy,
        rowOffsetHz: 0,
        colOffsetHz: 0,
      }),
    );
    t.flush();
    const [d] = t.digits;
    // windows 1-4 cover sub-blocks 0-4: 2.5 ms + 3 × 10 ms + 5 ms = 37.5 ms
    assert.equal(d!.durationMs, 38);
    assert.ok(Math.abs(d!.atS - 1.0075) < 1e-9);
  });
});
