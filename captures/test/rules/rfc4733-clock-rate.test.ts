/**
 * rfc4733-clock-rate (RFC 4733 §2.4; DOMAIN.md §6.4): telephone-event's clock rate should be the
 * audio codec's. A mismatch is a warning; with digits sent on that PT it is an error.
 */
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { call } from "./call-scenario.ts";
import { evidenceFrames, findingsOf, noFinding } from "./finding-asserts.ts";

const RULE = "rfc4733-clock-rate";
const TE16K = { te: { pt: 101, rate: 16000 } };

test("telephone-event/16000 next to PCMU/8000 in both SDPs, no digits: a warning per SDP, SDP frames as evidence", () => {
  const c = call({ offer: TE16K, answer: TE16K });
  const { report, frames } = c.cap.analyze();
  const fs = findingsOf(report, RULE);
  assert.equal(fs.length, 2);
  assert.deepEqual(
    fs.map((f) => f.severity),
    ["warning", "warning"],
  );
  assert.deepEqual(fs.flatMap((f) => evidenceFrames(f, frames).map((m) => m.label)).sort(), [
    "200 INVITE",
    "INVITE",
  ]);
  assert.equal(report.verdict, "healthy");
});

test("digits sent on the 16 kHz telephone-event PT: error, verdict rfc4733-clock-rate", () => {
  const c = call({ offer: TE16K, answer: TE16K });
  c.callerRtp.press({ atS: 1.5, key: "5", onMs: 120, durationHz: 16000 });
  const { report } = c.cap.analyze();
  const fs = findingsOf(report, RULE);
  assert.ok(fs.length > 0 && fs.every((f) => f.legs[0] === "call-1@test"));
  // the digits went caller->callee on the PT the callee declared: that declaration is the error;
  // the caller's identical declaration carried nothing, so it is only a warning
  assert.deepEqual(
    fs.map((f) => `${/The (caller|callee)'s SDP/.exec(f.message)?.[1]}:${f.severity}`).sort(),
    ["callee:error", "caller:warning"],
  );
  assert.equal(report.verdict, RULE);
});

test("the corrected twin (telephone-event/8000) is not reported", () => {
  const c = call();
  c.callerRtp.press({ atS: 1.5, key: "5" });
  noFinding(c.cap.analyze().report, RULE);
});

test("one telephone-event per audio clock rate (8000 and 16000, RFC 4733 §2.4) is correct", () => {
  const both = { te: { pt: 101 }, extraTe: [{ pt: 102, rate: 16000 }] };
  const c = call({ offer: both, answer: both });
  noFinding(c.cap.analyze().report, RULE);
});
