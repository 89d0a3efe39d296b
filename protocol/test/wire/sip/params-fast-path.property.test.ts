/**
 * parseParams answers simple lists (";branch=...", ";tag=...;lr") on a fast path; everything it
 * returns must equal what the full parse (parseParamsGeneral) returns, problems included, for any
 * text. The generators lean towards the characters that decide which path is taken.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseParams, parseParamsGeneral } from "../../../src/wire/sip/grammar.ts";
import { canonicalHeaderName, COMPACT_HEADER_NAMES } from "../../../src/wire/sip/header-names.ts";

const RUNS = { numRuns: 500, seed: 3261 };

const agree = (text: string): void => {
  const fast = parseParams(text);
  const full = parseParamsGeneral(text);
  assert.deepEqual(fast, full, JSON.stringify(text));
  // key order matters to the JSON goldens
  assert.deepEqual(Object.keys(fast.params), Object.keys(full.params), JSON.stringify(text));
};

const tokenChar = fc.constantFrom(..."aAzZ09-.!%*_+`'~bTgLR");
const valueChar = fc.constantFrom(..."aZ09-.!%*_+`'~[]:xY");
const token = fc.string({ unit: tokenChar, minLength: 0, maxLength: 6 });
const value = fc.string({ unit: valueChar, minLength: 0, maxLength: 8 });
const oddChar = fc.constantFrom(
  " ",
  "\t",
  '"',
  "\\",
  "<",
  ">",
  ",",
  "=",
  ";",
  "@",
  "/",
  "\u00e9",
  "__proto__",
);

/** mostly well-formed lists, sometimes with a defect spliced in */
const list = fc
  .array(
    fc.tuple(token, fc.option(value, { nil: undefined }), fc.option(oddChar, { freq: 4, nil: undefined })),
    { maxLength: 5 },
  )
  .map((pieces) =>
    pieces.map(([n, v, odd]) => `;${n}${v === undefined ? "" : `=${v}`}${odd ?? ""}`).join(""),
  );

test("parseParams equals the full parse on generated parameter lists", () => {
  fc.assert(
    fc.property(list, fc.constantFrom("", " ", "\t", "  "), (text, pad) => agree(pad + text + pad)),
    RUNS,
  );
});

test("parseParams equals the full parse on arbitrary text over the deciding characters", () => {
  const anyChar = fc.oneof(tokenChar, valueChar, oddChar);
  fc.assert(
    fc.property(fc.array(anyChar, { maxLength: 30 }), (cs) => agree(cs.join(""))),
    RUNS,
  );
});

test("the cases the fast path must hand back: duplicates, case, __proto__, empty values", () => {
  for (const text of [
    ";branch=z9hG4bK-1;rport",
    ";Tag=A;tag=b",
    ";__proto__=x;a=1",
    ";__PROTO__;a",
    ";a=;b",
    ";received=[2001:db8::1];rport=5060",
    ";1=a;0=b",
    ";lr;",
    "branch=x",
  ]) {
    agree(text);
  }
  assert.deepEqual(parseParams(";Tag=A;tag=b").params, { tag: "A" });
  assert.equal(Object.getPrototypeOf(parseParams(";__proto__=x").params), Object.prototype);
});

test("canonicalHeaderName: the remembered spellings give what the rule gives", () => {
  const rule = (raw: string): string => {
    const lower = raw.trim().toLowerCase();
    return Object.hasOwn(COMPACT_HEADER_NAMES, lower) ? COMPACT_HEADER_NAMES[lower]! : lower;
  };
  const names = fc.oneof(
    fc.constantFrom("Via", "v", "V", " i ", "CALL-ID", "Content-Length", "l", "toString", "__proto__"),
    fc.string({ unit: fc.constantFrom(..."aBcD-xYz "), maxLength: 70 }),
  );
  fc.assert(
    fc.property(names, (raw) => {
      assert.equal(canonicalHeaderName(raw), rule(raw));
      assert.equal(canonicalHeaderName(raw), rule(raw), "second call (remembered)");
    }),
    RUNS,
  );
});
