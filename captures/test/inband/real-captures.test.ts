import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  encodeG711,
  g711DecodeTable,
  InbandDtmfDetector,
  Q24_DEFAULT_PARAMS,
  type G711Codec,
  type InbandDigit,
} from "../../src/analysis/inband/index.ts";
import { digitString, dtmf } from "./audio.ts";

/** One RTP packet of a fixture: tshark's frame number, capture time, RTP timestamp, payload. */
interface FixturePacket {
  frame: number;
  atS: number;
  rtpTs: number;
  payload: Buffer;
}

function loadFixture(name: string): FixturePacket[] {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")
    .split("\n")
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const [frame, atS, rtpTs, hex] = l.split("\t");
      return {
        frame: Number(frame),
        atS: Number(atS),
        rtpTs: Number(rtpTs),
        payload: Buffer.from(hex!, "hex"),
      };
    });
}

function detectAll(packets: readonly FixturePacket[], codec: G711Codec): InbandDigit[] {
  const det = new InbandDtmfDetector();
  for (const p of packets) det.push(p.payload, 0, p.payload.length, codec, p.rtpTs, p.atS, p.frame);
  return det.finish();
}

/** Share of 10 ms blocks louder than -40 dBm0 (sine-equivalent), to show the audio is not silence. */
function activeShare(packets: readonly FixturePacket[], codec: G711Codec): number {
  const table = g711DecodeTable(codec);
  const all = Buffer.concat(packets.map((p) => p.payload));
  const threshold = (80 * (22700 * 10 ** (-40 / 20)) ** 2) / 2;
  let active = 0;
  let blocks = 0;
  for (let i = 0; i + 80 <= all.length; i += 80, blocks++) {
    let e = 0;
    for (let j = i; j < i + 80; j++) e += table[all[j]!]! ** 2;
    if (e > threshold) active++;
  }
  return active / blocks;
}

describe("real capture: SIPp pcap/g711a.pcap (PCMA, 30 ms packets)", () => {
  // 236 packets × 240 bytes, 7.05 s. Analysis (README.md): voiced speech, pitch 95-180 Hz with its
  // harmonic series, levels -14 to -37 dBm0 per 0.5 s; no steady tone pair anywhere.
  const packets = loadFixture("sipp-g711a-pcma.tsv");

  it("is the whole stream, and mostly not silence", () => {
    assert.equal(packets.length, 236);
    assert.ok(packets.every((p) => p.payload.length === 240));
    assert.ok(activeShare(packets, "PCMA") > 0.6);
  });

  it("holds speech only: zero digits", () => {
    assert.deepEqual(detectAll(packets, "PCMA"), []);
  });

  it("a DTMF key added on top of that speech is heard", () => {
    const table = g711DecodeTable("PCMA");
    const tone = dtmf("D", 200, { dbm0: -8 });
    const mixed = packets.map((p, i) => {
      if (i < 100 || i >= 100 + tone.length / 240) return p;
      const lin = Float64Array.from(p.payload, (c, j) => table[c]! + tone[(i - 100) * 240 + j]!);
      return { ...p, payload: encodeG711(lin, "PCMA") };
    });
    assert.equal(digitString(detectAll(mixed, "PCMA")), "D");
  });
});

describe("real capture: Asterisk testsuite ulaw-2013785496.pcap (PCMU + RFC 4733 on PT 101)", () => {
  const packets = loadFixture("asterisk-2013785496-pcmu.tsv");

  /**
   * tshark's view of the PT 101 stream (the oracle, see README.md): each event's digit, the frame
   * of its first event packet, and the first PT 0 frame after its three end packets. The sender
   * sends no PT 0 audio while an event is on (the RTP timestamp jumps over it) and then resumes
   * with ~110 ms of the very same key as an in-band tone: the classic leak that makes a receiver
   * doing both NTE and in-band detection see every digit twice.
   */
  const EVENTS = [
    { digit: "2", eventFrame: 292, audioResumes: 304 },
    { digit: "0", eventFrame: 331, audioResumes: 343 },
    { digit: "1", eventFrame: 368, audioResumes: 380 },
    { digit: "3", eventFrame: 456, audioResumes: 468 },
    { digit: "7", eventFrame: 501, audioResumes: 513 },
    { digit: "8", eventFrame: 542, audioResumes: 554 },
    { digit: "5", eventFrame: 600, audioResumes: 612 },
    { digit: "4", eventFrame: 656, audioResumes: 668 },
    { digit: "9", eventFrame: 703, audioResumes: 715 },
    { digit: "6", eventFrame: 733, audioResumes: 745 },
  ] as const;

  it("is the whole PT 0 stream: 854 packets of 160 bytes, with a timestamp gap over each event", () => {
    assert.equal(packets.length, 854);
    let gaps = 0;
    for (let i = 1; i < packets.length; i++) if (packets[i]!.rtpTs - packets[i - 1]!.rtpTs !== 160) gaps++;
    assert.equal(gaps, EVENTS.length);
  });

  it("carries the tail of 9 of the 10 keys in band, right after each event ends", () => {
    const found = detectAll(packets, "PCMU");
    // the "0" tail is buried under 0 dBm0 broadband noise (its tones are > 20 dB below it)
    const expected = EVENTS.filter((e) => e.digit !== "0");
    assert.equal(digitString(found), expected.map((e) => e.digit).join(""));
    found.forEach((d, i) => {
      const e = expected[i]!;
      assert.ok(
        d.frames[0]! >= e.audioResumes && d.frames[0]! <= e.audioResumes + 2,
        `${d.digit} ${d.frames}`,
      );
      assert.ok(d.durationMs >= 90 && d.durationMs <= 125, `${d.digit} ${d.durationMs} ms`);
    });
  });

  it("with the default 4 dB reverse-twist limit of Asterisk/GR-506 most of them would be missed", () => {
    // measured high-group-over-low-group twist of these tones: 0.7 to 7.3 dB
    const det = new InbandDtmfDetector({ ...Q24_DEFAULT_PARAMS, maxHighOverLowDb: 4 });
    for (const p of packets) det.push(p.payload, 0, p.payload.length, "PCMU", p.rtpTs, p.atS, p.frame);
    // only the keys on the 852 Hz row (and the "5", at 3.8 dB) pass
    assert.equal(digitString(det.finish()), "7859");
  });
});
