import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRtpHeader } from "../../src/wire/rtp/header.ts";
import {
  A_PEER_SSRC,
  A_SSRC,
  B_PEER_SSRC,
  B_SSRC,
  Driver,
  audio,
  config,
  digitsOf,
  egressEvents,
  ev,
} from "./helpers.ts";

/**
 * RFC 4733 in → RFC 4733 out. Ingress packets are written out by hand; the expected egress rows are
 * written out by hand too (egress space of leg b: SSRC 0xbbbb0002, seq from 5000, ts from 700000;
 * the first ingress packet maps seq 200 → 5000 and ts 8000 → 700000).
 */

test("a→b: PT 101 becomes 96, seq/ts/SSRC move to leg b's space, M on the first, one ts, E ×3, audio unchanged", () => {
  const d = new Driver(config());
  d.rtp(0, "a", audio(200, 8000))
    .rtp(20, "a", audio(201, 8160))
    .rtp(40, "a", ev(202, 8320, 5, 160, { marker: true }))
    .rtp(60, "a", ev(203, 8320, 5, 320))
    .rtp(80, "a", ev(204, 8320, 5, 480))
    .rtp(100, "a", ev(205, 8320, 5, 640))
    .rtp(120, "a", ev(206, 8320, 5, 800))
    .rtp(140, "a", ev(207, 8320, 5, 960, { end: true }))
    .rtp(160, "a", ev(208, 8320, 5, 960, { end: true }))
    .rtp(180, "a", ev(209, 8320, 5, 960, { end: true }))
    .rtp(200, "a", audio(210, 9600))
    .rtp(220, "a", audio(211, 9760))
    .idle();
  assert.deepEqual(d.rows(), [
    "b pt=0 seq=5000 ts=700000",
    "b pt=0 seq=5001 ts=700160",
    "b pt=96 M seq=5002 ts=700320 ev=5 dur=160",
    "b pt=96 seq=5003 ts=700320 ev=5 dur=320",
    "b pt=96 seq=5004 ts=700320 ev=5 dur=480",
    "b pt=96 seq=5005 ts=700320 ev=5 dur=640",
    "b pt=96 seq=5006 ts=700320 ev=5 dur=800",
    "b pt=96 seq=5007 ts=700320 ev=5 E dur=960",
    "b pt=96 seq=5008 ts=700320 ev=5 E dur=960",
    "b pt=96 seq=5009 ts=700320 ev=5 E dur=960",
    "b pt=0 seq=5010 ts=701600",
    "b pt=0 seq=5011 ts=701760",
  ]);
  for (const o of d.kinds("rtp")) {
    if (o.kind !== "rtp") continue;
    const h = parseRtpHeader(o.bytes, 0, o.bytes.length);
    assert.ok(h.ok);
    assert.equal(h.ssrc, B_SSRC);
    if (h.payloadType === 0) {
      // payload bytes untouched: the helper fills them with the ingress seq's low byte
      const expectedFill = (h.sequence - 5000 + 200) & 0xff;
      assert.ok(o.bytes.subarray(12).every((x) => x === expectedFill));
      assert.equal(o.bytes.length, 172);
    }
  }
  assert.equal(d.relay.nextTickMs(), null, "nothing left to tick");
});

