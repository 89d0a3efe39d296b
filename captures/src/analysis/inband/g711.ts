/**
 * ITU-T G.711 (11/88) companding: µ-law (PCMU, RTP PT 0) and A-law (PCMA, RTP PT 8) <-> 16-bit
 * linear PCM, as in the reference code (Sun Microsystems g711.c, also used by CPython's audioop,
 * SoX and Asterisk).
 *
 * A G.711 octet (both laws):
 *
 *   7   6   5   4   3   2   1   0
 * +---+---+---+---+---+---+---+---+
 * | P |  segment  |   quantiser   |      P = polarity, segment = chord (exponent),
 * +---+---+---+---+---+---+---+---+      quantiser = step inside the chord (mantissa)
 *
 * µ-law: the octet is sent inverted (G.711 Table 2a: "the character signal ... is obtained by
 * inverting"), P=1 is positive, and the chord endpoints are biased by 33 (0x84 at 16-bit scale), so
 * the decoded range is ±32124 with two zero codes (0xFF = +0, 0x7F = -0).
 * A-law: the even bits are inverted (XOR 0x55, G.711 §3 "even bit inversion"), P=1 is positive,
 * segment 0 and 1 share the same step, decoded range is ±32256, no code decodes to 0 (±8).
 *
 * Decoding is a frozen 256-entry table (one lookup per sample in the detector's inner loop).
 */

const MULAW_BIAS = 0x84;
/** µ-law encoder clip at 14-bit scale: 8159 is the overload point (32635 at 16-bit scale) */
const MULAW_CLIP_14 = 8159;
const SEG_SHIFT = 4;
const QUANT_MASK = 0x0f;
const SEG_MASK = 0x70;
const SIGN_BIT = 0x80;
/** upper end of each chord, µ-law at 14-bit scale after the bias, A-law at 13-bit scale */
const MULAW_SEG_END: readonly number[] = Object.freeze([
  0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff,
]);
const ALAW_SEG_END: readonly number[] = Object.freeze([0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff]);

function mulawDecodeOne(code: number): number {
  const u = ~code & 0xff;
  let t = ((u & QUANT_MASK) << 3) + MULAW_BIAS;
  t <<= (u & SEG_MASK) >> SEG_SHIFT;
  return u & SIGN_BIT ? MULAW_BIAS - t : t - MULAW_BIAS;
}

function alawDecodeOne(code: number): number {
  const a = code ^ 0x55;
  let t = (a & QUANT_MASK) << 4;
  const seg = (a & SEG_MASK) >> SEG_SHIFT;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & SIGN_BIT ? t : -t;
}

function buildTable(decode: (code: number) => number): Readonly<Int16Array> {
  const table = new Int16Array(256);
  for (let code = 0; code < 256; code++) table[code] = decode(code);
  return table;
}

/**
 * µ-law octet -> 16-bit linear. Typed arrays cannot be frozen; the table is module-private data
 * exposed as a readonly view: treat it as constant.
 */
export const MULAW_TO_LINEAR: Readonly<Int16Array> = buildTable(mulawDecodeOne);
/** A-law octet -> 16-bit linear. */
export const ALAW_TO_LINEAR: Readonly<Int16Array> = buildTable(alawDecodeOne);

export type G711Codec = "PCMU" | "PCMA";

export function g711DecodeTable(codec: G711Codec): Readonly<Int16Array> {
  return codec === "PCMU" ? MULAW_TO_LINEAR : ALAW_TO_LINEAR;
}

function segmentOf(value: number, ends: readonly number[]): number {
  for (let i = 0; i < ends.length; i++) if (value <= ends[i]!) return i;
  return ends.length;
}

/** Clamp and truncate any number to a 16-bit signed sample. */
function toInt16(sample: number): number {
  if (!(sample > -32768)) return sample !== sample ? 0 : -32768;
  if (sample > 32767) return 32767;
  return Math.trunc(sample);
}

/** 16-bit linear -> µ-law octet (G.711 µ-law encoder, values beyond ±32635 saturate). */
export function linearToMulaw(sample: number): number {
  let pcm = toInt16(sample) >> 2;
  let mask: number;
  if (pcm < 0) {
    pcm = -pcm;
    mask = 0x7f;
  } else {
    mask = 0xff;
  }
  if (pcm > MULAW_CLIP_14) pcm = MULAW_CLIP_14;
  pcm += MULAW_BIAS >> 2;
  const seg = segmentOf(pcm, MULAW_SEG_END);
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << SEG_SHIFT) | ((pcm >> (seg + 1)) & QUANT_MASK)) ^ mask;
}

/** 16-bit linear -> A-law octet (G.711 A-law encoder). */
export function linearToAlaw(sample: number): number {
  let pcm = toInt16(sample) >> 3;
  let mask: number;
  if (pcm >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  const seg = segmentOf(pcm, ALAW_SEG_END);
  if (seg >= 8) return 0x7f ^ mask;
  const quant = seg < 2 ? (pcm >> 1) & QUANT_MASK : (pcm >> seg) & QUANT_MASK;
  return ((seg << SEG_SHIFT) | quant) ^ mask;
}

/** Encode linear samples into a new Buffer of G.711 octets (for tests and signal generators). */
export function encodeG711(samples: ArrayLike<number>, codec: G711Codec): Buffer {
  const out = Buffer.alloc(samples.length);
  const encode = codec === "PCMU" ? linearToMulaw : linearToAlaw;
  for (let i = 0; i < samples.length; i++) out[i] = encode(samples[i]!);
  return out;
}

/**
 * dBm0 reference. G.711 gives each law a "theoretical maximum load capacity" (Tmax): a sine whose
 * peak reaches the coder overload point is +3.14 dBm0 for A-law (overload 4096 at 13-bit scale =
 * 32768 at 16-bit) and +3.17 dBm0 for µ-law (8159 at 14-bit = 32636 at 16-bit). So a 0 dBm0 sine
 * has a 16-bit peak of 32768 / 10^(3.14/20) ≈ 22827 (A-law) or 32636 / 10^(3.17/20) ≈ 22657
 * (µ-law). The 0.07 dB difference is far inside every DTMF tolerance.
 */
export const G711_0DBM0_SINE_PEAK: Readonly<Record<G711Codec, number>> = Object.freeze({
  PCMA: 32768 / 10 ** (3.14 / 20),
  PCMU: 32636 / 10 ** (3.17 / 20),
});

/** Peak amplitude (16-bit linear) of a sine at `dbm0`. */
export function dbm0ToSinePeak(dbm0: number, codec: G711Codec): number {
  return G711_0DBM0_SINE_PEAK[codec] * 10 ** (dbm0 / 20);
}

/** Mean-square power (16-bit linear units squared) of a sine at `dbm0`. */
export function dbm0ToSinePower(dbm0: number, codec: G711Codec): number {
  const peak = dbm0ToSinePeak(dbm0, codec);
  return (peak * peak) / 2;
}
