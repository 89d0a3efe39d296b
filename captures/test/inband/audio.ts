/**
 * Test signal generator: linear 16-bit audio at 8 kHz built from tones, noise and silence, encoded
 * with our G.711 encoders into RTP-sized packets (consecutive timestamps) and fed to a detector.
 * Deterministic (seeded PRNG), no I/O.
 */
import {
  dbm0ToSinePeak,
  dtmfToneOf,
  encodeG711,
  InbandDtmfDetector,
  type G711Codec,
  type InbandDigit,
  type InbandDtmfParams,
} from "../../src/analysis/inband/index.ts";

export const FS = 8000;
const samplesOf = (ms: number): number => Math.round((ms * FS) / 1000);

/** mulberry32: small seeded PRNG, uniform in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ToneSpec {
  hz: number;
  dbm0: number;
}

/** Sum of sines (each at its own dBm0 level, PCMA reference) lasting `ms`. */
export function tones(specs: readonly ToneSpec[], ms: number, startPhase = 0): Float64Array {
  const n = samplesOf(ms);
  const out = new Float64Array(n);
  for (const { hz, dbm0 } of specs) {
    const a = dbm0ToSinePeak(dbm0, "PCMA");
    const w = (2 * Math.PI * hz) / FS;
    for (let i = 0; i < n; i++) out[i]! += a * Math.sin(w * i + startPhase);
  }
  return out;
}

export function silence(ms: number): Float64Array {
  return new Float64Array(samplesOf(ms));
}

/** Gaussian white noise at `dbm0` (power), Box-Muller on the seeded PRNG. */
export function whiteNoise(ms: number, dbm0: number, seed = 1): Float64Array {
  const n = samplesOf(ms);
  const rnd = prng(seed);
  const rms = dbm0ToSinePeak(dbm0, "PCMA") / Math.SQRT2;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = 1 - rnd();
    out[i] = rms * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
  }
  return out;
}

export function concat(...parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function mix(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(Math.max(a.length, b.length));
  for (let i = 0; i < out.length; i++) out[i] = (a[i] ?? 0) + (b[i] ?? 0);
  return out;
}

export interface Packet {
  payload: Buffer;
  rtpTs: number;
  atS: number;
  frame: number;
}

/** Encode and cut into packets of `packetSamples` (last one may be short), timestamps from `ts0`. */
export function packetize(
  samples: Float64Array,
  codec: G711Codec,
  packetSamples = 160,
  ts0 = 1000,
  frame0 = 1,
): Packet[] {
  const bytes = encodeG711(samples, codec);
  const out: Packet[] = [];
  for (let at = 0, f = frame0; at < bytes.length; at += packetSamples, f++) {
    out.push({
      payload: bytes.subarray(at, at + packetSamples),
      rtpTs: (ts0 + at) >>> 0,
      atS: at / FS,
      frame: f,
    });
  }
  return out;
}

export function detect(
  packets: readonly Packet[],
  codec: G711Codec,
  params?: InbandDtmfParams,
): InbandDigit[] {
  const det = new InbandDtmfDetector(params);
  for (const p of packets) det.push(p.payload, 0, p.payload.length, codec, p.rtpTs, p.atS, p.frame);
  return det.finish();
}

/** Shorthand: samples -> packets -> digits. */
export function detectIn(samples: Float64Array, codec: G711Codec, params?: InbandDtmfParams): InbandDigit[] {
  return detect(packetize(samples, codec), codec, params);
}

export const digitString = (ds: readonly InbandDigit[]): string => ds.map((d) => d.digit).join("");

export interface SpeechOptions {
  seed: number;
  /** formant bandwidths (Hz) of F1, F2, F3; real voices are ~60-120, 70-150, 100-200 */
  formantBandwidthsHz?: readonly [number, number, number];
  /** relative pitch jitter, re-drawn every 10 ms */
  jitter?: number;
  /** overall level, dBm0 */
  dbm0?: number;
}

/**
 * Synthetic voiced speech: the harmonics of a fundamental swept between 120 and 200 Hz, each
 * weighted by a -6 dB/octave source slope and by three formant resonances (F1 300-900 Hz,
 * F2 900-2300 Hz, F3 2600 Hz, each moving at its own rate), under a 4 Hz syllabic envelope.
 * Because formants can sit on one row and one column harmonic at once, it is a fair talk-off test.
 */
export function speechLike(ms: number, opts: SpeechOptions): Float64Array {
  const { seed, formantBandwidthsHz: bw = [70, 90, 150], jitter = 0.005, dbm0 = -15 } = opts;
  const n = samplesOf(ms);
  const out = new Float64Array(n);
  const rnd = prng(seed);
  const phase = new Float64Array(32).map(() => rnd() * 2 * Math.PI);
  const [p0, p1, p2] = [rnd() * 6, rnd() * 6, rnd() * 6];
  let jit = 0;
  for (let i = 0; i < n; i++) {
    const t = i / FS;
    if (i % 80 === 0) jit = (rnd() * 2 - 1) * jitter;
    const f0 = (160 + 40 * Math.sin(2 * Math.PI * 0.7 * t + p0)) * (1 + jit);
    const formants = [
      600 + 300 * Math.sin(2 * Math.PI * 1.1 * t + p1),
      1600 + 700 * Math.sin(2 * Math.PI * 0.8 * t + p2),
      2600,
    ];
    let x = 0;
    for (let h = 1; h < 32 && h * f0 < 3800; h++) {
      const f = h * f0;
      phase[h]! += (2 * Math.PI * f) / FS;
      let g = 1 / h;
      for (let k = 0; k < 3; k++) {
        const fk = formants[k]!;
        g *= fk / 1000 / Math.sqrt(1 + ((2 * (f - fk)) / bw[k]!) ** 2);
      }
      x += g * Math.sin(phase[h]!);
    }
    out[i] = x * (0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t));
  }
  let e = 0;
  for (const v of out) e += v * v;
  const scale = dbm0ToSinePeak(dbm0, "PCMA") / Math.SQRT2 / Math.sqrt(e / n);
  for (let i = 0; i < n; i++) out[i]! *= scale;
  return out;
}

/** A DTMF key as two tones (levels per tone, dBm0; `twistDb` = high group minus low group). */
export function dtmf(
  digit: string,
  ms: number,
  opts: { dbm0?: number; twistDb?: number; deviation?: number; phase?: number } = {},
): Float64Array {
  const { dbm0 = -10, twistDb = 0, deviation = 0, phase = 0 } = opts;
  const pair = dtmfToneOf(digit);
  if (!pair) throw new Error(`not a DTMF key: ${digit}`);
  return tones(
    [
      { hz: pair.rowHz * (1 + deviation), dbm0: dbm0 - twistDb / 2 },
      { hz: pair.colHz * (1 + deviation), dbm0: dbm0 + twistDb / 2 },
    ],
    ms,
    phase,
  );
}
