/**
 * Our own SIPp/tcpdump/baresip fixtures: each was built to contain one situation, written down in
 * captures/fixtures/manifest.json from how the scenario was made and checked with tshark. The
 * analyzer must find exactly that: the verdict (root cause), the rules that must and must not
 * fire, each leg's codec, telephone-event PT, offer placement, digits per direction, and who hung up.
 */
import { strict as assert } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { analyzeCapture } from "../../src/analysis/analyze.ts";
import type { Leg } from "../../src/analysis/model.ts";

interface ManifestLeg {
  role: string;
  callId: string;
  caller: string;
  callee: string;
  finalStatus: number | null;
  codec: { pt: number; name: string } | null;
  telephoneEventPt: number | null;
  offerIn: "invite" | "2xx";
  digits: { digit: string; method: string; direction: string; valid: boolean; pt?: number }[];
  bye: { sender: "caller" | "callee"; afterAnswerS: number; reason: string | null } | null;
}
interface ManifestEntry {
  file: string;
  scenario: string;
  legs: ManifestLeg[];
  sameCall?: boolean;
  expectedVerdict: string;
  expectedRules: string[];
  forbiddenRules: string[];
}

const manifestPath = "captures/fixtures/manifest.json";
const manifest: ManifestEntry[] = existsSync(manifestPath)
  ? (JSON.parse(readFileSync(manifestPath, "utf8")) as ManifestEntry[])
  : [];

test("the fixture manifest exists and lists the scenarios the issue names", () => {
  assert.ok(manifest.length >= 12, `manifest has ${manifest.length} entries`);
  const verdicts = new Set(manifest.map((m) => m.expectedVerdict));
  for (const v of [
    "healthy",
    "ten-second-disconnect",
    "dtmf-pt-mismatch",
    "codec-mismatch",
    "dtmf-method-mismatch",
    "kpml-not-advertised",
    "dtmf-too-short",
    "ack-timeout",
  ]) {
    assert.ok(verdicts.has(v), `a fixture whose verdict is ${v}`);
  }
});

for (const m of manifest) {
  test(`fixture ${m.file} (${m.scenario}): verdict ${m.expectedVerdict}`, () => {
    const { report, error } = analyzeCapture(join("captures/fixtures", m.file));
    assert.ok(report !== null, error?.message);
    assert.equal(
      report.verdict,
      m.expectedVerdict,
      JSON.stringify(
        report.findings.map((f) => [f.rule, f.severity, f.message]),
        null,
        1,
      ),
    );
    const fired = new Set(report.findings.filter((f) => f.severity !== "info").map((f) => f.rule));
    for (const r of m.expectedRules) assert.ok(fired.has(r), `rule ${r} fires`);
    for (const r of m.forbiddenRules)
      assert.ok(
        !fired.has(r),
        `rule ${r} must not fire: ${report.findings.find((f) => f.rule === r)?.message}`,
      );
    for (const ml of m.legs) {
      const leg: Leg | undefined = report.legs.find((l) => l.callId === ml.callId);
      assert.ok(leg, `leg ${ml.callId} found`);
      assert.equal(leg.caller, ml.caller);
      assert.equal(leg.callee, ml.callee);
      assert.equal(leg.finalStatus, ml.finalStatus);
      assert.equal(leg.codec?.pt ?? null, ml.codec?.pt ?? null, "codec PT");
      if (ml.codec !== null) assert.equal(leg.codec?.name.toUpperCase(), ml.codec.name.toUpperCase());
      assert.equal(leg.telephoneEventPt, ml.telephoneEventPt, "telephone-event PT");
      if (ml.finalStatus !== null && ml.finalStatus < 300) assert.equal(leg.offerIn, ml.offerIn);
      for (const dir of ["caller->callee", "callee->caller"]) {
        const want = ml.digits.filter((d) => d.direction === dir);
        const got: Leg["dtmf"] = leg.dtmf.filter((d) => d.direction === dir);
        assert.deepEqual(
          got.map((d) => `${d.digit}/${d.method}/${d.valid ? "valid" : "invalid"}`),
          want.map((d) => `${d.digit}/${d.method}/${d.valid ? "valid" : "invalid"}`),
          `digits ${dir} on ${ml.callId}`,
        );
        for (const [i, d] of want.entries())
          if (d.pt !== undefined) assert.equal(got[i]?.pt, d.pt, `PT of digit ${i}`);
      }
      if (ml.bye === null) assert.equal(leg.bye, null, "no BYE");
      else {
        assert.ok(leg.bye !== null, "a BYE");
        assert.equal(leg.bye.sender, ml.bye.sender);
        if (leg.bye.afterAnswerS !== null)
          assert.ok(
            Math.abs(leg.bye.afterAnswerS - ml.bye.afterAnswerS) < 1.5,
            `BYE after ${leg.bye.afterAnswerS} s, expected ~${ml.bye.afterAnswerS}`,
          );
      }
    }
    if (m.sameCall === true && m.legs.length > 1) {
      const call = report.calls.find((c) => c.legs.includes(m.legs[0]!.callId));
      assert.ok(call, "a call");
      for (const ml of m.legs)
        assert.ok(call.legs.includes(ml.callId), `${ml.callId} correlated into ${call.id}`);
    }
  });
}
