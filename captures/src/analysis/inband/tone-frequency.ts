import { DTMF_GOERTZEL, SAMPLE_RATE_HZ, SUB_BLOCK_SAMPLES } from "./goertzel.ts";

/**
 * Precise frequency of the detected row and column tones, for the talk-off drift test.
 *
 * classifyWindow's phase-difference estimate uses rectangular 80-sample DFTs, whose sidelobes let
 * the other tone of the pair leak in: the column tone 340 Hz (3.4 bins) away from a row bin adds
 * up to ±0.09 rad per sub-block, so the estimate wobbles by ±3 Hz from window to window. Good
 * enough for the ±2.5 % tolerance test, not for telling a crystal-stable sender (< 1 Hz) from a
 * gliding speech harmonic (several Hz per window). Here the two chosen tones are measured again
 * through a Hann window (sidelobes below −40 dB at 3 bins), so the wobble falls under 0.2 Hz.
 *
 * Hann: w[n] = sin²(π (n + ½) / M), symmetric about (M − 1)/2 like the rectangular window, so the
 * phase of a tone in a windowed sub-block still refers to the sub-block centre and the estimate
 * is Δf = arg(y2 · conj(y1) · e^{−jω0 M}) · fs / (2π M), as in classify-window.ts.
 *
 * Tone edges: when a window's first sub-block holds the tone only in [m, M) (or its second one only
 * in [0, M − m)), the phase refers to the w-weighted centre c(m) of the filled part instead of the
 * sub-block centre, and the estimate reads Δf · (M + (M − 1)/2 − c(m)) / M. The filled share
 * (M − m)/M is taken from the ratio of the two sub-blocks' energies; EDGE_GAIN[m] undoes the bias.
 */

const M = SUB_BLOCK_SAMPLES;

const HANN: Float64Array = (() => {
  const w = new Float64Array(M);
  for (let n = 0; n < M; n++) w[n] = Math.sin((Math.PI * (n + 0.5)) / M) ** 2;
  return w;
})();

/** EDGE_GAIN[m] = M / (M + (M − 1)/2 − c(m)), c(m) = Hann-weighted mean index over [m, M). */
const EDGE_GAIN: Float64Array = (() => {
  const g = new Float64Array(M);
  for (let m = 0; m < M; m++) {
    let sw = 0;
    let swn = 0;
    for (let n = m; n < M; n++) {
      sw += HANN[n]!;
      swn += HANN[n]! * n;
    }
    g[m] = M / (M + (M - 1) / 2 - swn / sw);
  }
  return g;
})();

/** Largest m the edge correction trusts: below a 1/4 fill the windowed phase is mostly noise. */
const MAX_EDGE_M = (3 * M) / 4;

const HZ_PER_RADIAN = SAMPLE_RATE_HZ / (2 * Math.PI * M);

/** Scratch for the two complex outputs of one tone (y1 re/im, y2 re/im). */
const ys = new Float64Array(4);

function hannGoertzel(x: Float64Array, tone: number, out: Float64Array, at: number): void {
  const k = DTMF_GOERTZEL.twoCos[tone]!;
  let s1 = 0;
  let s2 = 0;
  for (let n = 0; n < M; n++) {
    const s = x[n]! * HANN[n]! + k * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  out[at] = s1 - s2 * DTMF_GOERTZEL.cos[tone]!;
  out[at + 1] = s2 * DTMF_GOERTZEL.sin[tone]!;
}

function offsetHz(first: Float64Array, second: Float64Array, tone: number): number {
  hannGoertzel(first, tone, ys, 0);
  hannGoertzel(second, tone, ys, 2);
  const r1 = ys[0]!,
    i1 = ys[1]!,
    r2 = ys[2]!,
    i2 = ys[3]!;
  const pr = r2 * r1 + i2 * i1;
  const pi = i2 * r1 - r2 * i1;
  const ac = DTMF_GOERTZEL.advanceCos[tone]!;
  const as = DTMF_GOERTZEL.advanceSin[tone]!;
  return Math.atan2(pi * ac - pr * as, pr * ac + pi * as) * HZ_PER_RADIAN;
}

/**
 * Measure f − f_nominal (Hz) of tone `row` (0-3) and tone `col` (4-7) over a window made of the
 * 80-sample sub-blocks `first` and `second` (energies Σx² given), into out[0] and out[1].
 */
export function measureToneOffsetsHz(
  first: Float64Array,
  second: Float64Array,
  firstEnergy: number,
  secondEnergy: number,
  row: number,
  col: number,
  out: Float64Array,
): void {
  const lo = Math.min(firstEnergy, secondEnergy);
  const hi = Math.max(firstEnergy, secondEnergy);
  const missing = hi > 0 ? Math.round(M * (1 - lo / hi)) : 0;
  const gain = EDGE_GAIN[Math.min(missing, MAX_EDGE_M)]!;
  out[0] = offsetHz(first, second, row) * gain;
  out[1] = offsetHz(first, second, col) * gain;
}
