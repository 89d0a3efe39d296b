/**
 * rfc4733-timestamp (RFC 4733 §2.5.1.2): every packet of one event carries the event's start
 * timestamp. A sender that moves it mid-event makes a receiver see two presses: error.
 */
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { call } from "./call-scenario.ts";
import { evidenceFrames, noFinding, oneFinding } from "./finding-asserts.ts";

const RULE = "rfc4733-timestamp";

test("timestamp moved at the 4th packet: one digit, error, evidence spans both timestamps", () => {
  const c = call();
  c.callerRtp.press({ atS: 1.5, key: "2", tsChangeAt: 3 });
  const { report, frames } = c.cap.analyze();
  const f = oneFinding(report, RULE, "error", ["call-1@test"]);
  const ts = new Set(evidenceFrames(f, frames).map((m) => m.rtp?.ts));
  assert.equal(ts.size, 2, "evidence frames carry the start timestamp and the moved one");
  assert.equal(report.verdict, RULE);
  assert.deepEqual(
    report.legs[0]!.dtmf.map((d) => d.digit),
    ["2"],
    "one key press, one digit",
  );
});

test("the corrected twin (one timestamp) is not reported", () => {
  const c = call();
  c.callerRtp.press({ atS: 1.5, key: "2" });
  const { report } = c.cap.analyze();
  noFinding(report, RULE);
  assert.equal(report.verdict, "healthy");
});

test("two quick presses of the same key, each with M: two digits, no timestamp fault", () => {
  const c = call();
  c.callerRtp.press({ atS: 1.5, key: "2" }).press({ atS: 1.7, key: "2" });
  const { report } = c.cap.analyze();
  noFinding(report, RULE);
  assert.deepEqual(
    report.legs[0]!.dtmf.map((d) => d.digit),
    ["2", "2"],
  );
});

test("a continuation 150 ms later (beyond the 120 ms merge window) is not merged: no timestamp finding", () => {
  const c = call();
  c.callerRtp.press({ atS: 1.5, key: "2", tsChangeAt: 3, tsChangeGapS: 0.15 });
  const { report } = c.cap.analyze();
  noFinding(report, RULE);
  assert.equal(report.legs[0]!.dtmf.length, 2);
});

test("a sender stamping every event packet with its own time (ts += 160): still one key press", {}, () => {
  const c = call();
  c.callerRtp.press({ atS: 1.5, key: "2", tsEveryPacket: true });
  const { report } = c.cap.analyze();
  oneFinding(report, RULE, "error", ["call-1@test"]);
  assert.deepEqual(
    report.legs[0]!.dtmf.map((d) => d.digit),
    ["2"],
  );
});
