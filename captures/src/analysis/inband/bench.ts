/**
 * Micro benchmark (not a test): packets per second through InbandDtmfDetector for silent,
 * speech-like, white-noise and DTMF audio, 20 ms PCMU packets. Run:
 *   node --import tsx captures/src/analysis/inband/bench.ts
 *
 * Cost model: every sample costs one table lookup, one store and one multiply-add (decode + Σx²);
 * a sub-block above the silence energy adds the 8-filter Goertzel bank (8 multiply-adds per
 * sample) and one window classification (8 complex products, 2 atan2); a window that passes adds
 * the 2-tone Hann re-measure (tone-frequency.ts). Targets on the 2-core CI box: ≥ 300k packets/s on
 * silence, ≥ 60k on full-energy audio. Measured there (Node 20, shared box): silence ~2.3M,
 * speech-like and white noise ~0.67M, DTMF 100 ms on/off ~0.58M packets/s.
 */
import { windowLimitsOf } from "./classify-window.ts";
import { InbandDtmfDetector } from "./detector.ts";
import { dbm0ToSinePeak, encodeG711, MULAW_TO_LINEAR } from "./g711.ts";
import { Q24_DEFAULT_PARAMS } from "./params.ts";

const limits = windowLimitsOf(Q24_DEFAULT_PARAMS);

const PACKET = 160;
const SECONDS = 60;

type Kind = "silence" | "speech" | "noise" | "dtmf";

/** Scale x in place to an RMS of `dbm0` (sine-equivalent power). */
function normalise(x: Float64Array, dbm0: number): void {
  let e = 0;
  for (const v of x) e += v * v;
  const want = dbm0ToSinePeak(dbm0, "PCMU") / Math.SQRT2;
  const k = want / Math.sqrt(e / x.length);
  for (let i = 0; i < x.length; i++) x[i]! *= k;
}

function synth(kind: Kind): Buffer {
  const n = SECONDS * 8000;
  const x = new Float64Array(n);
  if (kind === "speech") {
    // harmonics of a gliding 120-200 Hz pitch under two moving formants, syllabic envelope
    let ph = 0;
    for (let i = 0; i < n; i++) {
      const t = i / 8000;
      const f0 = 160 + 40 * Math.sin(2 * Math.PI * 0.7 * t);
      ph += (2 * Math.PI * f0) / 8000;
      const f1 = 600 + 300 * Math.sin(2 * Math.PI * 1.1 * t);
      const f2 = 1600 + 700 * Math.sin(2 * Math.PI * 0.8 * t);
      let v = 0;
      for (let h = 1; h * f0 < 3800; h++) {
        const f = h * f0;
        v += Math.sin(h * ph) / h / (1 + ((f - f1) / 100) ** 2 + ((f - f2) / 150) ** 2 / 4);
      }
      x[i] = v * (0.65 + 0.35 * Math.sin(2 * Math.PI * 4 * t));
    }
    normalise(x, -12);
  } else if (kind === "noise") {
    let seed = 12345;
    for (let i = 0; i < n; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      x[i] = seed / 2 ** 32 - 0.5;
    }
    normalise(x, -20);
  } else if (kind === "dtmf") {
    const a = dbm0ToSinePeak(-10, "PCMU");
    for (let i = 0; i < n; i++) {
      const on = i % 1600 < 800; // 100 ms on, 100 ms off
      const w = (2 * Math.PI * i) / 8000;
      x[i] = on ? a * (Math.sin(770 * w) + Math.sin(1336 * w)) : 0;
    }
  }
  return encodeG711(x, "PCMU");
}

function run(kind: Kind): void {
  const audio = synth(kind);
  let loud = 0;
  for (let i = 0; i + 80 <= audio.length; i += 80) {
    let e = 0;
    for (let j = i; j < i + 80; j++) e += MULAW_TO_LINEAR[audio[j]!]! ** 2;
    if (e >= limits.silentSubBlockEnergy) loud++;
  }
  const packets = audio.length / PACKET;
  let best = Infinity;
  let digits = 0;
  for (let rep = 0; rep < 20; rep++) {
    const det = new InbandDtmfDetector();
    const t0 = performance.now();
    for (let p = 0; p < packets; p++)
      det.push(audio, p * PACKET, PACKET, "PCMU", p * PACKET, p * 0.02, p + 1);
    digits = det.finish().length;
    best = Math.min(best, performance.now() - t0);
  }
  const rate = Math.round((packets / best) * 1000);
  const loudPercent = Math.round((loud * 8000) / audio.length);
  console.log(
    `${kind.padEnd(8)} ${String(rate).padStart(9)} packets/s  (${packets} packets, ` +
      `best of 20: ${best.toFixed(1)} ms, ${digits} digits, ${loudPercent}% of 10 ms blocks above silence)`,
  );
}

run("silence");
run("speech");
run("noise");
run("dtmf");
