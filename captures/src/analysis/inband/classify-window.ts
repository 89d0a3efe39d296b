import { dbm0ToSinePower } from "./g711.ts";
import { DTMF_GOERTZEL, SAMPLE_RATE_HZ, SUB_BLOCK_SAMPLES } from "./goertzel.ts";
import type { InbandDtmfParams } from "./params.ts";

/**
 * One detection window = two consecutive 80-sample sub-blocks (see goertzel.ts). For tone i with
 * Goertzel outputs y1 (first half) and y2 (second half), M = SUB_BLOCK_SAMPLES, ω0 its nominal
 * angular frequency:
 *
 *   e1 = |y1|², e2 = |y2|²                     half-window DFT energies
 *   z  = y2 · conj(y1) · e^{-jω0·M}            phase advance beyond the nominal one
 *   |Y|² = e1 + e2 + 2·Re z                    energy of the 160-sample DFT at f0 (fine resolution,
 *                                              used to pick the row and the column)
 *   Δφ = arg z = (ω − ω0)·M                    so Δf = Δφ · fs / (2π M) (frequency offset)
 *   P  = (e1 + e2) / (M² · G(Δφ))              mean-square power of the tone, where
 *   G(Δφ) = (sin(Δφ/2) / (M sin(Δφ/(2M))))²    is the M-sample DFT gain at the measured offset
 *
 * For a pure sine of amplitude A at f0, |X_M| = A·M/2 so P = A²/2, the sine's mean-square power.
 */

/** Result codes: ≥ 0 is the key index row·4 + column; negative values say why the window failed. */
export const WINDOW_SILENT = -1;
export const WINDOW_NO_DOMINANT_TONE = -2;
export const WINDOW_OFF_FREQUENCY = -3;
export const WINDOW_TOO_WEAK = -4;
export const WINDOW_TWIST = -5;
export const WINDOW_NOT_PURE = -6;

export type WindowRejection =
  | typeof WINDOW_SILENT
  | typeof WINDOW_NO_DOMINANT_TONE
  | typeof WINDOW_OFF_FREQUENCY
  | typeof WINDOW_TOO_WEAK
  | typeof WINDOW_TWIST
  | typeof WINDOW_NOT_PURE;

/** The parameters as linear ratios, computed once per detector. */
export interface WindowLimits {
  /** per-tone minimum mean-square power, 16-bit linear units squared */
  readonly minTonePower: number;
  /** a sub-block whose energy (Σx²) is below this skips the Goertzel bank */
  readonly silentSubBlockEnergy: number;
  readonly maxLowOverHigh: number;
  readonly maxHighOverLow: number;
  readonly dominance: number;
  readonly minFraction: number;
  readonly maxDeviation: number;
}

const dbToRatio = (db: number): number => 10 ** (db / 10);

export function windowLimitsOf(p: InbandDtmfParams): WindowLimits {
  // µ-law has the lower 0 dBm0 reference, so its power at the threshold is the smaller one
  const minTonePower = dbm0ToSinePower(p.minToneDbm0, "PCMU");
  return Object.freeze({
    minTonePower,
    // a window at the threshold holds two tones of minTonePower in each sub-block, so its
    // sub-blocks carry ≥ 2·minTonePower·M; half of that is safely "nothing to detect here"
    silentSubBlockEnergy: minTonePower * SUB_BLOCK_SAMPLES,
    maxLowOverHigh: dbToRatio(p.maxLowOverHighDb),
    maxHighOverLow: dbToRatio(p.maxHighOverLowDb),
    dominance: dbToRatio(p.groupDominanceDb),
    minFraction: p.minToneEnergyFraction,
    maxDeviation: p.maxFrequencyDeviation,
  });
}

const M = SUB_BLOCK_SAMPLES;
const { advanceCos, advanceSin, hz } = DTMF_GOERTZEL;

/** Scratch for the 160-sample energies, shared by every detector (the module is synchronous). */
const fullEnergy = new Float64Array(8);

