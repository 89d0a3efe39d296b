import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseRtpHeader } from "../../../src/wire/rtp/header.ts";
import {
  buildTelephoneEvent,
  parseTelephoneEvent,
  parseTelephoneEvents,
  writeTelephoneEvent,
} from "../../../src/wire/rfc4733/telephone-event.ts";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");

/**
 * Whole RTP packets from captures/public and tshark 4.0's RFC 4733 dissection of each:
 *   tshark -r sipp-rtp-only-rfc2833-digit1.pcap -d udp.port==10000,rtp -T fields -e udp.payload
 *          -e rtpevent.event_id -e rtpevent.end_of_event -e rtpevent.volume -e rtpevent.duration
 */
const REAL = [
  {
    file: "digit1 frame 1",
    rtp: "80e51f30000033e00e05384e010a0000",
    tshark: { event: 1, end: 0, volume: 10, duration: 0 },
  },
  {
    file: "digit1 frame 2",
    rtp: "80651f31000033e00e05384e010a0140",
    tshark: { event: 1, end: 0, volume: 10, duration: 320 },
  },
  {
    file: "digit1 frame 7",
    rtp: "80651f36000033e00e05384e010a0780",
    tshark: { event: 1, end: 0, volume: 10, duration: 1920 },
  },
  {
    file: "digit1 frame 8",
    rtp: "80651f37000033e00e05384e018a08c0",
    tshark: { event: 1, end: 1, volume: 10, duration: 2240 },
  },
  {
    file: "pound frame 1",
    rtp: "80e520f4000169e00e05384e0b0a0000",
    tshark: { event: 11, end: 0, volume: 10, duration: 0 },
  },
  {
    file: "pound frame 10",
    rtp: "806520fb000169e00e05384e0b8a08c0",
    tshark: { event: 11, end: 1, volume: 10, duration: 2240 },
  },
] as const;

for (const p of REAL) {
  test(`RTP + RFC 4733 decode of ${p.file} matches tshark`, () => {
    const buf = hex(p.rtp);
    const h = parseRtpHeader(buf, 0, buf.length);
    assert.ok(h.ok);
    const te = parseTelephoneEvent(buf, h.payloadOffset, h.payloadLength);
    assert.ok(te.ok, JSON.stringify(te));
    assert.equal(te.event, p.tshark.event);
    assert.equal(te.end, p.tshark.end === 1);
    assert.equal(te.volume, p.tshark.volume);
    assert.equal(te.durationTs, p.tshark.duration);
    assert.equal(te.reserved, false);
  });
}

/** Hand-built from the RFC 4733 §2.3 diagram: event(8) | E R volume(6) | duration(16). */
const TABLE = [
  { bytes: "00000000", event: 0, end: false, reserved: false, volume: 0, durationTs: 0 },
  { bytes: "0b8a0640", event: 11, end: true, reserved: false, volume: 10, durationTs: 1600 },
  { bytes: "054a00a0", event: 5, end: false, reserved: true, volume: 10, durationTs: 160 },
  { bytes: "0fbfffff", event: 15, end: true, reserved: false, volume: 63, durationTs: 65535 },
  { bytes: "10c00320", event: 16, end: true, reserved: true, volume: 0, durationTs: 800 },
  { bytes: "ff3f0001", event: 255, end: false, reserved: false, volume: 63, durationTs: 1 },
] as const;

for (const row of TABLE) {
  test(`telephone-event ${row.bytes}: decode and re-encode`, () => {
    const buf = hex(row.bytes);
    const te = parseTelephoneEvent(buf, 0, 4);
    assert.deepEqual(te, {
      ok: true,
      event: row.event,
      end: row.end,
      reserved: row.reserved,
      volume: row.volume,
      durationTs: row.durationTs,
    });
    assert.equal(buildTelephoneEvent(row).toString("hex"), row.bytes);
  });
}

test("several events in one payload: parseTelephoneEvents returns each block in order", () => {
  const buf = hex("018a0640 020a0140 0b0a0000");
  const all = parseTelephoneEvents(buf, 0, buf.length);
  assert.ok(all.ok);
  assert.deepEqual(
    all.events.map((e) => [e.event, e.end, e.durationTs]),
    [
      [1, true, 1600],
      [2, false, 320],
      [11, false, 0],
    ],
  );
  const first = parseTelephoneEvent(buf, 0, buf.length);
  assert.ok(first.ok);
  assert.equal(first.event, 1);
});

test("lengths that are not a multiple of 4 and bad ranges are errors", () => {
  const buf = hex("018a06400102");
  assert.deepEqual(
    [0, 3, 5, 6].map((len) => {
      const r = parseTelephoneEvent(buf, 0, len);
      return r.ok ? "ok" : r.code;
    }),
    ["too-short", "too-short", "bad-length", "bad-length"],
  );
  const multi = parseTelephoneEvents(buf, 0, 6);
  assert.equal(multi.ok, false);
  const range = parseTelephoneEvent(buf, 4, 4);
  assert.equal(!range.ok && range.code, "bad-range");
});

test("writer rejects out-of-range fields", () => {
  const f = { event: 1, end: false, volume: 10, durationTs: 0 };
  assert.throws(() => buildTelephoneEvent({ ...f, event: 256 }), RangeError);
  assert.throws(() => buildTelephoneEvent({ ...f, volume: 64 }), RangeError);
  assert.throws(() => buildTelephoneEvent({ ...f, durationTs: 65536 }), RangeError);
  assert.throws(() => writeTelephoneEvent(Buffer.alloc(6), 3, f), RangeError);
  assert.equal(writeTelephoneEvent(Buffer.alloc(8), 4, f), 4);
});

test("property: write -> parse round-trips; random bytes never throw", () => {
  fc.assert(
    fc.property(
      fc.record({
        event: fc.integer({ min: 0, max: 255 }),
        end: fc.boolean(),
        reserved: fc.boolean(),
        volume: fc.integer({ min: 0, max: 63 }),
        durationTs: fc.integer({ min: 0, max: 65535 }),
      }),
      (f) => {
        const r = parseTelephoneEvent(buildTelephoneEvent(f), 0, 4);
        assert.deepEqual(r, { ok: true, ...f });
      },
    ),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 40 }),
      fc.integer({ min: -1, max: 41 }),
      fc.integer({ min: -1, max: 41 }),
      (b, off, len) => {
        const buf = Buffer.from(b);
        const one = parseTelephoneEvent(buf, off, len);
        const all = parseTelephoneEvents(buf, off, len);
        assert.equal(one.ok, all.ok);
        if (all.ok) assert.equal(all.events.length, len / 4);
      },
    ),
    { numRuns: 500 },
  );
});