test("b→a: PT 96 becomes 101; leg a's sequence and timestamp wrap", () => {
  const d = new Driver(config({ initialSequence: 65534, initialTimestamp: 0xffffff00 }));
  const peer = { pt: 96, ssrc: B_PEER_SSRC };
  d.rtp(0, "b", audio(40000, 5000, B_PEER_SSRC))
    .rtp(20, "b", ev(40001, 5160, 11, 160, { ...peer, marker: true, volume: 7 }))
    .rtp(40, "b", ev(40002, 5160, 11, 320, { ...peer, volume: 7 }))
    .rtp(60, "b", ev(40003, 5160, 11, 480, { ...peer, volume: 7 }))
    .rtp(80, "b", ev(40004, 5160, 11, 640, { ...peer, volume: 7 }))
    .rtp(100, "b", ev(40005, 5160, 11, 800, { ...peer, end: true, volume: 7 }))
    .rtp(120, "b", ev(40006, 5160, 11, 800, { ...peer, end: true, volume: 7 }))
    .rtp(140, "b", ev(40007, 5160, 11, 800, { ...peer, end: true, volume: 7 }))
    .rtp(160, "b", audio(40008, 6440, B_PEER_SSRC))
    .idle();
  assert.deepEqual(d.rows(), [
    "a pt=0 seq=65534 ts=4294967040",
    "a pt=101 M seq=65535 ts=4294967200 ev=11 dur=160",
    "a pt=101 seq=0 ts=4294967200 ev=11 dur=320",
    "a pt=101 seq=1 ts=4294967200 ev=11 dur=480",
    "a pt=101 seq=2 ts=4294967200 ev=11 dur=640",
    "a pt=101 seq=3 ts=4294967200 ev=11 E dur=800",
    "a pt=101 seq=4 ts=4294967200 ev=11 E dur=800",
    "a pt=101 seq=5 ts=4294967200 ev=11 E dur=800",
    "a pt=0 seq=6 ts=1184",
  ]);
  const [e] = egressEvents(d.out, "a", 101);
  assert.deepEqual(e?.ssrcs, [A_SSRC]);
  // volume is preserved (RFC 4733 §2.3; DOMAIN.md §6.5 "preserve duration, E and volume")
  for (const o of d.kinds("rtp"))
    if (o.kind === "rtp" && o.bytes[1] !== 0) assert.equal(o.bytes[13]! & 0x3f, 7);
});

test("lost start packets: the first packet seen (no M, duration 480) still starts one digit, with M", () => {
  const d = new Driver(config());
  d.rtp(0, "a", audio(200, 8000))
    .rtp(20, "a", audio(201, 8160))
    .rtp(80, "a", ev(204, 8320, 3, 480))
    .rtp(100, "a", ev(205, 8320, 3, 640))
    .rtp(120, "a", ev(206, 8320, 3, 800, { end: true }))
    .rtp(140, "a", ev(207, 8320, 3, 800, { end: true }))
    .rtp(160, "a", ev(208, 8320, 3, 800, { end: true }))
    .idle();
  assert.deepEqual(d.rows(), [
    "b pt=0 seq=5000 ts=700000",
    "b pt=0 seq=5001 ts=700160",
    // ingress 202-203 were lost: the hole stays a hole
    "b pt=96 M seq=5004 ts=700320 ev=3 dur=480",
    "b pt=96 seq=5005 ts=700320 ev=3 dur=640",
    "b pt=96 seq=5006 ts=700320 ev=3 E dur=800",
    "b pt=96 seq=5007 ts=700320 ev=3 E dur=800",
    "b pt=96 seq=5008 ts=700320 ev=3 E dur=800",
  ]);
});

test("only the end packets arrive: one digit with M, then E ×3", () => {
  const d = new Driver(config());
  d.rtp(0, "a", audio(200, 8000))
    .rtp(140, "a", ev(207, 8160, 9, 960, { end: true }))
    .rtp(160, "a", ev(208, 8160, 9, 960, { end: true }))
    .idle();
  assert.deepEqual(d.rows(), [
    "b pt=0 seq=5000 ts=700000",
    "b pt=96 M seq=5007 ts=700160 ev=9 dur=960",
    "b pt=96 seq=5008 ts=700160 ev=9 E dur=960",
    "b pt=96 seq=5009 ts=700160 ev=9 E dur=960",
    // the third end packet is synthesized 30 ms (1.5 ptime) after the last one
    "b pt=96 seq=5010 ts=700160 ev=9 E dur=960",
  ]);
});

