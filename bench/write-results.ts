/**
 * bench/write-results.ts: turns what analyze-vs-tshark.sh recorded under bench/out/ (runs.tsv, the
 * capture manifests, the untimed analyses) into bench/RESULTS.md, and prints the summary table.
 *   npx tsx bench/write-results.ts --out-dir bench/out --results bench/RESULTS.md
 * Exit 1 when a sanity check fails (the figures are still written).
 */
import { execSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Run, parseRuns, summarize } from "./lib/runs.ts";
import { type AnalysisLike, type Check, countTsharkStreams, sanityChecks } from "./lib/sanity.ts";

/** The goals from the issue. */
const SPEED_GOAL = 5;
/** "flat": the 4M run may use at most this much more peak memory than the 1M run. */
const FLAT_RSS_RATIO = 1.25;
const SIZES = ["1m", "4m"] as const;

interface Manifest {
  seedPackets: number;
  copies: number;
  packets: number;
  bytes: number;
  spacingS: number;
  addressesOfLastCopy: string[];
}
interface SeedInfo {
  calls: number;
  ratePerS: number;
  packets: number;
  recordedAt: string;
  sipp: string;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

function sh(cmd: string): string {
  try {
    return execSync(cmd, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
      .trimEnd()
      .replace(/^\n+/, "");
  } catch {
    return "(unavailable)";
  }
}

const f1 = (x: number): string => x.toFixed(1);
const f2 = (x: number): string => x.toFixed(2);

function main(): number {
  const dir = arg("out-dir", "bench/out");
  const resultsPath = arg("results", "bench/RESULTS.md");
  const { runs, bad } = parseRuns(readFileSync(join(dir, "runs.tsv"), "utf8"));
  if (bad.length > 0) console.error(`write-results: ${bad.length} unreadable line(s) in runs.tsv`);
  const seed = JSON.parse(readFileSync(join(dir, "seed.json"), "utf8")) as SeedInfo;
  const manifests = new Map(
    SIZES.map((s) => [s, JSON.parse(readFileSync(join(dir, `${s}.json`), "utf8")) as Manifest] as const),
  );
  const checks = new Map<string, Check[]>();
  for (const s of SIZES) {
    const report = JSON.parse(readFileSync(join(dir, `${s}.analysis.json`), "utf8")) as AnalysisLike;
    const tsharkRows = countTsharkStreams(readFileSync(join(dir, `${s}.tshark.txt`), "utf8"));
    checks.set(
      s,
      sanityChecks(report, tsharkRows, { seedCalls: seed.calls, copies: manifests.get(s)!.copies }),
    );
  }
  const sanityOk = [...checks.values()].every((cs) => cs.every((c) => c.ok));

  const rows = SIZES.map((s) => {
    const m = summarize(runs, s, "mvsct");
    const t = summarize(runs, s, "tshark");
    const man = manifests.get(s)!;
    return { s, m, t, man, ratio: t.wallS / m.wallS };
  });
  const speedOk = rows.every((r) => r.ratio >= SPEED_GOAL);
  const rss1 = rows[0]!.m.peakRssMiB;
  const rss4 = rows[1]!.m.peakRssMiB;
  const rssRatio = rss4 / rss1;
  const memOk = rssRatio <= FLAT_RSS_RATIO;

  const table = [
    "| capture | packets | MB | mvsct median s (min-max, n) | tshark median s (min-max, n) | tshark / mvsct | mvsct Mpkt/s | CPU s mvsct / tshark (ratio) | mvsct peak RSS MiB | tshark peak RSS MiB |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...rows.map(
      ({ s, m, t, man, ratio }) =>
        `| ${s} | ${man.packets.toLocaleString("en-US")} | ${f1(man.bytes / 1e6)} | ${f2(m.wallS)} (${f2(m.minS)}-${f2(m.maxS)}, ${m.n}) | ${f2(t.wallS)} (${f2(t.minS)}-${f2(t.maxS)}, ${t.n}) | **${f2(ratio)}x** | ${f2(man.packets / m.wallS / 1e6)} | ${f2(m.cpuS)} / ${f2(t.cpuS)} (${f2(t.cpuS / m.cpuS)}x) | ${f1(m.peakRssMiB)} | ${f1(t.peakRssMiB)} |`,
    ),
  ].join("\n");

  const verdict = [
    `- **Speed** (goal: the full analysis at least ${SPEED_GOAL}x faster than \`tshark -q -z rtp,streams\`): ${speedOk ? "MET" : "NOT MET"}: ${rows.map((r) => `${r.s} ${f2(r.ratio)}x`).join(", ")}.`,
    `- **Memory** (goal: mvsct's peak RSS flat from 1M to 4M packets, here <= ${FLAT_RSS_RATIO}x): ${memOk ? "MET" : "NOT MET"}: ${f1(rss1)} MiB -> ${f1(rss4)} MiB (${f2(rssRatio)}x for ${f2(rows[1]!.man.packets / rows[0]!.man.packets)}x the packets; tshark ${f2(rows[1]!.t.peakRssMiB / rows[0]!.t.peakRssMiB)}x).`,
    `- **Sanity** (the analysis finds what the seed's calls imply; table below): ${sanityOk ? "all checks pass" : "FAILED"}.`,
  ].join("\n");

  const sanityMd = SIZES.map((s) =>
    [
      `**${s}** (${manifests.get(s)!.copies} copies of ${seed.calls} calls)`,
      "",
      "| check | expected | found | |",
      "|---|---|---|---|",
      ...checks.get(s)!.map((c) => `| ${c.name} | ${c.expected} | ${c.got} | ${c.ok ? "ok" : "**FAIL**"} |`),
    ].join("\n"),
  ).join("\n\n");

  const runsMd = [
    "| capture | tool | run | wall s | user s | sys s | peak RSS MiB | exit | load1 before | load1 after |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...runs.map(
      (r: Run) =>
        `| ${r.size} | ${r.tool} | ${r.run} | ${f2(r.wallS)} | ${f2(r.userS)} | ${f2(r.sysS)} | ${f1(r.peakRssKiB / 1024)} | ${r.exitCode} | ${r.load1Before} | ${r.load1After} |`,
    ),
  ].join("\n");

