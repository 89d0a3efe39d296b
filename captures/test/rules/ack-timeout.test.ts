/**
 * ack-timeout (RFC 3261 §13.3.1.4): the UAS retransmits its 2xx until the ACK arrives and, after
 * 64*T1 without one, ends the session with a BYE. Only a missing ACK with that BYE is the fault.
 */
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { call } from "./call-scenario.ts";
import { evidenceFrames, noFinding, oneFinding } from "./finding-asserts.ts";

const RULE = "ack-timeout";
/** T1 = 500 ms doubling to T2 = 4 s: retransmissions at 0.5, 1.5, 3.5, 7.5, 11.5 ... 31.5 s */
const RETRANSMITS = [0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5];

test("no ACK, 200 retransmitted, callee BYE 32 s after answer: error with the 200s and the BYE", () => {
  const c = call({
    ack: false,
    okRetransmitsS: RETRANSMITS,
    audioS: 0,
    bye: { from: "callee", afterAnswerS: 32 },
  });
  const { report, frames } = c.cap.analyze();
  const f = oneFinding(report, RULE, "error", ["call-1@test"]);
  const labels = evidenceFrames(f, frames).map((m) => m.label);
  assert.ok(labels.filter((l) => l === "200 INVITE").length >= 2, labels.join());
  assert.equal(labels.at(-1), "BYE");
  assert.ok(!labels.includes("ACK"));
  assert.equal(report.verdict, RULE);
});

test("the corrected twin (ACK sent, same BYE at 32 s) is not reported", () => {
  const c = call({ audioS: 0, bye: { from: "callee", afterAnswerS: 32 } });
  noFinding(c.cap.analyze().report, RULE);
});

test("no ACK but the BYE is not the 64*T1 give-up (caller BYE at 4 s; callee BYE at 10 s): not reported", () => {
  for (const bye of [
    { from: "caller" as const, afterAnswerS: 4 },
    { from: "callee" as const, afterAnswerS: 10 },
  ]) {
    const c = call({ ack: false, okRetransmitsS: RETRANSMITS.slice(0, 3), audioS: 0, bye });
    noFinding(c.cap.analyze().report, RULE);
  }
});
