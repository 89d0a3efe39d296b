/** Assertions on a report's findings, with the evidence frames resolved to what the test built. */
import { strict as assert } from "node:assert";
import type { AnalysisReport, Finding } from "../../src/analysis/model.ts";
import type { FrameMeta } from "./capture-builder.ts";

export function findingsOf(report: AnalysisReport, rule: string): Finding[] {
  return report.findings.filter((f) => f.rule === rule);
}

/** Exactly one finding of `rule`, with this severity, on these legs (Call-IDs). */
export function oneFinding(
  report: AnalysisReport,
  rule: string,
  severity: Finding["severity"],
  legs: readonly string[],
): Finding {
  const fs = findingsOf(report, rule);
  assert.equal(
    fs.length,
    1,
    `one ${rule} finding, got: ${JSON.stringify(report.findings.map((f) => [f.rule, f.message]))}`,
  );
  const f = fs[0]!;
  assert.equal(f.severity, severity, f.message);
  assert.deepEqual([...f.legs].sort(), [...legs].sort(), "legs of the finding");
  assert.ok(f.evidence.frames.length > 0, "evidence frames");
  return f;
}

export function noFinding(report: AnalysisReport, rule: string): void {
  const fs = findingsOf(report, rule);
  assert.equal(fs.length, 0, `no ${rule} finding, got: ${fs.map((f) => f.message).join(" | ")}`);
}

/** The frames a finding names as evidence, as the test built them. */
export function evidenceFrames(f: Finding, frames: readonly FrameMeta[]): FrameMeta[] {
  return f.evidence.frames.map((n) => {
    const m = frames[n - 1];
    assert.ok(m !== undefined && m.frame === n, `evidence frame ${n} exists`);
    return m;
  });
}
