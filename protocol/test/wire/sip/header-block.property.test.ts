/**
 * readHeaderBlock decodes the block once and splits it; the reference below decodes line by line
 * (the implementation before 2026-11-26). They must agree on every input, invalid UTF-8 included:
 * CR and LF are ASCII and never inside a UTF-8 sequence.
 */
import { strict as assert } from "node:assert";
import { test } from "node:test";
import fc from "fast-check";
import { readHeaderBlock, type HeaderBlock } from "../../../src/wire/sip/header-block.ts";

const LF = 0x0a;
const CR = 0x0d;

function lineByLine(buf: Buffer, start: number, end: number): HeaderBlock {
  const lines: string[] = [];
  let pos = start;
  while (pos < end) {
    const lf = buf.indexOf(LF, pos);
    if (lf < 0 || lf >= end) {
      let e = end;
      if (buf[e - 1] === CR) e--;
      if (e > pos) lines.push(buf.toString("utf8", pos, e));
      return { lines, bodyStart: end, terminated: false };
    }
    const lineEnd = lf > pos && buf[lf - 1] === CR ? lf - 1 : lf;
    if (lineEnd === pos) return { lines, bodyStart: lf + 1, terminated: true };
    lines.push(buf.toString("utf8", pos, lineEnd));
    pos = lf + 1;
  }
  return { lines, bodyStart: end, terminated: false };
}

// bytes biased towards what matters: CR, LF, spaces, header text, and UTF-8 lead/continuation bytes
const byte = fc.oneof(
  fc.constantFrom(CR, LF, 0x20, 0x3a, 0x41, 0x61),
  fc.integer({ min: 0x80, max: 0xff }),
  fc.integer({ min: 0, max: 0xff }),
);

test("readHeaderBlock equals decoding line by line, on any bytes and any window", () => {
  fc.assert(
    fc.property(fc.array(byte, { maxLength: 120 }), fc.nat(), fc.nat(), (bytes, a, b) => {
      const buf = Buffer.from(bytes);
      const start = bytes.length === 0 ? 0 : a % (bytes.length + 1);
      const end = start + (b % (bytes.length - start + 1));
      assert.deepStrictEqual(readHeaderBlock(buf, start, end), lineByLine(buf, start, end));
    }),
    { numRuns: 3000, seed: 3261 },
  );
});

test("readHeaderBlock on real message shapes: CRLF, bare LF, no empty line, UTF-8 in a value", () => {
  for (const text of [
    "Via: a\r\nFrom: b\r\n\r\nbody",
    "Via: a\nFrom: b\n\nbody",
    "Via: a\r\nFrom: \u00e9t\u00e9\r\n",
    "Via: a\r\nFrom: b",
    "\r\nbody",
    "Subject: \u2603 snow\r\n folded\r\n\r\n",
  ]) {
    const buf = Buffer.from(text, "utf8");
    assert.deepStrictEqual(readHeaderBlock(buf, 0, buf.length), lineByLine(buf, 0, buf.length), text);
  }
});
