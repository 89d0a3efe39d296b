/**
 * Test signal generator: linear 16-bit audio at 8 kHz built from tones, noise and silence, encoded
 * with our G.711 encoders into RTP-sized packets (consecutive timestamps) and fed to a detector.
 * Deterministic (seeded PRNG), no I/O.
 */
import {
  dbm0ToSinePeak,
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
