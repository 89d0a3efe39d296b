import type { DtmfDigit } from "../../../../protocol/src/wire/dtmf/digits.ts";
import { SAMPLE_RATE_HZ, SUB_BLOCK_SAMPLES } from "./goertzel.ts";
import { DTMF_KEYPAD } from "./keypad.ts";
import type { InbandDtmfParams } from "./params.ts";

/** A DTMF digit heard in the audio of one RTP stream. */
export interface InbandDigit {
  digit: DtmfDigit;
  /** capture time of the tone's first sample (10 ms windows refined by the edge sub-block energy) */
  atS: number;
  /** tone duration on the RTP clock (sample count), same refinement */
  durationMs: number;
  /** frame numbers of the first and last packets carrying the detected tone */
  frames: number[];
}

/** What the detector knows about one window (two sub-blocks); the tracker copies what it keeps. */
export interface WindowResult {
  /** index of the window's second sub-block; consecutive windows have consecutive k */
  k: number;
  /** key index row·4 + column, or a negative rejection code */
  key: number;
  /** capture time of the window's first sample */
  atS: number;
  firstFrame: number;
  lastFrame: number;
  /** Σx² of the first and second sub-block */
  firstEnergy: number;
  secondEnergy: number;
  /** measured f − f_nominal of the row and column tone, Hz (when key ≥ 0, see tone-frequency.ts) */
  rowOffsetHz: number;
  colOffsetHz: number;
}

export const SUB_BLOCK_MS = (SUB_BLOCK_SAMPLES * 1000) / SAMPLE_RATE_HZ;

/** A run of consecutive windows that detected the same key. */
interface Run {
  key: number;
  /** trailing windows of the run whose tone frequencies each stay within maxDriftHz of the mean of
   * the stable windows before them */
  stableWindows: number;
  firstK: number;
  lastK: number;
  atS: number;
  firstFrame: number;
  lastFrame: number;
  /** share (0..1) of the first window's first sub-block / the last window's last sub-block that the
   * tone fills, estimated by its energy against the neighbouring sub-block */
  headFill: number;
  tailFill: number;
  /** sums of the stable windows' measured tone offsets, Hz */
  rowOffsetSumHz: number;
  colOffsetSumHz: number;
}

const idleRun = (): Run => ({
  key: -1,
  stableWindows: 0,
  firstK: 0,
  lastK: 0,
  atS: 0,
  firstFrame: 0,
  lastFrame: 0,
  headFill: 1,
  tailFill: 1,
  rowOffsetSumHz: 0,
  colOffsetSumHz: 0,
});

/** Share of a sub-block filled by a tone, from its energy and a fully covered neighbour's. */
const fillOf = (edge: number, full: number): number => (edge >= full ? 1 : edge / full);

/**
 * Windows -> digits (the timing half of Q.24): a key held in `minOn` consecutive, frequency-stable
 * windows becomes a digit (its extent still starts at the run's first window); `minOff` windows
 * without it end the digit; another key held for `minOn` windows ends it at once. States: idle
 * (no digit) / on (digit sounding, misses counted).
 *
 *   idle --(same key, minOnWindows stable windows)--> on --(minOffWindows misses)--> idle + digit
 *   on --(another key reaches minOnWindows)--> on (new key) + digit
 */
export class DigitTracker {
  /** windows of one key needed to accept a digit: a run of w windows spans (w + 1) sub-blocks */
  readonly minOnWindows: number;
  readonly minOffWindows: number;
  private readonly maxDriftHz: number;
  private readonly candidate: Run = idleRun();
  private readonly active: Run = idleRun();
  private misses = 0;
  private readonly found: InbandDigit[] = [];

  constructor(params: InbandDtmfParams) {
    this.minOnWindows = Math.max(1, Math.ceil(params.minOnMs / SUB_BLOCK_MS) - 1);
    this.minOffWindows = Math.max(1, Math.ceil(params.minOffMs / SUB_BLOCK_MS));
    this.maxDriftHz = params.maxFrequencyDriftHz;
  }

  get digits(): readonly InbandDigit[] {
    return this.found;
  }

  window(w: WindowResult): void {
    const cand = this.candidate;
    if (w.key < 0) {
      cand.key = -1;
      cand.stableWindows = 0;
    } else if (cand.key === w.key && cand.lastK === w.k - 1) {
      if (this.stable(w)) {
        cand.stableWindows++;
        cand.rowOffsetSumHz += w.rowOffsetHz;
        cand.colOffsetSumHz += w.colOffsetHz;
      } else {
        cand.stableWindows = 1;
        cand.rowOffsetSumHz = w.rowOffsetHz;
        cand.colOffsetSumHz = w.colOffsetHz;
      }
      cand.lastK = w.k;
      cand.lastFrame = w.lastFrame;
      cand.tailFill = fillOf(w.secondEnergy, w.firstEnergy);
    } else {
      cand.key = w.key;
      cand.stableWindows = 1;
      cand.firstK = w.k;
      cand.lastK = w.k;
      cand.atS = w.atS;
      cand.firstFrame = w.firstFrame;
      cand.lastFrame = w.lastFrame;
      cand.headFill = fillOf(w.firstEnergy, w.secondEnergy);
      cand.tailFill = fillOf(w.secondEnergy, w.firstEnergy);
      cand.rowOffsetSumHz = w.rowOffsetHz;
      cand.colOffsetSumHz = w.colOffsetHz;
    }

    const act = this.active;
    if (act.key >= 0) {
      if (w.key === act.key) {
        act.lastK = w.k;
        act.lastFrame = w.lastFrame;
        act.tailFill = fillOf(w.secondEnergy, w.firstEnergy);
        this.misses = 0;
      } else if (++this.misses >= this.minOffWindows || cand.stableWindows >= this.minOnWindows) {
        this.closeActive();
      }
    }
    if (act.key < 0 && cand.key >= 0 && cand.stableWindows >= this.minOnWindows) {
      Object.assign(act, cand);
      this.misses = 0;
    }
  }

  /** End of stream or a gap in it: close the sounding digit and forget the candidate. */
  flush(): void {
    this.closeActive();
    this.candidate.key = -1;
    this.candidate.stableWindows = 0;
  }

  /**
   * Compare w's tone frequencies with the mean over the candidate's stable windows: a steady sender
   * only adds measurement noise (which the mean smooths), a gliding harmonic drifts away from it.
   */
  private stable(w: WindowResult): boolean {
    const c = this.candidate;
    const n = c.stableWindows;
    return (
      Math.abs(w.rowOffsetHz - c.rowOffsetSumHz / n) <= this.maxDriftHz &&
      Math.abs(w.colOffsetHz - c.colOffsetSumHz / n) <= this.maxDriftHz
    );
  }

  private closeActive(): void {
    const act = this.active;
    if (act.key < 0) return;
    this.found.push({
      digit: DTMF_KEYPAD[act.key >> 2]![act.key & 3]!,
      // windows firstK..lastK cover sub-blocks firstK-1..lastK, the two end ones maybe in part
      atS: act.atS + ((1 - act.headFill) * SUB_BLOCK_MS) / 1000,
      durationMs: Math.round((act.lastK - act.firstK + act.headFill + act.tailFill) * SUB_BLOCK_MS),
      frames: [act.firstFrame, act.lastFrame],
    });
    act.key = -1;
    this.misses = 0;
  }
}
