/**
 * dtmf-too-short (DOMAIN.md §2.4, C7): MVS needs DTMF of at least 100 ms; 99 ms is too short,
 * 100 ms is enough. A digit whose end was lost has no known length and is not judged.
 */
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { call } from "./call-scenario.ts";
import { evidenceFrames, noFinding, oneFinding } from "./finding-asserts.ts";

const RULE = "dtmf-too-short";

test("99 ms (final duration 792 at 8 kHz): error, the digit's frames as evidence", () => {
  const c = call();
  c.callerRtp.press({ atS: 1.5, key: "8", finalDuration: 792 });
  const { report, frames } = c.cap.analyze();
  const f = oneFinding(report, RULE, "error", ["call-1@test"]);
  assert.match(f.message, /8 \(99 ms/);
  const ends = evidenceFrames(f, frames).filter((m) => m.rtp?.event?.end === true);
  assert.ok(ends.length > 0 && ends.every((m) => m.rtp!.event!.duration === 792));
  assert.equal(report.verdict, RULE);
});

test("100 ms (final duration 800) is long enough: not reported", () => {
  const c = call();
  c.callerRtp.press({ atS: 1.5, key: "8", finalDuration: 800 });
  const { report } = c.cap.analyze();
  noFinding(report, RULE);
  assert.equal(report.verdict, "healthy");
});

test("40 ms but the end was never seen (end lost): length unknown, not reported", () => {
  const c = call();
  c.callerRtp.press({ atS: 1.5, key: "8", onMs: 40, endCopies: 0 });
  noFinding(c.cap.analyze().report, RULE);
});

test("SIP INFO Duration=99 is too short, Duration=100 is not", () => {
  for (const [ms, fires] of [
    [99, true],
    [100, false],
  ] as const) {
    const c = call({ answer: { te: null }, offer: { te: null } });
    const r = c.leg.request(1.5, "caller", "INFO", {
      body: `Signal=5\r\nDuration=${ms}\r\n`,
      contentType: "application/dtmf-relay",
    });
    c.leg.respond(1.51, 200, "OK", {}, r);
    const { report } = c.cap.analyze();
    assert.deepEqual(
      report.legs[0]!.dtmf.map((d) => [d.digit, d.method, d.durationMs]),
      [["5", "sip-info", ms]],
    );
    if (fires) oneFinding(report, RULE, "error", ["call-1@test"]);
    else noFinding(report, RULE);
  }
});
