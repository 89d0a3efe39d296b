/**
 * One key press delivered twice on one leg, as RFC 2833 and as a KPML NOTIFY (CUCM trunk DTMF
 * Signaling Method "OOB and RFC 2833", DOMAIN.md §4: duplicates possible). The analyzer lists one
 * digit per method; no rule calls that a fault. Across legs, the duplicate breaks digit conservation.
 */
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { call } from "./call-scenario.ts";
import { findingsOf } from "./finding-asserts.ts";
import { hairpin } from "./hairpin-call.ts";
import { SUBSCRIBE_KPML, notifyKpml } from "./kpml-bodies.ts";

const KPML = { inviteHeaders: ["Allow-Events: kpml"], answerHeaders: ["Allow-Events: kpml"] };

test("one leg: the press is listed once per method, both valid, and nothing is reported", () => {
  const c = call(KPML);
  const sub = c.leg.request(1.0, "callee", "SUBSCRIBE", SUBSCRIBE_KPML);
  c.leg.respond(1.01, 200, "OK", {}, sub);
  c.callerRtp.press({ atS: 1.5, key: "1" });
  const n = c.leg.request(1.52, "caller", "NOTIFY", notifyKpml("1"));
  c.leg.respond(1.53, 200, "OK", {}, n);
  const { report } = c.cap.analyze();
  assert.deepEqual(
    report.legs[0]!.dtmf.map((d) => [d.digit, d.method, d.direction, d.valid]),
    [
      ["1", "rfc2833", "caller->callee", true],
      ["1", "kpml", "caller->callee", true],
    ],
  );
  assert.deepEqual(report.findings, []);
  assert.equal(report.verdict, "healthy");
});

test(
  "two legs: a press relayed on leg B as both KPML and RFC 2833 is conserved, not a ten-second disconnect",
  {},
  () => {
    const h = hairpin(
      { bye: { from: "callee", afterAnswerS: 10.3 }, audioS: 2 },
      {
        inviteHeaders: ["Cisco-Guid: 0123456789-ABCDEF0-1234-5678", ...KPML.inviteHeaders],
        answerHeaders: KPML.answerHeaders,
        bye: { from: "callee", afterAnswerS: 10 },
        audioS: 2,
      },
    );
    h.a.callerRtp.press({ atS: 1.5, key: "1" });
    const sub = h.b.leg.request(1.0, "callee", "SUBSCRIBE", SUBSCRIBE_KPML);
    h.b.leg.respond(1.01, 200, "OK", {}, sub);
    h.b.callerRtp.press({ atS: 1.55, key: "1" });
    const n = h.b.leg.request(1.56, "caller", "NOTIFY", notifyKpml("1"));
    h.b.leg.respond(1.57, 200, "OK", {}, n);
    const { report } = h.cap.analyze();
    assert.equal(report.calls[0]?.digitConservation?.conserved, true);
    assert.equal(findingsOf(report, "ten-second-disconnect").length, 0);
  },
);
