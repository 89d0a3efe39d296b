/**
 * rfc4733-duration (RFC 4733 §2.5.1.3-4): the duration only grows within an event, and E stays set
 * once set. Retransmitted end packets repeating the final duration are not a decrease.
 */
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { call } from "./call-scenario.ts";
import { evidenceFrames, noFinding, oneFinding } from "./finding-asserts.ts";

const RULE = "rfc4733-duration";

test("a duration going back (480 -> 320) within an event: warning on the event's frames", () => {
  const c = call();
  c.callerRtp.press({ atS: 1.5, key: "3", durationDecreaseAt: 3 });
  const { report, frames } = c.cap.analyze();
  const f = oneFinding(report, RULE, "warning", ["call-1@test"]);
  assert.match(f.message, /duration went down/);
  const ev = evidenceFrames(f, frames);
  assert.ok(
    ev.every((m) => m.rtp?.event?.code === 3),
    "evidence is the faulty event's packets",
  );
});

test("the packet whose duration went down is among the evidence frames", () => {
  const c = call();
  c.callerRtp.press({ atS: 1.5, key: "3", durationDecreaseAt: 3 });
  const { report, frames } = c.cap.analyze();
  const f = oneFinding(report, RULE, "warning", ["call-1@test"]);
  assert.ok(
    evidenceFrames(f, frames).some((m) => m.rtp?.event?.duration === 320 && m.rtp.event.end === false),
  );
});

test("E cleared after being set: warning", () => {
  const c = call();
  c.callerRtp.press({ atS: 1.5, key: "3", endCleared: true });
  const { report } = c.cap.analyze();
  const f = oneFinding(report, RULE, "warning", ["call-1@test"]);
  assert.match(f.message, /without the E bit followed the end packet/);
});

test("the corrected twin (growing durations, end copies repeating the final duration) is not reported", () => {
  const c = call();
  c.callerRtp.press({ atS: 1.5, key: "3" });
  noFinding(c.cap.analyze().report, RULE);
});
