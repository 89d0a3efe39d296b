import { DTMF_TONES_HZ } from "./keypad.ts";

/**
 * Goertzel filter bank for the 8 DTMF tones at 8 kHz (G.711 sampling rate).
 *
 * Block size: the bank runs on sub-blocks of SUB_BLOCK_SAMPLES = 80 samples (10 ms), and the
 * detector judges windows of two consecutive sub-blocks (160 samples = 20 ms, hop 10 ms):
 *  - frequency tolerance is the hard part. Q.24 wants ±1.5 % accepted and ±3.5 % rejected, a
 *    relative tolerance (10 / 24 Hz at 697 Hz, 24 / 57 Hz at 1633 Hz) against an absolute bin
 *    width. With a magnitude-only Goertzel of the classic N = 102-106 a 697 Hz tone 3.5 % off
 *    loses only 1.3-1.8 dB, less than level and twist spread, so no energy threshold separates
 *    the two cases. Instead the two 80-sample halves each give a complex value and the phase
 *    advance between them measures the frequency offset: Δf = Δφ · 8000 / (2π · 80), unambiguous
 *    within ±50 Hz (tone-frequency.ts refines it through a Hann window for the drift test);
 *  - 160 samples give a 50 Hz main-lobe half width, so the group-dominance test keeps > 12 dB
 *    between a tone 1.5 % off nominal and its nearest neighbour (697/770 Hz are 73 Hz apart),
 *    as N = 102-106 does;
 *  - a 10 ms hop lets "≥ 40 ms on" and "≥ 30 ms off" be counted in whole windows (N = 205 would
 *    step by 25.6 ms), and 80 divides the common packetisations (10, 20, 30 ms) so sub-blocks
 *    usually align with packets (they need not: the detector buffers across packets).
 *
 * Goertzel recurrence for a tone ω0 = 2π f0 / fs, over samples x[0..N-1]:
 *   s[n] = x[n] + 2 cos(ω0) s[n-1] - s[n-2]
 *   y    = s[N-1] - e^{-jω0} s[N-2]  =  e^{jω0(N-1)} · Σ x[n] e^{-jω0 n}
 * so |y|² = s1² + s2² - 2 cos(ω0) s1 s2 is the DFT energy at f0 (f0 need not be a bin centre) and
 * arg(y) carries the phase used for the frequency estimate.
 */

export const SAMPLE_RATE_HZ = 8000;
export const SUB_BLOCK_SAMPLES = 80;
export const TONE_COUNT = 8;

/** Per tone i: cos ω0, sin ω0, 2cos ω0, and cos/sin of ω0·SUB_BLOCK_SAMPLES (the phase a nominal
 * tone advances between two sub-blocks). */
export interface GoertzelCoefficients {
  readonly hz: Float64Array;
  readonly cos: Float64Array;
  readonly sin: Float64Array;
  readonly twoCos: Float64Array;
  readonly advanceCos: Float64Array;
  readonly advanceSin: Float64Array;
}

function buildCoefficients(tonesHz: readonly number[]): GoertzelCoefficients {
  const n = tonesHz.length;
  const c: GoertzelCoefficients = {
    hz: new Float64Array(n),
    cos: new Float64Array(n),
    sin: new Float64Array(n),
    twoCos: new Float64Array(n),
    advanceCos: new Float64Array(n),
    advanceSin: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const w = (2 * Math.PI * tonesHz[i]!) / SAMPLE_RATE_HZ;
    c.hz[i] = tonesHz[i]!;
    c.cos[i] = Math.cos(w);
    c.sin[i] = Math.sin(w);
    c.twoCos[i] = 2 * Math.cos(w);
    c.advanceCos[i] = Math.cos(w * SUB_BLOCK_SAMPLES);
    c.advanceSin[i] = Math.sin(w * SUB_BLOCK_SAMPLES);
  }
  return c;
}

/** Precomputed once for the 8 DTMF tones (rows 0-3, columns 4-7). Treat as constant. */
export const DTMF_GOERTZEL: GoertzelCoefficients = buildCoefficients(DTMF_TONES_HZ);

/**
 * Run the 8 DTMF Goertzel filters over samples[start .. start+count) and write the complex outputs
 * y_i into out[2i] (real) and out[2i+1] (imaginary). The 16 filter states live in locals (no
 * allocation, no array traffic in the inner loop).
 */
export function goertzelDtmf(samples: Float64Array, start: number, count: number, out: Float64Array): void {
  const k = DTMF_GOERTZEL.twoCos;
  const k0 = k[0]!,
    k1 = k[1]!,
    k2 = k[2]!,
    k3 = k[3]!,
    k4 = k[4]!,
    k5 = k[5]!,
    k6 = k[6]!,
    k7 = k[7]!;
  let a0 = 0,
    a1 = 0,
    a2 = 0,
    a3 = 0,
    a4 = 0,
    a5 = 0,
    a6 = 0,
    a7 = 0;
  let b0 = 0,
    b1 = 0,
    b2 = 0,
    b3 = 0,
    b4 = 0,
    b5 = 0,
    b6 = 0,
    b7 = 0;
  const end = start + count;
  for (let n = start; n < end; n++) {
    const x = samples[n]!;
    let s = x + k0 * a0 - b0;
    b0 = a0;
    a0 = s;
    s = x + k1 * a1 - b1;
    b1 = a1;
    a1 = s;
    s = x + k2 * a2 - b2;
    b2 = a2;
    a2 = s;
    s = x + k3 * a3 - b3;
    b3 = a3;
    a3 = s;
    s = x + k4 * a4 - b4;
    b4 = a4;
    a4 = s;
    s = x + k5 * a5 - b5;
    b5 = a5;
    a5 = s;
    s = x + k6 * a6 - b6;
    b6 = a6;
    a6 = s;
    s = x + k7 * a7 - b7;
    b7 = a7;
    a7 = s;
  }
  const c = DTMF_GOERTZEL.cos;
  const sn = DTMF_GOERTZEL.sin;
  out[0] = a0 - b0 * c[0]!;
  out[1] = b0 * sn[0]!;
  out[2] = a1 - b1 * c[1]!;
  out[3] = b1 * sn[1]!;
  out[4] = a2 - b2 * c[2]!;
  out[5] = b2 * sn[2]!;
  out[6] = a3 - b3 * c[3]!;
  out[7] = b3 * sn[3]!;
  out[8] = a4 - b4 * c[4]!;
  out[9] = b4 * sn[4]!;
  out[10] = a5 - b5 * c[5]!;
  out[11] = b5 * sn[5]!;
  out[12] = a6 - b6 * c[6]!;
  out[13] = b6 * sn[6]!;
  out[14] = a7 - b7 * c[7]!;
  out[15] = b7 * sn[7]!;
}
