/**
 * rfc4733-event-range (RFC 4733 §2.4.1, §2.3): only the events the receiver listed in its fmtp may
 * be sent (0-15 by default), and the R bit is zero.
 */
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { call } from "./call-scenario.ts";
import { evidenceFrames, noFinding, oneFinding } from "./finding-asserts.ts";

const RULE = "rfc4733-event-range";

test("flash (16) towards a receiver whose fmtp is 0-15: warning, digit invalid", () => {
  const c = call();
  c.callerRtp.press({ atS: 1.5, key: 16 });
  const { report, frames } = c.cap.analyze();
  const f = oneFinding(report, RULE, "warning", ["call-1@test"]);
  assert.ok(evidenceFrames(f, frames).every((m) => m.rtp?.event?.code === 16));
  const d = report.legs[0]!.dtmf;
  assert.deepEqual(
    d.map((x) => [x.digit, x.valid]),
    [["flash", false]],
  );
  assert.match(d[0]!.invalidReason ?? "", /event 16/);
});

test("no fmtp at all means 0-15 (RFC 4733 §2.4.1): flash is still outside", () => {
  const c = call({ answer: { te: { pt: 101, events: null } } });
  c.callerRtp.press({ atS: 1.5, key: 16 });
  oneFinding(c.cap.analyze().report, RULE, "warning", ["call-1@test"]);
});

test("the corrected twin (receiver lists 0-16): flash is valid, not reported", () => {
  const c = call({ answer: { te: { pt: 101, events: "0-16" } } });
  c.callerRtp.press({ atS: 1.5, key: 16 });
  const { report } = c.cap.analyze();
  noFinding(report, RULE);
  assert.deepEqual(
    report.legs[0]!.dtmf.map((x) => [x.digit, x.valid]),
    [["flash", true]],
  );
});

test("the range is the receiver's: caller lists 0-16, callee 0-15, flash towards the caller is fine", () => {
  const c = call({ offer: { te: { pt: 101, events: "0-16" } } });
  c.calleeRtp.press({ atS: 1.5, key: 16 });
  noFinding(c.cap.analyze().report, RULE);
});

test("R bit set on a DTMF event: warning naming the reserved bit", () => {
  const c = call();
  c.callerRtp.press({ atS: 1.5, key: "9", reserved: true });
  const { report, frames } = c.cap.analyze();
  const f = oneFinding(report, RULE, "warning", ["call-1@test"]);
  assert.match(f.message, /reserved R bit/);
  assert.ok(evidenceFrames(f, frames).every((m) => m.rtp?.event?.reserved === true));
});