test("all end packets lost: the digit ends on the 120 ms timeout with a synthesized end ×3, audio interleaved", () => {
  const d = new Driver(config());
  d.rtp(0, "a", audio(200, 8000)).rtp(20, "a", audio(201, 8160));
  for (let i = 0; i < 6; i++)
    d.rtp(40 + 20 * i, "a", ev(202 + i, 8320, 0, 160 * (i + 1), { marker: i === 0 }));
  for (let seq = 208; seq <= 216; seq++)
    d.rtp(160 + (seq - 208) * 20, "a", audio(seq, 8000 + 160 * (seq - 200)));
  d.idle();
  assert.deepEqual(d.rows(), [
    "b pt=0 seq=5000 ts=700000",
    "b pt=0 seq=5001 ts=700160",
    "b pt=96 M seq=5002 ts=700320 ev=0 dur=160",
    "b pt=96 seq=5003 ts=700320 ev=0 dur=320",
    "b pt=96 seq=5004 ts=700320 ev=0 dur=480",
    "b pt=96 seq=5005 ts=700320 ev=0 dur=640",
    "b pt=96 seq=5006 ts=700320 ev=0 dur=800",
    "b pt=96 seq=5007 ts=700320 ev=0 dur=960",
    "b pt=0 seq=5008 ts=701280",
    "b pt=0 seq=5009 ts=701440",
    "b pt=0 seq=5010 ts=701600",
    "b pt=0 seq=5011 ts=701760",
    "b pt=0 seq=5012 ts=701920",
    // t=260: last event packet at t=140 + 120 ms
    "b pt=96 seq=5013 ts=700320 ev=0 E dur=960",
    "b pt=0 seq=5014 ts=702080",
    "b pt=96 seq=5015 ts=700320 ev=0 E dur=960",
    "b pt=0 seq=5016 ts=702240",
    "b pt=96 seq=5017 ts=700320 ev=0 E dur=960",
    "b pt=0 seq=5018 ts=702400",
    "b pt=0 seq=5019 ts=702560",
  ]);
  const notes = d.kinds("note");
  assert.equal(notes.length, 1);
  assert.equal(notes[0]?.kind === "note" && notes[0].code, "end-timeout");
  // a late end packet after the timeout does not start a second digit
  d.rtp(400, "a", ev(230, 8320, 0, 960, { end: true })).idle();
  assert.equal(digitsOf(egressEvents(d.out, "b", 96)), "0");
});

test("end retransmitted with the same sequence number (×3): E ×3 and the audio after it has no hole", () => {
  const d = new Driver(config());
  d.rtp(0, "a", audio(200, 8000));
  for (let i = 0; i < 5; i++)
    d.rtp(40 + 20 * i, "a", ev(202 + i, 8320, 7, 160 * (i + 1), { marker: i === 0 }));
  d.rtp(140, "a", ev(207, 8320, 7, 960, { end: true }))
    .rtp(160, "a", ev(207, 8320, 7, 960, { end: true }))
    .rtp(180, "a", ev(207, 8320, 7, 960, { end: true }))
    .rtp(200, "a", audio(208, 9280))
    .idle();
  assert.deepEqual(d.rows().slice(6), [
    "b pt=96 seq=5007 ts=700320 ev=7 E dur=960",
    "b pt=96 seq=5008 ts=700320 ev=7 E dur=960",
    "b pt=96 seq=5009 ts=700320 ev=7 E dur=960",
    "b pt=0 seq=5010 ts=701280",
  ]);
});

