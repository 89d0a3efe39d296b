import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { InbandDtmfDetector, type G711Codec } from "../../src/analysis/inband/index.ts";
import { concat, detect, detectIn, digitString, dtmf, packetize, silence } from "./audio.ts";

const KEYS = "123A456B789C*0#D";
const CODECS: readonly G711Codec[] = ["PCMU", "PCMA"];

describe("in-band DTMF: every key is heard once", () => {
  for (const codec of CODECS) {
    for (const ms of [50, 100, 500]) {
      it(`${codec}, ${ms} ms tones, all 16 keys`, () => {
        for (const [i, key] of [...KEYS].entries()) {
          // vary where the tone starts inside a 10 ms sub-block and the sine phase
          const audio = concat(silence(40 + (i % 7)), dtmf(key, ms, { phase: i }), silence(80));
          const found = detectIn(audio, codec);
          assert.equal(digitString(found), key, `${codec} ${ms} ms key ${key}`);
          assert.ok(Math.abs(found[0]!.durationMs - ms) <= 12, `${key}: ${found[0]!.durationMs} ms`);
        }
      });
    }
  }

  it('"1111" with 60 ms gaps is four digits; with 40 ms gaps still four', () => {
    for (const gap of [60, 40]) {
      const parts = [silence(25)];
      for (let i = 0; i < 4; i++) parts.push(dtmf("1", 70), silence(gap));
      for (const codec of CODECS) assert.equal(digitString(detectIn(concat(...parts), codec)), "1111");
    }
  });

  it("a 10 ms dropout inside a tone does not split it", () => {
    const audio = concat(silence(30), dtmf("5", 200), silence(10), dtmf("5", 200), silence(60));
    assert.equal(digitString(detectIn(audio, "PCMU")), "5");
  });

  it("one 2 s tone is one digit of 2000 ± 25 ms, timed at its start", () => {
    const audio = concat(silence(333), dtmf("#", 2000), silence(200));
    const packets = packetize(audio, "PCMA");
    const [d, ...rest] = detect(packets, "PCMA");
    assert.equal(rest.length, 0);
    assert.equal(d!.digit, "#");
    assert.ok(Math.abs(d!.durationMs - 2000) <= 25, `${d!.durationMs}`);
    assert.ok(Math.abs(d!.atS - 0.333) < 0.006, `${d!.atS}`);
    // the tone runs from sample 2664 to 18664: packet index 16 (samples 2560..2719) to 116
    // (18560..18719), and frame = index + 1
    assert.deepEqual(d!.frames, [17, 117]);
  });

  it("keys change without a gap: 3 then 9 back to back are two digits", () => {
    const audio = concat(silence(20), dtmf("3", 150), dtmf("9", 150), silence(60));
    assert.equal(digitString(detectIn(audio, "PCMU")), "39");
  });

  it("accepts each tone from -3 to -25 dBm0 and rejects -36 dBm0", () => {
    for (const codec of CODECS) {
      for (const dbm0 of [-3, -10, -18, -25]) {
        const audio = concat(silence(30), dtmf("8", 120, { dbm0 }), silence(60));
        assert.equal(digitString(detectIn(audio, codec)), "8", `${codec} ${dbm0} dBm0`);
      }
      const quiet = concat(silence(30), dtmf("8", 300, { dbm0: -36 }), silence(60));
      assert.equal(digitString(detectIn(quiet, codec)), "", `${codec} -36 dBm0`);
    }
  });

  it("twist: ±3 dB accepted, ±10 dB rejected", () => {
    for (const twistDb of [3, -3]) {
      for (const key of "1D") {
        const audio = concat(silence(30), dtmf(key, 120, { twistDb }), silence(60));
        assert.equal(digitString(detectIn(audio, "PCMU")), key, `twist ${twistDb} dB key ${key}`);
      }
    }
    for (const twistDb of [10, -10]) {
      for (const key of "1D") {
        const audio = concat(silence(30), dtmf(key, 300, { twistDb }), silence(60));
        assert.equal(digitString(detectIn(audio, "PCMU")), "", `twist ${twistDb} dB key ${key}`);
      }
    }
  });

  it("frequency: ±1.5 % off nominal accepted, ±3.5 % rejected, every key", () => {
    for (const key of KEYS) {
      for (const deviation of [0.015, -0.015]) {
        const audio = concat(silence(35), dtmf(key, 100, { deviation }), silence(60));
        assert.equal(digitString(detectIn(audio, "PCMA")), key, `${key} ${deviation}`);
      }
      for (const deviation of [0.035, -0.035]) {
        const audio = concat(silence(35), dtmf(key, 500, { deviation }), silence(60));
        assert.equal(digitString(detectIn(audio, "PCMA")), "", `${key} ${deviation}`);
      }
    }
  });

  it("tones of 20 ms or less are not digits", () => {
    for (let start = 30; start < 40; start += 3) {
      const audio = concat(silence(start), dtmf("6", 20), silence(100));
      assert.equal(digitString(detectIn(audio, "PCMU")), "");
    }
  });

  it("random key sequences (durations 50-300 ms, gaps 40-200 ms, levels, small twist) round-trip", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            key: fc.constantFrom(...KEYS),
            ms: fc.integer({ min: 50, max: 300 }),
            gapMs: fc.integer({ min: 40, max: 200 }),
            dbm0: fc.integer({ min: -25, max: -3 }),
            twistDb: fc.integer({ min: -3, max: 3 }),
          }),
          { minLength: 1, maxLength: 5 },
        ),
        fc.constantFrom(...CODECS),
        fc.integer({ min: 0, max: 79 }),
        (seq, codec, leadSamples) => {
          const parts = [silence(leadSamples / 8)];
          for (const s of seq)
            parts.push(dtmf(s.key, s.ms, { dbm0: s.dbm0, twistDb: s.twistDb }), silence(s.gapMs));
          const found = detectIn(concat(...parts), codec);
          return (
            digitString(found) === seq.map((s) => s.key).join("") &&
            found.every((d, i) => Math.abs(d.durationMs - seq[i]!.ms) <= 15)
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("in-band DTMF: RTP packet handling", () => {
  const audio = concat(silence(40), dtmf("7", 300), silence(40), dtmf("0", 300), silence(60));

  it("gives the same digits for 10, 20, 30 ms and odd-sized packets", () => {
    for (const size of [80, 160, 240, 97]) {
      assert.equal(digitString(detect(packetize(audio, "PCMU", size), "PCMU")), "70", `${size} bytes`);
    }
  });

  it("reads the payload at an offset inside a larger buffer", () => {
    const det = new InbandDtmfDetector();
    for (const p of packetize(audio, "PCMA")) {
      const frame = Buffer.concat([Buffer.alloc(12, 0xee), p.payload, Buffer.alloc(4, 0xee)]);
      det.push(frame, 12, p.payload.length, "PCMA", p.rtpTs, p.atS, p.frame);
    }
    assert.equal(digitString(det.finish()), "70");
  });

  it("survives an RTP timestamp wrap-around", () => {
    const packets = packetize(audio, "PCMU", 160, 0xffffffff - 160 * 20);
    assert.equal(digitString(detect(packets, "PCMU")), "70");
  });

  it("ignores a duplicated packet", () => {
    const packets = packetize(audio, "PCMU");
    const withDup = [...packets.slice(0, 10), packets[9]!, ...packets.slice(10)];
    assert.equal(digitString(detect(withDup, "PCMU")), "70");
  });

  it("ends a digit at a timestamp jump (packet loss): one long tone with a lost packet is two digits", () => {
    const long = packetize(concat(silence(40), dtmf("A", 600), silence(60)), "PCMA");
    assert.equal(digitString(detect(long, "PCMA")), "A");
    const lost = long.filter((_, i) => i !== 17); // a packet in the middle of the tone
    const found = detect(lost, "PCMA");
    assert.equal(digitString(found), "AA");
    assert.ok(found[0]!.frames[1]! <= 17 && found[1]!.frames[0]! >= 19, JSON.stringify(found));
  });

  it("reports digits so far through `digits` and the sounding one only after finish()", () => {
    const det = new InbandDtmfDetector();
    const packets = packetize(concat(silence(20), dtmf("2", 100), silence(100), dtmf("4", 400)), "PCMU");
    for (const p of packets) det.push(p.payload, 0, p.payload.length, "PCMU", p.rtpTs, p.atS, p.frame);
    assert.equal(digitString(det.digits), "2");
    assert.equal(digitString(det.finish()), "24");
  });

  it("tolerates a payload shorter than its declared length and an empty payload", () => {
    const det = new InbandDtmfDetector();
    det.push(Buffer.alloc(0), 0, 0, "PCMU", 0, 0, 1);
    det.push(Buffer.alloc(10, 0xff), 0, 160, "PCMU", 0, 0, 2);
    assert.deepEqual(det.finish(), []);
  });
});
