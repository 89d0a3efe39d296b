/** Golden models: the analyzer's JSON for a capture, checked in after review and compared in tests. */
import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { analyzeCapture } from "../src/analysis/analyze.ts";
import type { AnalysisReport } from "../src/analysis/model.ts";

export const GOLDEN_DIR = "captures/fixtures/goldens";
export const CAPTURE_DIRS = ["captures/fixtures/public", "captures/fixtures"];

export function goldenCaptures(): { path: string; golden: string }[] {
  const out: { path: string; golden: string }[] = [];
  for (const dir of CAPTURE_DIRS) {
    let files: string[] = [];
    try {
      files = readdirSync(dir)
        .filter((f) => /\.(pcap|pcapng)$/.test(f))
        .sort();
    } catch {
      continue;
    }
    const prefix = dir.endsWith("public") ? "public-" : "";
    for (const f of files)
      out.push({ path: join(dir, f), golden: join(GOLDEN_DIR, `${prefix}${basename(f)}.json`) });
  }
  return out;
}

/** The model without the parts that are presentation only (the ladder is long and derived). */
export function goldenModel(path: string): unknown {
  const { report, error } = analyzeCapture(path);
  if (report === null) return { error: error?.message ?? "unreadable" };
  const { ladder: _ladder, ...rest } = report as AnalysisReport;
  return JSON.parse(JSON.stringify({ ...rest, ladderMessages: report.ladder?.length ?? 0 }));
}