test("baresip style: ends with new sequence numbers, audio interleaved, a 4th end dropped without a hole", () => {
  const d = new Driver(config());
  d.rtp(0, "a", audio(200, 8000));
  for (let i = 0; i < 5; i++)
    d.rtp(40 + 20 * i, "a", ev(202 + i, 8320, 12, 160 * (i + 1), { marker: i === 0 }));
  d.rtp(140, "a", ev(207, 8320, 12, 960, { end: true }))
    .rtp(150, "a", audio(208, 9280))
    .rtp(160, "a", ev(209, 8320, 12, 960, { end: true }))
    .rtp(170, "a", audio(210, 9440))
    .rtp(180, "a", ev(211, 8320, 12, 960, { end: true }))
    .rtp(190, "a", audio(212, 9600))
    .rtp(200, "a", ev(213, 8320, 12, 960, { end: true }))
    .rtp(210, "a", audio(214, 9760))
    .idle();
  assert.deepEqual(d.rows().slice(6), [
    "b pt=96 seq=5007 ts=700320 ev=12 E dur=960",
    "b pt=0 seq=5008 ts=701280",
    "b pt=96 seq=5009 ts=700320 ev=12 E dur=960",
    "b pt=0 seq=5010 ts=701440",
    "b pt=96 seq=5011 ts=700320 ev=12 E dur=960",
    "b pt=0 seq=5012 ts=701600",
    "b pt=0 seq=5013 ts=701760",
  ]);
});

test('two identical digits in a row ("11"): two events, two timestamps, each with one M and E ×3', () => {
  const d = new Driver(config());
  d.rtp(0, "a", audio(200, 8000));
  for (let i = 0; i < 5; i++)
    d.rtp(40 + 20 * i, "a", ev(202 + i, 8320, 1, 160 * (i + 1), { marker: i === 0 }));
  for (let i = 0; i < 3; i++) d.rtp(140 + 20 * i, "a", ev(207 + i, 8320, 1, 960, { end: true }));
  d.rtp(200, "a", audio(210, 9600));
  for (let i = 0; i < 5; i++)
    d.rtp(220 + 20 * i, "a", ev(211 + i, 9760, 1, 160 * (i + 1), { marker: i === 0 }));
  for (let i = 0; i < 3; i++) d.rtp(320 + 20 * i, "a", ev(216 + i, 9760, 1, 800, { end: true }));
  d.idle();
  const events = egressEvents(d.out, "b", 96);
  assert.equal(digitsOf(events), "11");
  assert.deepEqual(
    events.map((e) => [e.ts, e.markers, e.firstHasMarker, e.ends, e.endDuration]),
    [
      [700320, 1, true, 3, 960],
      [701760, 1, true, 3, 800],
    ],
  );
  assert.equal(d.relay.log.length, 2);
});

test("a 50 ms digit is extended to 100 ms by updates every 20 ms, then E ×3 (real time matches the duration)", () => {
  const d = new Driver(config());
  d.rtp(0, "a", audio(200, 8000))
    .rtp(40, "a", ev(202, 8160, 4, 160, { marker: true }))
    .rtp(60, "a", ev(203, 8160, 4, 320))
    .rtp(80, "a", ev(204, 8160, 4, 400, { end: true }))
    .rtp(100, "a", ev(205, 8160, 4, 400, { end: true }))
    .rtp(120, "a", ev(206, 8160, 4, 400, { end: true }))
    .idle()
    .rtp(200, "a", audio(207, 9120));
  assert.deepEqual(d.rows(), [
    "b pt=0 seq=5000 ts=700000",
    "b pt=96 M seq=5002 ts=700160 ev=4 dur=160",
    "b pt=96 seq=5003 ts=700160 ev=4 dur=320",
    "b pt=96 seq=5004 ts=700160 ev=4 dur=480",
    "b pt=96 seq=5005 ts=700160 ev=4 dur=640",
    "b pt=96 seq=5006 ts=700160 ev=4 E dur=800",
    "b pt=96 seq=5007 ts=700160 ev=4 E dur=800",
    "b pt=96 seq=5008 ts=700160 ev=4 E dur=800",
    "b pt=0 seq=5009 ts=701120",
  ]);
});

test("min duration is per egress leg: 0 ms disables the extension", () => {
  const d = new Driver(config({}, { minDurationMs: 0 }));
  d.rtp(40, "a", ev(202, 8160, 4, 160, { marker: true }))
    .rtp(60, "a", ev(203, 8160, 4, 400, { end: true }))
    .idle();
  const [e] = egressEvents(d.out, "b", 96);
  assert.equal(e?.endDuration, 400);
  assert.equal(e?.ends, 3);
});

