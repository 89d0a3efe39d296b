import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseDtmfInfoBody, writeDtmfBody, writeDtmfRelayBody } from "../../../src/wire/dtmf/sip-info.ts";
import {
  DTMF_DIGITS,
  isDtmfDigit,
  normalizeDtmfDigit,
  type DtmfDigit,
} from "../../../src/wire/dtmf/digits.ts";

const body = (s: string): Buffer => Buffer.from(s, "utf8");

test("application/dtmf-relay: Signal and Duration (ms)", () => {
  assert.deepEqual(parseDtmfInfoBody("application/dtmf-relay", body("Signal=5\r\nDuration=160\r\n")), {
    ok: true,
    digit: "5",
    event: 5,
    durationMs: 160,
  });
});

test("Cisco IOS guide example with spaces after '=' (Signal= 1 / Duration= 160)", () => {
  const r = parseDtmfInfoBody("Application/DTMF-Relay", body("Signal= 1\r\nDuration= 160\r\n"));
  assert.ok(r.ok);
  assert.equal(r.digit, "1");
  assert.equal(r.durationMs, 160);
});

const SIGNALS: readonly [string, DtmfDigit][] = [
  ["*", "*"],
  ["#", "#"],
  ["10", "*"],
  ["11", "#"],
  ["a", "A"],
  ["D", "D"],
  ["12", "A"],
  ["15", "D"],
  ["0", "0"],
  ["9", "9"],
];

for (const [signal, digit] of SIGNALS) {
  test(`Signal=${signal} is ${digit}`, () => {
    const r = parseDtmfInfoBody("application/dtmf-relay", body(`Signal=${signal}\nDuration=250`));
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.digit, digit);
  });
}

test("missing or unreadable Duration gives null, not an error; key case and line order do not matter", () => {
  const r1 = parseDtmfInfoBody("application/dtmf-relay", body("Signal=7"));
  assert.ok(r1.ok);
  assert.equal(r1.durationMs, null);
  const r2 = parseDtmfInfoBody("application/dtmf-relay", body("duration=x\r\nSIGNAL=#\r\n"));
  assert.ok(r2.ok);
  assert.deepEqual([r2.digit, r2.durationMs], ["#", null]);
});

test("application/dtmf: the digit alone or its event number; parameters on the content type ignored", () => {
  const r = parseDtmfInfoBody("application/dtmf; charset=utf-8", body("11\r\n"));
  assert.ok(r.ok);
  assert.deepEqual([r.digit, r.event, r.durationMs], ["#", 11, null]);
  const r2 = parseDtmfInfoBody("application/dtmf", body("B"));
  assert.ok(r2.ok);
  assert.equal(r2.digit, "B");
});

const ERRORS: readonly [string, string, string][] = [
  ["application/sdp", "Signal=5", "unsupported-content-type"],
  ["application/dtmf-relay", "Duration=160", "no-signal"],
  ["application/dtmf-relay", "Signal=E\r\nDuration=160", "bad-signal"],
  ["application/dtmf-relay", "Signal=17", "bad-signal"],
  ["application/dtmf-relay", "Signal=16", "hook-flash"],
  ["application/dtmf-relay", "Signal=!", "hook-flash"],
  ["application/dtmf", "", "bad-signal"],
  ["application/dtmf", "55", "bad-signal"],
];

for (const [ct, b, code] of ERRORS) {
  test(`${ct} ${JSON.stringify(b)} -> ${code}`, () => {
    const r = parseDtmfInfoBody(ct, body(b));
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.error.code, code);
  });
}

test("writers round-trip every digit", () => {
  for (const d of DTMF_DIGITS) {
    assert.ok(isDtmfDigit(d));
    const relay = writeDtmfRelayBody(d, 100);
    assert.equal(relay, `Signal=${d}\r\nDuration=100\r\n`);
    assert.deepEqual(parseDtmfInfoBody("application/dtmf-relay", body(relay)), {
      ok: true,
      digit: d,
      event: DTMF_DIGITS.indexOf(d),
      durationMs: 100,
    });
    const plain = parseDtmfInfoBody("application/dtmf", body(writeDtmfBody(d)));
    assert.ok(plain.ok);
    assert.equal(plain.digit, d);
  }
  assert.throws(() => writeDtmfRelayBody("E" as DtmfDigit, 100), RangeError);
  assert.throws(() => writeDtmfRelayBody("1", -1), RangeError);
});

test("digit alphabet helpers", () => {
  assert.equal(DTMF_DIGITS, "0123456789*#ABCD");
  assert.equal(normalizeDtmfDigit(" c "), "C");
  assert.equal(normalizeDtmfDigit("12"), null);
  assert.equal(isDtmfDigit("a"), false);
});

test("property: random bodies never throw", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("application/dtmf-relay", "application/dtmf", "text/plain", ""),
      fc.uint8Array({ maxLength: 60 }),
      (ct, bytes) => {
        const r = parseDtmfInfoBody(ct, Buffer.from(bytes));
        if (r.ok) assert.ok(isDtmfDigit(r.digit));
      },
    ),
    { numRuns: 400 },
  );
});
