/**
 * Every bundled capture (public field captures and our SIPp fixtures) is analysed without error
 * and its model equals the reviewed golden in captures/fixtures/goldens/.
 */
import { strict as assert } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { goldenCaptures, goldenModel } from "../golden.ts";

for (const { path, golden } of goldenCaptures()) {
  test(`golden model: ${path}`, () => {
    assert.ok(
      existsSync(golden),
      `no golden for ${path}: run npx tsx captures/test/update-goldens.ts and review it`,
    );
    const expected: unknown = JSON.parse(readFileSync(golden, "utf8"));
    assert.deepStrictEqual(goldenModel(path), expected);
  });
}
