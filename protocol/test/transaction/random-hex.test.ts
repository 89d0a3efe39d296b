import { test } from "node:test";
import assert from "node:assert/strict";
import { randomHex, RANDOM_POOL_BYTES } from "../../src/transaction/random-hex.ts";

test("randomHex: 2·n lower-case hex digits, no repeats across several pool refills", () => {
  const n = 6;
  const count = Math.ceil((3 * RANDOM_POOL_BYTES) / n);
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const h = randomHex(n);
    assert.match(h, /^[0-9a-f]{12}$/);
    seen.add(h);
  }
  assert.equal(seen.size, count, "48-bit values: a repeat here means reused pool bytes");
  // every hex digit shows up in a few kilobytes of random text
  const digits = new Set([...seen].join(""));
  assert.equal(digits.size, 16);
});

test("randomHex: long requests bypass the pool; nonsense sizes are bugs", () => {
  assert.match(randomHex(RANDOM_POOL_BYTES), new RegExp(`^[0-9a-f]{${2 * RANDOM_POOL_BYTES}}$`));
  assert.notEqual(randomHex(16), randomHex(16));
  assert.throws(() => randomHex(0), RangeError);
  assert.throws(() => randomHex(1.5), RangeError);
});
