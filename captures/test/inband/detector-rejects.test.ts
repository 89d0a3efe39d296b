import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Q24_DEFAULT_PARAMS, type G711Codec } from "../../src/analysis/inband/index.ts";
import { concat, detectIn, digitString, dtmf, mix, silence, speechLike, tones, whiteNoise } from "./audio.ts";

const CODECS: readonly G711Codec[] = ["PCMU", "PCMA"];

describe("in-band DTMF: no false digits", () => {
  it("in 5 s of digital silence (and of idle-channel code 0xFF/0xD5 noise)", () => {
    for (const codec of CODECS) {
      assert.deepEqual(detectIn(silence(5000), codec), []);
      assert.deepEqual(detectIn(whiteNoise(5000, -60, 2), codec), []);
    }
  });

  it("in 5 s of white noise at -3, -15 and -30 dBm0", () => {
    for (const [i, dbm0] of [-3, -15, -30].entries()) {
      assert.deepEqual(detectIn(whiteNoise(5000, dbm0, 10 + i), CODECS[i % 2]!), []);
    }
  });

  it("in a 1000 Hz test tone", () => {
    for (const codec of CODECS) assert.deepEqual(detectIn(tones([{ hz: 1000, dbm0: -3 }], 3000), codec), []);
  });

  it("in North American call-progress pairs: ringback 440+480, dial tone 350+440, busy 480+620", () => {
    for (const [a, b] of [
      [440, 480],
      [350, 440],
      [480, 620],
    ] as const) {
      const audio = tones(
        [
          { hz: a, dbm0: -13 },
          { hz: b, dbm0: -13 },
        ],
        3000,
      );
      assert.deepEqual(detectIn(audio, "PCMU"), [], `${a}+${b}`);
    }
  });

  it("in a DTMF row tone alone, or a column tone alone", () => {
    assert.deepEqual(detectIn(tones([{ hz: 770, dbm0: -8 }], 1000), "PCMA"), []);
    assert.deepEqual(detectIn(tones([{ hz: 1477, dbm0: -8 }], 1000), "PCMA"), []);
  });

  it("in two row tones (697+770) or two column tones (1209+1336)", () => {
    const twoRows = tones(
      [
        { hz: 697, dbm0: -10 },
        { hz: 770, dbm0: -10 },
      ],
      1000,
    );
    const twoCols = tones(
      [
        { hz: 1209, dbm0: -10 },
        { hz: 1336, dbm0: -10 },
      ],
      1000,
    );
    assert.deepEqual(detectIn(twoRows, "PCMU"), []);
    assert.deepEqual(detectIn(twoCols, "PCMU"), []);
  });

  it("in a DTMF pair drowned by a third strong tone (not a pure pair)", () => {
    const audio = mix(dtmf("5", 1000, { dbm0: -15 }), tones([{ hz: 2000, dbm0: -6 }], 1000));
    assert.deepEqual(detectIn(audio, "PCMU"), []);
  });

  it("in 5 s of synthetic voiced speech (swept 120-200 Hz pitch, moving formants), 6 voices", () => {
    // seeds 4, 24 and 26 with narrow formants and no jitter put two harmonics on a row and a
    // column for > 40 ms: without the frequency-drift test they give false 7, 8 and 5
    const narrow = { formantBandwidthsHz: [40, 50, 80] as const, jitter: 0 };
    const voices = [
      { seed: 1 },
      { seed: 19, dbm0: -5, formantBandwidthsHz: [50, 70, 110] as const },
      { seed: 4, ...narrow },
      { seed: 24, ...narrow },
      { seed: 26, ...narrow },
      { seed: 36, ...narrow, jitter: 0.01 },
    ];
    for (const [i, v] of voices.entries()) {
      const found = detectIn(speechLike(5000, v), CODECS[i % 2]!);
      assert.deepEqual(found, [], `voice ${JSON.stringify(v)}: ${digitString(found)}`);
    }
  });

  it("the speech above is DTMF-like enough to fool a detector without the drift test", () => {
    const noDrift = { ...Q24_DEFAULT_PARAMS, maxFrequencyDriftHz: 1000 };
    const narrow = { formantBandwidthsHz: [40, 50, 80] as const, jitter: 0 };
    assert.equal(digitString(detectIn(speechLike(5000, { seed: 4, ...narrow }), "PCMU", noDrift)), "7");
  });
});

describe("in-band DTMF: keys next to noise and speech", () => {
  it("are still heard in white noise at 15 dB SNR", () => {
    for (const [i, key] of [..."147*2580369#ABCD"].entries()) {
      const clean = concat(silence(30 + i), dtmf(key, 100, { dbm0: -20 }), silence(60));
      // each tone at -20 dBm0, the pair at -17 dBm0; noise 15 dB below the pair
      const noisy = mix(clean, whiteNoise(clean.length / 8, -32, 100 + i));
      assert.equal(digitString(detectIn(noisy, CODECS[i % 2]!)), key, key);
    }
  });

  it("are heard between stretches of speech", () => {
    const audio = concat(
      speechLike(1500, { seed: 3 }),
      silence(50),
      dtmf("9", 120),
      silence(50),
      speechLike(1500, { seed: 4 }),
      dtmf("0", 120),
      speechLike(800, { seed: 5 }),
    );
    assert.equal(digitString(detectIn(audio, "PCMA")), "90");
  });
});
