/** The streamed JSON is exactly JSON.stringify(doc, null, 2) plus a newline. */
import { strict as assert } from "node:assert";
import { test } from "node:test";
import fc from "fast-check";
import { analyzeCapture } from "../../src/analysis/analyze.ts";
import { writeJson, writePrettyJson } from "../../src/report/json-stream.ts";

function streamed(doc: object): string {
  let out = "";
  writePrettyJson(doc, (t) => (out += t));
  return out;
}

test("a real report streams to the same bytes as JSON.stringify", () => {
  for (const f of [
    "captures/fixtures/pt-mismatch-hairpin.pcap",
    "captures/fixtures/public/ws-sample-aaa-register-invite-cancel.pcap",
  ]) {
    const { report } = analyzeCapture(f);
    assert.ok(report !== null);
    assert.equal(streamed(report), `${JSON.stringify(report, null, 2)}\n`);
  }
});

test("any JSON object streams to the same bytes as JSON.stringify", () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (doc) => {
      assert.equal(streamed(doc), `${JSON.stringify(doc, null, 2)}\n`);
    }),
    { numRuns: 300 },
  );
});

test("compact output is exactly JSON.stringify(doc)", () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (doc) => {
      let out = "";
      writeJson(doc, (t) => (out += t), false);
      assert.equal(out, `${JSON.stringify(doc)}\n`);
    }),
    { numRuns: 300 },
  );
});
