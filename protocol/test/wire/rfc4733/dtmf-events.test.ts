import { test } from "node:test";
import assert from "node:assert/strict";
import {
  DTMF_DIGIT_BY_EVENT,
  DTMF_EVENT_BY_DIGIT,
  dtmfDigitForEvent,
  dtmfEventForDigit,
  FLASH_EVENT,
} from "../../../src/wire/rfc4733/dtmf-events.ts";

/** RFC 4733 §3.2: 0-9 -> 0-9, * -> 10, # -> 11, A-D -> 12-15 (written out, not derived). */
const RFC_TABLE: readonly [string, number][] = [
  ["0", 0],
  ["1", 1],
  ["2", 2],
  ["3", 3],
  ["4", 4],
  ["5", 5],
  ["6", 6],
  ["7", 7],
  ["8", 8],
  ["9", 9],
  ["*", 10],
  ["#", 11],
  ["A", 12],
  ["B", 13],
  ["C", 14],
  ["D", 15],
];

test("event codes follow RFC 4733 §3.2 in both directions", () => {
  for (const [digit, event] of RFC_TABLE) {
    assert.equal(dtmfEventForDigit(digit), event, digit);
    assert.equal(dtmfDigitForEvent(event), digit, String(event));
    assert.equal(DTMF_EVENT_BY_DIGIT[digit as keyof typeof DTMF_EVENT_BY_DIGIT], event);
    assert.equal(DTMF_DIGIT_BY_EVENT[event], digit);
  }
  assert.equal(Object.keys(DTMF_EVENT_BY_DIGIT).length, 16);
});

test("lower-case A-D are accepted; flash and others are not digits", () => {
  assert.equal(dtmfEventForDigit("d"), 15);
  assert.equal(FLASH_EVENT, 16);
  assert.equal(dtmfDigitForEvent(16), null);
  assert.equal(dtmfDigitForEvent(-1), null);
  assert.equal(dtmfDigitForEvent(1.5), null);
  assert.equal(dtmfEventForDigit("E"), null);
  assert.equal(dtmfEventForDigit("10"), null);
  assert.equal(dtmfEventForDigit(""), null);
});

test("tables are frozen", () => {
  assert.ok(Object.isFrozen(DTMF_EVENT_BY_DIGIT));
  assert.ok(Object.isFrozen(DTMF_DIGIT_BY_EVENT));
});
