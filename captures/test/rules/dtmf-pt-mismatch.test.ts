/**
 * dtmf-pt-mismatch (RFC 3264 §6.1; DOMAIN.md C2): RFC 2833 digits must use the telephone-event PT
 * the RECEIVER declared. Asymmetric PTs are legal as long as each side uses the other's.
 */
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { call } from "./call-scenario.ts";
import { evidenceFrames, noFinding, oneFinding } from "./finding-asserts.ts";

const RULE = "dtmf-pt-mismatch";

test("digits on PT 96 when the receiver declared telephone-event on 101: error, the PT 96 packets as evidence", () => {
  const c = call();
  c.callerRtp.press({ atS: 1.5, key: "7", pt: 96 }).press({ atS: 1.8, key: "7", pt: 96 });
  const { report, frames } = c.cap.analyze();
  const f = oneFinding(report, RULE, "error", ["call-1@test"]);
  const ev = evidenceFrames(f, frames);
  assert.ok(ev.length >= 2 && ev.every((m) => m.rtp?.pt === 96 && m.rtp.event?.code === 7));
  assert.match(f.message, /telephone-event on PT 101/);
  assert.equal(report.verdict, RULE);
  assert.ok(report.legs[0]!.dtmf.every((d) => !d.valid && /^PT 96/.test(d.invalidReason ?? "")));
});

test("the corrected twin (digits on 101) is not reported", () => {
  const c = call();
  c.callerRtp.press({ atS: 1.5, key: "7" });
  noFinding(c.cap.analyze().report, RULE);
});

test("receiver declared no telephone-event at all: error naming that", () => {
  const c = call({ answer: { te: null } });
  c.callerRtp.press({ atS: 1.5, key: "7" });
  const f = oneFinding(c.cap.analyze().report, RULE, "error", ["call-1@test"]);
  assert.match(f.message, /no telephone-event at all/);
});

test("asymmetric PTs used correctly (caller declares 96, callee 101; each sends the other's): not reported", () => {
  const c = call({ offer: { te: { pt: 96 } }, answer: { te: { pt: 101 } } });
  c.callerRtp.press({ atS: 1.5, key: "1", pt: 101 });
  c.calleeRtp.press({ atS: 2.0, key: "2", pt: 96 });
  const { report } = c.cap.analyze();
  noFinding(report, RULE);
  assert.deepEqual(
    report.legs[0]!.dtmf.map((d) => [d.digit, d.direction, d.valid]),
    [
      ["1", "caller->callee", true],
      ["2", "callee->caller", true],
    ],
  );
});
