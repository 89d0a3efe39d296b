/**
 * `mvsct analyze <capture> [--json [--pretty]] [--junit FILE] [--html FILE] [--inband auto|all|off] [--no-color]`
 * Exit 0 healthy, 1 findings of severity error, 2 input that cannot be read (one line on stderr).
 */
import { writeFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { analyzeCapture, analyzeCaptureTo } from "../../../captures/src/analysis/analyze.ts";
import { SpooledJsonWriter } from "../../../captures/src/report/json-spool.ts";
import { renderHtml } from "../../../captures/src/report/html.ts";
import { renderJunit } from "../../../captures/src/report/junit.ts";
import { renderText } from "../../../captures/src/report/text.ts";
import { writeJson } from "../../../captures/src/report/json-stream.ts";
import { parseArgs } from "./args.ts";
import type { Io } from "./io.ts";

export const ANALYZE_USAGE =
  "usage: mvsct analyze <capture.pcap|pcapng> [--json [--pretty]] [--junit FILE] [--html FILE] [--inband auto|all|off] [--no-color]";

export function analyzeCommand(argv: readonly string[], io: Io): number {
  const args = parseArgs(argv, [
    { name: "json", takesValue: false },
    { name: "pretty", takesValue: false },
    { name: "junit", takesValue: true },
    { name: "html", takesValue: true },
    { name: "inband", takesValue: true, values: ["auto", "all", "off"] },
    { name: "no-color", takesValue: false },
    { name: "help", takesValue: false },
  ]);
  if (!args.ok) {
    io.err(`mvsct analyze: ${args.message}\n${ANALYZE_USAGE}\n`);
    return 2;
  }
  if (args.flags.has("help")) {
    io.out(`${ANALYZE_USAGE}\n`);
    return 0;
  }
  if (args.positional.length !== 1) {
    io.err(`mvsct analyze: expected one capture file\n${ANALYZE_USAGE}\n`);
    return 2;
  }
  const file = args.positional[0]!;
  // TurboFan's inlining budget: the checkpoint passes (closeQuietCalls, buildLeg...) run a few dozen
  // times over thousands of items each, get optimized, and with the default budget (920 bytecodes
  // inlined per function) each compile took 100-160 ms of a background thread, ≈ 0.6 s in all per
  // million packets on a 2-core machine that is also reading the capture. 300 measured ≈ 15 % less
  // CPU and ≈ 5 % less wall time, the packet loop as fast (bench/PROFILE.md).
  setFlagsFromString("--max-inlined-bytecode-size-cumulative=300");
  // And no TurboFan at all for functions over 1,200 bytes of bytecode: here they are the checkpoint
  // and rule passes (buildLeg 3.2 KB, blockByLiveRelations 3.0 KB, closeQuietCalls 2.5 KB, the rule
  // evaluator 2.6 KB...), which run for a few ms in all but cost 30-140 ms of compile each; the
  // per-packet and per-message functions are smaller (readPcapClassic 0.76 KB, parseSip 1.1 KB).
  // Measured (7 alternating runs, 1M packets): main thread the same, CPU of all threads −9 %,
  // wall −5 %; 900 was slower (it takes parseSip out).
  setFlagsFromString("--max-optimized-bytecode-size=1200");
  const inband = args.flags.get("inband");
  const opts = { inband: typeof inband === "string" ? (inband as "auto" | "all" | "off") : "auto" } as const;
  // indented for a person at a terminal (or --pretty), compact when piped to a program
  const pretty = io.isTty || args.flags.has("pretty");
  if (args.flags.has("json") && !args.flags.has("junit") && !args.flags.has("html")) {
    // JSON alone: written call by call as the capture is read, so memory stays flat. V8 would
    // otherwise let the old generation grow up to 4x the live data between full collections
    // (dynamic heap growing factor); 2x keeps the peak near what the open calls need, for about 0.1 s
    // more of GC per million packets than the default.
    setFlagsFromString("--heap-growing-percent=100");
    const writer = new SpooledJsonWriter(pretty);
    let r;
    try {
      r = analyzeCaptureTo(file, opts, writer);
    } catch (e) {
      writer.close();
      throw e;
    }
    if (r.head === null) {
      writer.close();
      io.err(`mvsct analyze: ${file}: ${r.error?.message ?? "cannot be read"}\n`);
      return 2;
    }
    if (r.error !== null)
      io.err(`mvsct analyze: warning: ${file}: ${r.error.message}; analysed up to the cut\n`);
    writer.finish(r.head, (t) => io.out(t), io.outBytes === undefined ? undefined : (b) => io.outBytes!(b));
    return r.hasErrors ? 1 : 0;
  }
  const { report, error } = analyzeCapture(file, opts);
  if (report === null) {
    io.err(`mvsct analyze: ${file}: ${error?.message ?? "cannot be read"}\n`);
    return 2;
  }
  if (error !== null) io.err(`mvsct analyze: warning: ${file}: ${error.message}; analysed up to the cut\n`);
  const writeTo = (flag: string, render: () => string): boolean => {
    const target = args.flags.get(flag);
    if (typeof target !== "string") return true;
    try {
      writeFileSync(target, render());
      return true;
    } catch (e) {
      io.err(`mvsct analyze: cannot write ${target}: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`);
      return false;
    }
  };
  if (!writeTo("junit", () => renderJunit(report)) || !writeTo("html", () => renderHtml(report))) return 2;
  if (args.flags.has("json")) writeJson(report, (t) => io.out(t), pretty);
  else io.out(renderText(report, { color: io.isTty && !args.flags.has("no-color") }));
  return report.findings.some((f) => f.severity === "error") ? 1 : 0;
}
