import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  parseCiscoCallInfoNotify,
  parseCiscoNotifyBody,
  writeCiscoCallInfoNotify,
  writeCiscoNotifyBody,
} from "../../../src/wire/dtmf/cisco-notify.ts";
import { DTMF_DIGITS, type DtmfDigit } from "../../../src/wire/dtmf/digits.ts";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");

/**
 * Bodies built by hand from the field table in the Cisco IOS SIP configuration guide ("SIP
 * NOTIFY-Based Out-of-Band Method"): event | E R unused(6) | duration in ms.
 */
const TABLE = [
  {
    bytes: "05 00 0258",
    digit: "5",
    end: false,
    durationMs: 600,
    what: "key-down NOTIFY with the negotiated 600 ms",
  },
  {
    bytes: "05 80 012c",
    digit: "5",
    end: true,
    durationMs: 300,
    what: "end NOTIFY, the key was held 300 ms",
  },
  { bytes: "0b 80 01f4", digit: "#", end: true, durationMs: 500, what: "# (event 11)" },
  { bytes: "0a 00 07d0", digit: "*", end: false, durationMs: 2000, what: "* with the IOS default 2000 ms" },
  {
    bytes: "0f 8a 0064",
    digit: "D",
    end: true,
    durationMs: 100,
    what: "D, a non-zero 'unused' field is ignored",
  },
] as const;

for (const row of TABLE) {
  test(`NOTIFY body ${row.bytes}: ${row.what}`, () => {
    const r = parseCiscoNotifyBody(hex(row.bytes));
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual([r.digit, r.end, r.durationMs], [row.digit, row.end, row.durationMs]);
  });
}

test("duration is read as milliseconds, not RTP timestamp units (800 stays 800)", () => {
  const r = parseCiscoNotifyBody(hex("01 80 0320"));
  assert.ok(r.ok);
  assert.equal(r.durationMs, 800);
});

test("errors: wrong length, hook flash, non-DTMF event", () => {
  const code = (b: Buffer): string | true => {
    const r = parseCiscoNotifyBody(b);
    return r.ok ? true : r.error.code;
  };
  assert.equal(code(hex("050002")), "bad-length");
  assert.equal(code(hex("05000258 05000258")), "bad-length");
  assert.equal(code(Buffer.alloc(0)), "bad-length");
  assert.equal(code(hex("10 80 01f4")), "hook-flash");
  assert.equal(code(hex("20 80 01f4")), "unknown-event");
});

test("writer round-trips every digit", () => {
  for (const d of DTMF_DIGITS as Iterable<DtmfDigit>) {
    const b = writeCiscoNotifyBody(d, true, 250);
    assert.equal(b.length, 4);
    const r = parseCiscoNotifyBody(b);
    assert.ok(r.ok);
    assert.deepEqual([r.digit, r.end, r.durationMs], [d, true, 250]);
  }
  assert.equal(writeCiscoNotifyBody("5", false, 600).toString("hex"), "05000258");
  assert.throws(() => writeCiscoNotifyBody("5", false, 70000), RangeError);
});

test("Call-Info capability: the IOS and CUCM forms", () => {
  assert.deepEqual(
    parseCiscoCallInfoNotify('<sip:10.1.1.1:5060>;method="NOTIFY;Event=telephone-event;Duration=500"'),
    { durationMs: 500 },
  );
  // Cisco guide spelling, with spaces and mixed case
  assert.deepEqual(
    parseCiscoCallInfoNotify('<sip: 172.18.193.250>; method="Notify;Event=telephone-event;Duration=2000"'),
    {
      durationMs: 2000,
    },
  );
  // several entries, the capability is the second
  assert.deepEqual(
    parseCiscoCallInfoNotify(
      '<http://example.com/photo.jpg>;purpose=icon, <sip:gw>;method="NOTIFY;Event=telephone-event"',
    ),
    { durationMs: null },
  );
});

test("Call-Info without the capability gives null", () => {
  assert.equal(parseCiscoCallInfoNotify("<http://wwww.example.com/alice/photo.jpg>;purpose=icon"), null);
  assert.equal(parseCiscoCallInfoNotify('<sip:gw>;method="NOTIFY;Event=kpml;Duration=500"'), null);
  assert.equal(parseCiscoCallInfoNotify('<sip:gw>;method="INFO;Event=telephone-event"'), null);
  assert.equal(parseCiscoCallInfoNotify(""), null);
});

test("Call-Info writer round-trips", () => {
  const v = writeCiscoCallInfoNotify("sip:192.0.2.1:5060", 500);
  assert.equal(v, '<sip:192.0.2.1:5060>;method="NOTIFY;Event=telephone-event;Duration=500"');
  assert.deepEqual(parseCiscoCallInfoNotify(v), { durationMs: 500 });
});

test("property: random bodies and header values never throw", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 8 }), fc.string({ maxLength: 80 }), (b, h) => {
      parseCiscoNotifyBody(Buffer.from(b));
      parseCiscoCallInfoNotify(h);
    }),
    { numRuns: 400 },
  );
});
