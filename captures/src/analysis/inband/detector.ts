import { classifyWindow, WINDOW_SILENT, windowLimitsOf, type WindowLimits } from "./classify-window.ts";
import { DigitTracker, type InbandDigit, type WindowResult } from "./digit-tracker.ts";
import { g711DecodeTable, type G711Codec } from "./g711.ts";
import { goertzelDtmf, SAMPLE_RATE_HZ, SUB_BLOCK_SAMPLES } from "./goertzel.ts";
import { Q24_DEFAULT_PARAMS, type InbandDtmfParams } from "./params.ts";
import { measureToneOffsetsHz } from "./tone-frequency.ts";

/**
 * In-band DTMF receiver for one G.711 RTP stream (ITU-T Q.24 style, see params.ts for the limits
 * and goertzel.ts for the 80-sample sub-block / 160-sample window choice).
 *
 * Pipeline per packet: G.711 table decode into an 80-sample buffer while summing Σx²; each full
 * sub-block below the silence energy skips the Goertzel bank (so silent audio costs one lookup and
 * one multiply-add per sample); every sub-block closes a window with the previous one, which
 * classifyWindow turns into a key or a rejection; DigitTracker turns windows into digits.
 *
 * An RTP timestamp that is not the previous one plus its sample count (loss, reordering, DTX,
 * a new talk spurt) closes the current digit and restarts the sub-block buffer: samples on either
 * side of a gap are never joined into one window. A packet repeating the previous timestamp and
 * length is taken as a duplicate and ignored.
 */
export class InbandDtmfDetector {
  private readonly limits: WindowLimits;
  private readonly tracker: DigitTracker;
  private readonly offsetsHz = new Float64Array(2);
  private readonly win: WindowResult = {
    k: 0,
    key: -1,
    atS: 0,
    firstFrame: 0,
    lastFrame: 0,
    firstEnergy: 0,
    secondEnergy: 0,
    rowOffsetHz: 0,
    colOffsetHz: 0,
  };

  private samples = new Float64Array(SUB_BLOCK_SAMPLES);
  private prevSamples = new Float64Array(SUB_BLOCK_SAMPLES);
  private fill = 0;
  private energy = 0;
  private subAtS = 0;
  private subFirstFrame = 0;

  private prevY = new Float64Array(16);
  private curY = new Float64Array(16);
  private hasPrev = false;
  private prevSilent = true;
  private prevEnergy = 0;
  private prevAtS = 0;
  private prevFirstFrame = 0;
  private subIndex = 0;

  private lastTs = -1;
  private lastLength = -1;
  private nextTs = -1;

  constructor(params: InbandDtmfParams = Q24_DEFAULT_PARAMS) {
    this.limits = windowLimitsOf(params);
    this.tracker = new DigitTracker(params);
  }

  /** Digits closed so far (a digit still sounding at the last packet appears after finish()). */
  get digits(): readonly InbandDigit[] {
    return this.tracker.digits;
  }

  /**
   * Feed one RTP payload: `length` G.711 octets at payload[offset..], sampled at 8 kHz, whose first
   * sample has RTP timestamp `rtpTs` and was captured at `atS` in frame `frame`.
   */
  push(
    payload: Buffer,
    offset: number,
    length: number,
    codec: G711Codec,
    rtpTs: number,
    atS: number,
    frame: number,
  ): void {
    if (offset < 0 || length < 0) throw new RangeError(`bad payload slice ${offset}+${length}`);
    const ts = rtpTs >>> 0;
    if (this.nextTs >= 0) {
      if (ts === this.lastTs && length === this.lastLength) return;
      if (ts !== this.nextTs) this.discontinuity();
    }
    this.lastTs = ts;
    this.lastLength = length;
    this.nextTs = (ts + length) >>> 0;

    const table = g711DecodeTable(codec);
    const end = offset + Math.max(0, Math.min(length, payload.length - offset));
    let i = offset;
    while (i < end) {
      if (this.fill === 0) {
        this.subAtS = atS + (i - offset) / SAMPLE_RATE_HZ;
        this.subFirstFrame = frame;
      }
      const take = Math.min(SUB_BLOCK_SAMPLES - this.fill, end - i);
      const buf = this.samples; // swapped with prevSamples at every sub-block end
      let fill = this.fill;
      let energy = this.energy;
      for (const stop = i + take; i < stop; i++) {
        const x = table[payload[i]!]!;
        buf[fill++] = x;
        energy += x * x;
      }
      this.fill = fill;
      this.energy = energy;
      if (fill === SUB_BLOCK_SAMPLES) this.subBlockDone(frame);
    }
  }

  /** Close the digit still sounding (if accepted) and return every digit found. */
  finish(): InbandDigit[] {
    this.discontinuity();
    this.nextTs = -1;
    return [...this.tracker.digits];
  }

  private subBlockDone(lastFrame: number): void {
    const energy = this.energy;
    const silent = energy < this.limits.silentSubBlockEnergy;
    if (!silent) goertzelDtmf(this.samples, 0, SUB_BLOCK_SAMPLES, this.curY);
    const k = ++this.subIndex;
    if (this.hasPrev) {
      const w = this.win;
      w.k = k;
      w.key =
        silent || this.prevSilent
          ? WINDOW_SILENT
          : classifyWindow(this.prevY, this.curY, this.prevEnergy + energy, this.limits);
      if (w.key >= 0) {
        const o = this.offsetsHz;
        measureToneOffsetsHz(
          this.prevSamples,
          this.samples,
          this.prevEnergy,
          energy,
          w.key >> 2,
          4 + (w.key & 3),
          o,
        );
      }
      w.atS = this.prevAtS;
      w.firstFrame = this.prevFirstFrame;
      w.lastFrame = lastFrame;
      w.firstEnergy = this.prevEnergy;
      w.secondEnergy = energy;
      w.rowOffsetHz = this.offsetsHz[0]!;
      w.colOffsetHz = this.offsetsHz[1]!;
      this.tracker.window(w);
    }
    const spareY = this.prevY;
    this.prevY = this.curY;
    this.curY = spareY;
    const spareSamples = this.prevSamples;
    this.prevSamples = this.samples;
    this.samples = spareSamples;
    this.hasPrev = true;
    this.prevSilent = silent;
    this.prevEnergy = energy;
    this.prevAtS = this.subAtS;
    this.prevFirstFrame = this.subFirstFrame;
    this.fill = 0;
    this.energy = 0;
  }

  private discontinuity(): void {
    this.tracker.flush();
    this.hasPrev = false;
    this.fill = 0;
    this.energy = 0;
  }
}
