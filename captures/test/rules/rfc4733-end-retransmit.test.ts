/**
 * rfc4733-end-retransmit (RFC 4733 §2.5.1.4): the final packet SHOULD be sent three times; fewer is
 * a warning. Retransmissions count whatever their sequence numbers, and they are one digit.
 */
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { call } from "./call-scenario.ts";
import { evidenceFrames, noFinding, oneFinding } from "./finding-asserts.ts";

const RULE = "rfc4733-end-retransmit";

for (const copies of [1, 2]) {
  test(`end packet sent ${copies} time(s): warning, the end packets are evidence`, () => {
    const c = call();
    c.callerRtp.press({ atS: 1.5, key: "4", endCopies: copies });
    const { report, frames } = c.cap.analyze();
    const f = oneFinding(report, RULE, "warning", ["call-1@test"]);
    assert.match(f.message, new RegExp(`sent ${copies} time`));
    const ends = evidenceFrames(f, frames).filter((m) => m.rtp?.event?.end === true);
    assert.equal(ends.length, copies);
  });
}

test("three end packets with new sequence numbers: one digit, not reported", () => {
  const c = call();
  c.callerRtp.press({ atS: 1.5, key: "4" });
  const { report } = c.cap.analyze();
  noFinding(report, RULE);
  assert.deepEqual(
    report.legs[0]!.dtmf.map((d) => [d.digit, d.endPackets]),
    [["4", 3]],
  );
});

test("three end packets reusing one sequence number: one digit, not reported, not loss", () => {
  const c = call();
  c.callerRtp.press({ atS: 1.5, key: "4", reuseEndSeq: true });
  const { report } = c.cap.analyze();
  noFinding(report, RULE);
  const leg = report.legs[0]!;
  assert.deepEqual(
    leg.dtmf.map((d) => [d.digit, d.endPackets]),
    [["4", 3]],
  );
  assert.equal(leg.streams?.find((s) => s.direction === "caller->callee")?.lost, 0);
});

test("no end packet at all (end lost): not this rule, the digit is marked endLost", () => {
  const c = call();
  c.callerRtp.press({ atS: 1.5, key: "4", endCopies: 0 });
  const { report } = c.cap.analyze();
  noFinding(report, RULE);
  assert.equal(report.legs[0]!.dtmf[0]?.endLost, true);
});
