/**
 * ten-second-disconnect (DOMAIN.md §8): an answered call set up for DTMF, with no valid digit,
 * torn down 7.5-13 s after answer, is the MVS validation-timeout symptom. A call that never set up
 * DTMF and ends at 10 s is not.
 */
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { call } from "./call-scenario.ts";
import { evidenceFrames, findingsOf, noFinding, oneFinding } from "./finding-asserts.ts";

const RULE = "ten-second-disconnect";
const calleeBye = (afterAnswerS: number, headers: string[] = []) => ({
  bye: { from: "callee" as const, afterAnswerS, headers },
  audioS: 1,
});

test("telephone-event negotiated, no digit, callee BYE at 10 s: error with the 200 and the BYE", () => {
  const c = call(calleeBye(10, ["Reason: Q.850;cause=16"]));
  const { report, frames } = c.cap.analyze();
  const f = oneFinding(report, RULE, "error", ["call-1@test"]);
  assert.deepEqual(
    evidenceFrames(f, frames).map((m) => m.label),
    ["200 INVITE", "BYE"],
  );
  assert.match(f.message, /Q\.850;cause=16/);
  assert.equal(report.verdict, RULE);
});

test("the corrected twin (a valid digit crossed the leg) is not reported", () => {
  const c = call(calleeBye(10));
  c.callerRtp.press({ atS: 1.5, key: "1" });
  noFinding(c.cap.analyze().report, RULE);
});

test("a short call without any DTMF set up (no telephone-event, no KPML) ended at 10 s: not reported", () => {
  const c = call({ offer: { te: null }, answer: { te: null }, ...calleeBye(10) });
  const { report } = c.cap.analyze();
  noFinding(report, RULE);
  assert.equal(report.verdict, "healthy");
});

test("window boundaries: 7.5 s and 13 s are in, 7.49 s and 13.01 s are out", () => {
  for (const [s, fires] of [
    [7.49, false],
    [7.5, true],
    [13, true],
    [13.01, false],
  ] as const) {
    const { report } = call(calleeBye(s)).cap.analyze();
    assert.equal(findingsOf(report, RULE).length, fires ? 1 : 0, `BYE ${s} s after answer`);
  }
});

test("only unusable digits (wrong PT) then BYE at 10 s: reported, caused by dtmf-pt-mismatch", () => {
  const c = call(calleeBye(10));
  c.callerRtp.press({ atS: 1.5, key: "7", pt: 96 });
  const { report } = c.cap.analyze();
  const f = oneFinding(report, RULE, "error", ["call-1@test"]);
  assert.equal(f.causedBy, "dtmf-pt-mismatch");
  assert.equal(report.verdict, "dtmf-pt-mismatch");
});

test("a KPML-only leg (Allow-Events: kpml, no telephone-event), no NOTIFY, BYE at 10 s: reported", () => {
  const c = call({
    offer: { te: null },
    answer: { te: null },
    inviteHeaders: ["Allow-Events: kpml"],
    answerHeaders: ["Allow-Events: kpml"],
    ...calleeBye(10),
  });
  oneFinding(c.cap.analyze().report, RULE, "error", ["call-1@test"]);
});
