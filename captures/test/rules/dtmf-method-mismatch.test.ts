/**
 * dtmf-method-mismatch (DOMAIN.md §4.4): digits entered on one leg as RFC 2833 while the next leg of
 * the same call can only take KPML, and nothing interworked them (no MTP): the digits never leave.
 */
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { evidenceFrames, noFinding, oneFinding } from "./finding-asserts.ts";
import { hairpin } from "./hairpin-call.ts";
import { SUBSCRIBE_KPML, notifyKpml } from "./kpml-bodies.ts";

const RULE = "dtmf-method-mismatch";
const KPML_ONLY = {
  offer: { te: null },
  answer: { te: null },
  inviteHeaders: ["Cisco-Guid: 0123456789-ABCDEF0-1234-5678", "Allow-Events: kpml"],
  answerHeaders: ["Allow-Events: kpml"],
};

test("RFC 2833 digits on leg A, leg B KPML-only, no digit on B: error on both legs", () => {
  const h = hairpin({}, KPML_ONLY);
  h.a.callerRtp.press({ atS: 1.5, key: "3" }).press({ atS: 1.8, key: "1" });
  const { report, frames } = h.cap.analyze();
  const f = oneFinding(report, RULE, "error", ["leg-a@isr", "leg-b@cucm"]);
  assert.match(f.message, /Digits 31/);
  const ev = evidenceFrames(f, frames);
  assert.ok(
    ev.some((m) => m.rtp?.event?.code === 3 && m.rtp.marker),
    "the first digit's first packet",
  );
  assert.equal(report.verdict, RULE);
});

test("the corrected twin (leg B negotiates telephone-event too) is not reported", () => {
  const h = hairpin();
  h.a.callerRtp.press({ atS: 1.5, key: "3" });
  h.b.callerRtp.press({ atS: 1.55, key: "3" });
  noFinding(h.cap.analyze().report, RULE);
});

test("leg B KPML-only but the digits did cross it as KPML NOTIFYs (an MTP interworked): not reported", () => {
  const h = hairpin({}, KPML_ONLY);
  h.a.callerRtp.press({ atS: 1.5, key: "3" });
  const sub = h.b.leg.request(1.0, "callee", "SUBSCRIBE", SUBSCRIBE_KPML);
  h.b.leg.respond(1.01, 200, "OK", {}, sub);
  const n = h.b.leg.request(1.6, "caller", "NOTIFY", notifyKpml("3"));
  h.b.leg.respond(1.61, 200, "OK", {}, n);
  const { report } = h.cap.analyze();
  noFinding(report, RULE);
  assert.deepEqual(
    report.legs.find((l) => l.callId === "leg-b@cucm")!.dtmf.map((d) => [d.digit, d.method, d.valid]),
    [["3", "kpml", true]],
  );
});
