/**
 * rfc4733-marker (RFC 4733 §2.5.1.2): M on the first packet of an event and only there. A first
 * packet seen without M whose duration shows the start was lost is the network's doing, not the
 * sender's, and must not be reported.
 */
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { call } from "./call-scenario.ts";
import { evidenceFrames, noFinding, oneFinding } from "./finding-asserts.ts";

const RULE = "rfc4733-marker";

test("M missing on the first packet of an event whose start was sent: warning, first packet as evidence", () => {
  const c = call();
  c.callerRtp.press({ atS: 1.5, key: "1", noMarker: true });
  const { report, frames } = c.cap.analyze();
  const f = oneFinding(report, RULE, "warning", ["call-1@test"]);
  const first = evidenceFrames(f, frames).find(
    (m) => m.rtp?.event !== undefined && m.rtp.event.duration === 160,
  );
  assert.ok(first, "the event's first packet (duration 160) is evidence");
  assert.equal(first.rtp!.marker, false);
  assert.equal(first.rtp!.event!.code, 1);
  assert.match(f.evidence.filter, /rtp\.p_type == 101/);
  assert.equal(report.verdict, "healthy", "a warning does not make the verdict");
});

test("the corrected twin (M on the first packet) is not reported", () => {
  const c = call();
  c.callerRtp.press({ atS: 1.5, key: "1" });
  noFinding(c.cap.analyze().report, RULE);
});

test("M on every packet of the event: warning, evidence shows M on a later packet", () => {
  const c = call();
  c.callerRtp.press({ atS: 1.5, key: "#", markerEveryPacket: true });
  const { report, frames } = c.cap.analyze();
  const f = oneFinding(report, RULE, "warning", ["call-1@test"]);
  assert.match(f.message, /more than the first packet/);
  assert.ok(evidenceFrames(f, frames).some((m) => m.rtp?.marker === true && m.rtp.event?.end === true));
});

test("lost start (first packet seen has no M but duration 640): not a marker fault, digit kept", () => {
  const c = call();
  c.callerRtp.press({ atS: 1.5, key: "5", lostFirst: 3 });
  const { report } = c.cap.analyze();
  noFinding(report, RULE);
  const d = report.legs[0]!.dtmf;
  assert.deepEqual(
    d.map((x) => [x.digit, x.valid, x.startLost]),
    [["5", true, true]],
  );
});

test("two presses of the same key, each with its own M: one M each, no finding", () => {
  const c = call();
  c.callerRtp.press({ atS: 1.5, key: "7" }).press({ atS: 1.75, key: "7" });
  const { report } = c.cap.analyze();
  noFinding(report, RULE);
  assert.equal(report.legs[0]!.dtmf.length, 2);
});

test(
  "two lost start packets (first seen duration 480, sequence gap before it): not a marker fault",
  {},
  () => {
    const c = call();
    c.callerRtp.press({ atS: 1.5, key: "5", lostFirst: 2 });
    const { report } = c.cap.analyze();
    assert.equal(report.legs[0]!.dtmf[0]?.startLost, true);
    noFinding(report, RULE);
  },
);