  const machine = [
    `- recorded ${new Date().toISOString().replace(/\.\d+Z$/, "Z")}; \`nproc\` = ${sh("nproc")}; CPU: ${sh("lscpu | sed -n 's/^Model name: *//p'")}; kernel ${sh("uname -r")}`,
    `- node ${process.version}; ${sh("tshark --version | head -1").replace(/\.$/, "")}; ${seed.sipp.replace(/\.$/, "")}`,
    `- uptime before the timed runs: \`${process.env.UPTIME_BEFORE?.trim() ?? "?"}\``,
    `- uptime after the timed runs: \`${process.env.UPTIME_AFTER?.trim() ?? "?"}\``,
    "- other agents share the 2 cores: compare the load columns of each run; the medians are what this box gives, not best cases",
    "",
    "```",
    sh("free -h"),
    "```",
  ].join("\n");

  const captures = [
    `- seed: ${seed.calls} real SIPp calls at ${seed.ratePerS} cps recorded ${seed.recordedAt}, ${seed.packets.toLocaleString("en-US")} packets (bench/make-seed.sh)`,
    ...rows.map(
      ({ s, man }) =>
        `- ${s}: ${man.copies} copies x ${man.seedPackets.toLocaleString("en-US")} = ${man.packets.toLocaleString("en-US")} packets, ${f1(man.bytes / 1e6)} MB, copies ${man.spacingS} s apart; last copy on ${man.addressesOfLastCopy.join(", ")} (bench/multiply.ts)`,
    ),
  ].join("\n");

  const md = `# Analyzer benchmark: \`mvsct analyze\` vs \`tshark -q -z rtp,streams\`

Written by \`npm run bench\` (bench/analyze-vs-tshark.sh); what is measured and how: bench/README.md; where the
time and memory go, with measured fixes: bench/PROFILE.md.

## Verdict

${verdict}

${table}

Medians of alternating runs, page cache warm. \`mvsct\` = \`node bin/mvsct.mjs analyze FILE --json > /dev/null\`
(every rule on; exit 1 = findings, a normal outcome); \`tshark\` = \`tshark -q -z rtp,streams -r FILE > /dev/null\`.
Wall time and peak RSS from \`/usr/bin/time -f '%e %U %S %M'\`; "CPU s" = median user + sys seconds: it moves
much less than wall time with the other jobs' load (Node's GC and tsx loader threads can make it exceed mvsct's
wall time on a quiet box). The goal is judged on the wall-time medians.

## Machine and load

${machine}

## Captures

${captures}

## Sanity: what the untimed analysis of each capture found

${sanityMd}

## Every run

${runsMd}

## Reproduce

\`\`\`sh
npm run bench                      # records the seed if missing, builds 1m/4m if missing, runs, writes this file
BENCH_REGEN=1 RUNS_1M=5 RUNS_4M=3 npm run bench   # rebuild the big captures first
\`\`\`
`;
  writeFileSync(resultsPath, md);
  console.log(`${verdict}\n\n${table}\n\nwritten: ${resultsPath}`);
  if (!sanityOk) {
    for (const [s, cs] of checks)
      for (const c of cs)
        if (!c.ok) console.error(`sanity ${s}: ${c.name}: expected ${c.expected}, found ${c.got}`);
    return 1;
  }
  return 0;
}

process.exitCode = main();
