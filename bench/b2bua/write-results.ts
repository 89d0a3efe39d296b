/**
 * bench/b2bua/write-results.ts: bench/b2bua/RESULTS.md from what the scripts recorded under
 * bench/b2bua/out/ (cps/runs.jsonl, rtp/runs.jsonl, memory/result.json and their env.txt).
 *   npx tsx bench/b2bua/write-results.ts
 * Every script calls it at its end; a section whose data is missing says how to produce it.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type MemoryResult, type RtpRun, parseJsonLines } from "./lib/report-types.ts";
import type { CpsRunAny } from "./lib/render-cps-kinds.ts";
import { renderCps } from "./lib/render-cps.ts";
import { renderMemory } from "./lib/render-memory.ts";
import { type Goal, renderRtp } from "./lib/render-rtp.ts";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "out");
const read = (p: string): string => (existsSync(join(out, p)) ? readFileSync(join(out, p), "utf8") : "");

const cps = renderCps(parseJsonLines<CpsRunAny>(read("cps/runs.jsonl")), read("cps/env.txt"));
const rtp = renderRtp(parseJsonLines<RtpRun>(read("rtp/runs.jsonl")), read("rtp/env.txt"));
const mems = ["memory/b2bua.json", "memory/media.json"]
  .map(read)
  .filter((t) => t !== "")
  .map((t) => JSON.parse(t) as MemoryResult);
const mem = renderMemory(mems);
const profile = read("rtp/profile.txt");
const profileB2bua = read("cps/profile-b2bua.txt");
const profileB2buaFiles = read("cps/profile-b2bua-files.txt");
const profileBlock = (title: string, text: string): string =>
  text === ""
    ? ""
    : [`### ${title}`, "", "```", text.trim().split("\n").slice(0, 45).join("\n"), "```", ""].join("\n");
const notes = existsSync(join(here, "NOTES.md")) ? readFileSync(join(here, "NOTES.md"), "utf8") : "";

const verdict = (g: Goal): string => (g.met === null ? "n/a" : g.met ? "**met**" : "**NOT met**");
const goals = [...cps.goals, ...rtp.goals, ...mem.goals];
const md = [
  "# B2BUA benchmarks (issue 3): results",
  "",
  "Written by `bench/b2bua/write-results.ts` from the raw runs in `bench/b2bua/out/` (not committed). Benchmarks, not tests: the machine has 2 vCPUs shared with other jobs, so read every median next to its load average (PERF-ANCHORS.md: a noisy moment can cost 30–50 %).",
  "",
  "## Goals",
  "",
  "| goal | measured | verdict |",
  "|---|---|---|",
  ...goals.map((g) => `| ${g.goal} | ${g.measured} | ${verdict(g)} |`),
  "",
  cps.md,
  profileBlock(
    "Where mvsct b2bua spends its time, per source file (V8 CPU profile mapped through the bundle's source map, fresh process, 2,500 calls at 500 cps; `PROFILE=1 cps.sh`)",
    profileB2buaFiles,
  ),
  profileBlock("The same profile per function (bundle lines)", profileB2bua),
  rtp.md,
  profileBlock(
    "Where our relay spends its time (V8 CPU profile of relay-host.ts, 490 calls at 20 ms; `PROFILE=1 rtp-relay.sh`)",
    profile,
  ),
  mem.md,
  notes,
  "## Reproduce",
  "",
  "```sh",
  "bash bench/b2bua/cps.sh            # SIPp through Kamailio and mvsct b2bua; ports 22000-22999 (+ RTP 23000-24999, rtp-short 26000-31999); one target and kind per call keeps a run short: cps.sh ours rtp-short",
  "bash bench/b2bua/rtp-relay.sh      # our MediaRelay vs rtpengine; PHASES=goal250 / floor250 / ceiling splits it, PHASES=pin250 adds the pinned check, PROFILE=1 a CPU profile of ours",
  "node --expose-gc --import tsx bench/b2bua/memory.ts",
  "npx tsx bench/b2bua/write-results.ts   # re-render this file from bench/b2bua/out/",
  "```",
  "",
  "Needs Debian `sip-tester`, `kamailio`, `rtpengine-daemon`, `tcpdump` (the scripts install the missing ones with apt-get), and `gcc` for the native UDP path of `ours` (`bash scripts/build-native.sh`, which rtp-relay.sh runs first; without it `ours` runs on node:dgram and its rows say so in the I/O path column).",
  "",
].join("\n");
writeFileSync(join(here, "RESULTS.md"), md);
for (const g of goals) console.log(`${verdict(g).replace(/\*/g, "")}\t${g.goal}: ${g.measured}`);