test("a new digit while the previous lost its ends: the previous ends (E ×3) before the new one starts", () => {
  const d = new Driver(config());
  d.rtp(40, "a", ev(202, 8320, 2, 800, { marker: true }))
    .rtp(60, "a", ev(203, 8320, 2, 960))
    .rtp(80, "a", ev(204, 9600, 3, 160, { marker: true }))
    .rtp(100, "a", ev(205, 9600, 3, 800, { end: true }))
    .rtp(120, "a", ev(206, 9600, 3, 800, { end: true }))
    .rtp(140, "a", ev(207, 9600, 3, 800, { end: true }))
    .idle();
  assert.deepEqual(d.rows(), [
    // the first packet seen says 100 ms have passed: the event started 800 units before "now"
    "b pt=96 M seq=5000 ts=699200 ev=2 dur=800",
    "b pt=96 seq=5001 ts=699200 ev=2 dur=960",
    "b pt=96 seq=5002 ts=699200 ev=2 E dur=960",
    "b pt=96 seq=5003 ts=699200 ev=2 E dur=960",
    "b pt=96 seq=5004 ts=699200 ev=2 E dur=960",
    "b pt=96 M seq=5005 ts=700480 ev=3 dur=160",
    "b pt=96 seq=5006 ts=700480 ev=3 E dur=800",
    "b pt=96 seq=5007 ts=700480 ev=3 E dur=800",
    "b pt=96 seq=5008 ts=700480 ev=3 E dur=800",
  ]);
});

test("reordered and duplicated updates never shrink the duration or add packets", () => {
  const d = new Driver(config());
  d.rtp(40, "a", ev(202, 8320, 8, 160, { marker: true }))
    .rtp(60, "a", ev(204, 8320, 8, 480))
    .rtp(61, "a", ev(203, 8320, 8, 320))
    .rtp(62, "a", ev(204, 8320, 8, 480))
    .rtp(80, "a", ev(205, 8320, 8, 800, { end: true }))
    .idle();
  const [e] = egressEvents(d.out, "b", 96);
  assert.deepEqual(e?.durations, [160, 480, 800, 800, 800]);
});

test("hook flash (event 16) and undecodable events are noted, not relayed; junk never throws", () => {
  const d = new Driver(config());
  d.rtp(0, "a", ev(200, 8000, 16, 800, { marker: true }))
    .rtp(20, "a", ev(201, 8000, 16, 800, { end: true }))
    .rtp(40, "a", Buffer.from("80650000000000000000000001", "hex"))
    .rtp(60, "a", Buffer.from("0102", "hex"))
    .rtp(80, "a", Buffer.from("80c8000600000000", "hex"))
    .idle();
  assert.deepEqual(d.rows(), []);
  assert.deepEqual(
    d.kinds("note").map((n) => n.kind === "note" && n.code),
    ["non-dtmf-event", "bad-event-packet"],
  );
  assert.equal(d.relay.counters.a.badIn, 2);
  assert.equal(d.relay.counters.a.rtcpIn, 1);
});

test("PTs outside the leg's negotiated audio list are dropped; a new ingress SSRC keeps leg b's space continuous", () => {
  const d = new Driver(config({ ingressAudioPts: [0] }));
  d.rtp(0, "a", audio(200, 8000))
    .rtp(20, "a", audio(201, 8160, A_PEER_SSRC, 18))
    .rtp(40, "a", audio(202, 8320))
    .rtp(60, "a", audio(9000, 123456, 0x33333333))
    .rtp(80, "a", audio(9001, 123616, 0x33333333));
  assert.deepEqual(d.rows(), [
    "b pt=0 seq=5000 ts=700000",
    "b pt=0 seq=5002 ts=700320",
    "b pt=0 seq=5003 ts=700480",
    "b pt=0 seq=5004 ts=700640",
  ]);
  assert.equal(d.relay.counters.a.unknownPtIn, 1);
});