function fineEnergy(y1: Float64Array, y2: Float64Array, i: number): number {
  const r1 = y1[2 * i]!,
    i1 = y1[2 * i + 1]!,
    r2 = y2[2 * i]!,
    i2 = y2[2 * i + 1]!;
  const pr = r2 * r1 + i2 * i1; // Re(y2·conj y1)
  const pi = i2 * r1 - r2 * i1; // Im(y2·conj y1)
  const zr = pr * advanceCos[i]! + pi * advanceSin[i]!;
  return r1 * r1 + i1 * i1 + r2 * r2 + i2 * i2 + 2 * zr;
}

/** Δφ of tone i (radians per sub-block), in (−π, π]. */
export function phaseOffset(y1: Float64Array, y2: Float64Array, i: number): number {
  const r1 = y1[2 * i]!,
    i1 = y1[2 * i + 1]!,
    r2 = y2[2 * i]!,
    i2 = y2[2 * i + 1]!;
  const pr = r2 * r1 + i2 * i1;
  const pi = i2 * r1 - r2 * i1;
  const zr = pr * advanceCos[i]! + pi * advanceSin[i]!;
  const zi = pi * advanceCos[i]! - pr * advanceSin[i]!;
  return Math.atan2(zi, zr);
}

/** Mean-square power of tone i, corrected for the DFT gain at the measured offset. */
function tonePower(y1: Float64Array, y2: Float64Array, i: number, dphi: number): number {
  const r1 = y1[2 * i]!,
    i1 = y1[2 * i + 1]!,
    r2 = y2[2 * i]!,
    i2 = y2[2 * i + 1]!;
  const half = dphi / 2;
  const gainRoot = half === 0 ? 1 : Math.sin(half) / (M * Math.sin(half / M));
  return (r1 * r1 + i1 * i1 + r2 * r2 + i2 * i2) / (M * M * gainRoot * gainRoot);
}

/** Index of the strongest of fullEnergy[from..from+3], or −1 when it does not dominate the others. */
function dominantOf(from: number, dominance: number): number {
  let best = from;
  for (let i = from + 1; i < from + 4; i++) if (fullEnergy[i]! > fullEnergy[best]!) best = i;
  const top = fullEnergy[best]!;
  for (let i = from; i < from + 4; i++) if (i !== best && top < dominance * fullEnergy[i]!) return -1;
  return best;
}

/**
 * Classify one window. y1/y2 are the Goertzel outputs of its two sub-blocks (16 numbers each, see
 * goertzelDtmf), windowEnergy is Σx² over its 160 samples.
 */
export function classifyWindow(
  y1: Float64Array,
  y2: Float64Array,
  windowEnergy: number,
  lim: WindowLimits,
): number {
  for (let i = 0; i < 8; i++) fullEnergy[i] = fineEnergy(y1, y2, i);
  const row = dominantOf(0, lim.dominance);
  const col = dominantOf(4, lim.dominance);
  if (row < 0 || col < 0) return WINDOW_NO_DOMINANT_TONE;

  const rowPhi = phaseOffset(y1, y2, row);
  const colPhi = phaseOffset(y1, y2, col);
  const hzPerRadian = SAMPLE_RATE_HZ / (2 * Math.PI * M);
  if (Math.abs(rowPhi * hzPerRadian) > lim.maxDeviation * hz[row]!) return WINDOW_OFF_FREQUENCY;
  if (Math.abs(colPhi * hzPerRadian) > lim.maxDeviation * hz[col]!) return WINDOW_OFF_FREQUENCY;

  const rowPower = tonePower(y1, y2, row, rowPhi);
  const colPower = tonePower(y1, y2, col, colPhi);
  if (rowPower < lim.minTonePower || colPower < lim.minTonePower) return WINDOW_TOO_WEAK;
  if (rowPower > lim.maxLowOverHigh * colPower || colPower > lim.maxHighOverLow * rowPower) {
    return WINDOW_TWIST;
  }
  if ((rowPower + colPower) * 2 * M < lim.minFraction * windowEnergy) return WINDOW_NOT_PURE;
  return row * 4 + (col - 4);
}
