/**
 * kpml-not-advertised (RFC 4730 §4; RFC 6665 §8.2.1): a KPML SUBSCRIBE towards a party that did not
 * advertise Allow-Events: kpml, or that refused it, leaves no KPML path for the digits.
 */
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { call } from "./call-scenario.ts";
import { evidenceFrames, noFinding, oneFinding } from "./finding-asserts.ts";
import { SUBSCRIBE_KPML } from "./kpml-bodies.ts";

const RULE = "kpml-not-advertised";

function kpmlCall(o: { advertised: boolean; status: number }) {
  const c = call({
    offer: { te: null },
    answer: { te: null },
    inviteHeaders: ["Allow-Events: kpml"],
    answerHeaders: o.advertised ? ["Allow-Events: kpml"] : [],
  });
  const sub = c.leg.request(1.0, "caller", "SUBSCRIBE", SUBSCRIBE_KPML);
  c.leg.respond(1.01, o.status, o.status === 200 ? "OK" : "Bad Event", {}, sub);
  return c;
}

test("SUBSCRIBE kpml to a callee that never advertised it, answered 489: error, SUBSCRIBE and 489 as evidence", () => {
  const { report, frames } = kpmlCall({ advertised: false, status: 489 }).cap.analyze();
  const f = oneFinding(report, RULE, "error", ["call-1@test"]);
  assert.deepEqual(
    evidenceFrames(f, frames).map((m) => m.label),
    ["SUBSCRIBE", "489 SUBSCRIBE"],
  );
  assert.equal(report.verdict, RULE);
});

test("the corrected twin (callee advertises Allow-Events: kpml and accepts): not reported", () => {
  const { report } = kpmlCall({ advertised: true, status: 200 }).cap.analyze();
  noFinding(report, RULE);
  assert.equal(report.legs[0]!.kpmlAdvertised?.callee, true);
});

test("advertised but refused (489): error", () => {
  oneFinding(kpmlCall({ advertised: true, status: 489 }).cap.analyze().report, RULE, "error", [
    "call-1@test",
  ]);
});

test("not advertised yet accepted (200): still reported", () => {
  const f = oneFinding(kpmlCall({ advertised: false, status: 200 }).cap.analyze().report, RULE, "warning", [
    "call-1@test",
  ]);
  assert.match(f.message, /never advertised/);
});
