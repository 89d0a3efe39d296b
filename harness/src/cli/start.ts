/**
 * `npm start`: until the conformance run against the reference MVS exists, analyse every bundled
 * capture (our SIPp/tcpdump fixtures and the public field captures) and publish the reports:
 * reports/index.html (one row per capture, linking its HTML report), and per capture the JSON
 * model and JUnit XML. Exits 0 when every capture was analysed (findings are the expected output).
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { analyzeCapture } from "../../../captures/src/analysis/analyze.ts";
import { renderHtml } from "../../../captures/src/report/html.ts";
import { renderJunit } from "../../../captures/src/report/junit.ts";
import { escapeHtml } from "../../../captures/src/report/escape.ts";

const dirs = ["captures/fixtures", "captures/fixtures/public"];
const outDir = process.env["MVSCT_REPORTS_DIR"] ?? "reports";
mkdirSync(outDir, { recursive: true });
const rows: string[] = [];
let failures = 0;
const t0 = performance.now();
for (const dir of dirs) {
  let files: string[] = [];
  try {
    files = readdirSync(dir)
      .filter((f) => /\.(pcap|pcapng|cap)$/.test(f))
      .sort();
  } catch {
    continue;
  }
  for (const f of files) {
    const path = join(dir, f);
    const started = performance.now();
    const { report, error } = analyzeCapture(path);
    const ms = Math.round(performance.now() - started);
    const stem = `${dir.endsWith("public") ? "public-" : ""}${basename(f).replace(/\.[^.]+$/, "")}`;
    if (report === null) {
      failures++;
      console.log(`ERROR    ${path}: ${error?.message}`);
      rows.push(
        `<tr><td>${escapeHtml(path)}</td><td class="err">unreadable: ${escapeHtml(error?.message ?? "")}</td><td></td><td></td><td></td></tr>`,
      );
      continue;
    }
    writeFileSync(join(outDir, `${stem}.html`), renderHtml(report));
    writeFileSync(join(outDir, `${stem}.json`), JSON.stringify(report, null, 2));
    writeFileSync(join(outDir, `${stem}.junit.xml`), renderJunit(report));
    const errors = report.findings.filter((x) => x.severity === "error").length;
    console.log(
      `${report.verdict.padEnd(24)} ${path}  (${report.legs.length} legs, ${report.calls.length} calls, ${report.findings.length} findings, ${ms} ms)`,
    );
    rows.push(
      `<tr><td><a href="${escapeHtml(stem)}.html">${escapeHtml(path)}</a></td><td class="${report.verdict === "healthy" ? "ok" : "err"}">${escapeHtml(report.verdict)}</td><td>${report.legs.length}</td><td>${errors}</td><td>${report.capture.packets}</td></tr>`,
    );
  }
}
writeFileSync(
  join(outDir, "index.html"),
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>mvsct: bundled captures</title><style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.ok{color:#176f2c;font-weight:600}.err{color:#b3261e;font-weight:600}</style></head><body><h1>mvsct analyze: bundled captures</h1><table><thead><tr><th>capture</th><th>verdict</th><th>legs</th><th>errors</th><th>packets</th></tr></thead><tbody>${rows.join("")}</tbody></table></body></html>`,
);
console.log(
  `\nreports written to ${outDir}/index.html (${rows.length} captures, ${Math.round(performance.now() - t0)} ms)`,
);
process.exitCode = failures > 0 ? 1 : 0;
