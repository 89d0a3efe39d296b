/**
 * bench/b2bua/memory-b2bua.ts: the B2BUA itself (protocol/src/b2bua, in this process, UDP on
 * 127.0.0.1:22070) carries SIPp calls to a SIPp uas in stages of 1,000 / 9,000 / 90,000 calls;
 * after each stage, once every call, dialog and transaction is gone (Timer J/K expire), GC is
 * forced and memory recorded. Memory after 100,000 calls must equal memory after 1,000.
 *   node --expose-gc --import tsx bench/b2bua/memory-b2bua.ts [--rate 250] [--stages 1000,9000,90000] [--out FILE]
 * Writes out/memory/b2bua.json. Ports: SIP 22070 (B2BUA), 22080 (uas), 22081 (uac); media
 * 22010/22100 (SIPp, unused: no RTP); RTP pool 23000-24999.
 */
import { type ChildProcess, execSync, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { getHeapSpaceStatistics, writeHeapSnapshot } from "node:v8";
import { B2bua } from "../../protocol/src/b2bua/index.ts";
import { UdpTransport } from "../../protocol/src/transport/index.ts";
import type { MemoryPoint, MemoryResult } from "./lib/report-types.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const RATE = Number(arg("rate", "250"));
const STAGES = arg("stages", "1000,9000,90000").split(",").map(Number);
/** media worker threads, as `mvsct b2bua --media-workers` (2 by default there and here; 0: the SIP thread) */
const WORKERS = Number(arg("media-workers", "2"));
const here = dirname(fileURLToPath(import.meta.url));
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with node --expose-gc");

const transport = await UdpTransport.open({ host: "127.0.0.1", port: 22070 });
const b2bua = new B2bua({
  transport,
  nextHop: { host: "127.0.0.1", port: 22080, transport: "udp" },
  rtpAddress: "127.0.0.1",
  rtpPorts: { min: 23000, max: 24999 },
  sessionTimer: null,
  mediaWorkers: WORKERS,
});

/** heapUsed without the code spaces (JIT code: warm-up, not call state) */
function heapObjects(): number {
  return getHeapSpaceStatistics()
    .filter((s) => !s.space_name.startsWith("code"))
    .reduce((sum, s) => sum + s.space_used_size, 0);
}

const children: ChildProcess[] = [];
function sipp(args: string[], timeoutS: number): Promise<string> {
  return new Promise((resolve) => {
    const p = spawn("timeout", [String(timeoutS), "sipp", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(p);
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.on("close", () => resolve(out));
  });
}
const counter = (out: string, name: string): number => {
  const lines = out.split("\n").filter((l) => l.includes(name));
  const cells = (lines[lines.length - 1] ?? "").split("|");
  return Number((cells[2] ?? "0").trim()) || 0;
};

const total = STAGES.reduce((a, b) => a + b, 0);
const uas = sipp(
  [
    "-sf",
    join(here, "sipp", "uas_rr.xml"),
    "-i",
    "127.0.0.1",
    "-p",
    "22080",
    "-mi",
    "127.0.0.1",
    "-mp",
    "22010",
    "-nostdin",
    "-timeout",
    `${Math.ceil(total / RATE) + 400}s`,
    "-l",
    "100000",
    "-buff_size",
    "4194304",
  ],
  Math.ceil(total / RATE) + 420,
);
await new Promise((r) => setTimeout(r, 500));

async function quiet(limitMs: number): Promise<number> {
  const end = performance.now() + limitMs;
  const t0 = performance.now();
  while (performance.now() < end) {
    const s = b2bua.stats();
    if (s.calls === 0 && s.transactions === 0 && s.dialogs === 0 && s.sessions === 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return (performance.now() - t0) / 1000;
}

const points: (MemoryPoint & { transactions: number; dialogs: number; waitedS: number })[] = [];
let done = 0;
let failed = 0;
const t0 = performance.now();
for (const n of STAGES) {
  const out = await sipp(
    [
      "-sf",
      join(here, "sipp", "uac_rr.xml"),
      "127.0.0.1:22070",
      "-i",
      "127.0.0.1",
      "-p",
      "22081",
      "-mi",
      "127.0.0.1",
      "-mp",
      "22100",
      "-r",
      String(RATE),
      "-m",
      String(n),
      "-l",
      "100000",
      "-buff_size",
      "4194304",
      "-nostdin",
      "-timeout",
      `${Math.ceil(n / RATE) + 30}s`,
      "-default_behaviors",
      "all,-abortunexp",
    ],
    Math.ceil(n / RATE) + 40,
  );
  const succ = counter(out, "Successful call");
  failed += n - succ;
  done += n;
  const waitedS = await quiet(45_000);
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 100));
    gc();
  }
  const m = process.memoryUsage();
  const s = b2bua.stats();
  // each media worker's isolate, after a full GC there (the worker answers io() with it)
  const reports = (await b2bua.mediaGroup()?.io()) ?? [];
  const workersHeap = reports.reduce((sum, r) => sum + (r?.heapUsedBytes ?? 0), 0);
  const p = {
    calls: done,
    heapUsedKiB: Math.round(m.heapUsed / 1024),
    heapObjectsKiB: Math.round(heapObjects() / 1024),
    ...(WORKERS > 0 ? { workersHeapUsedKiB: Math.round(workersHeap / 1024) } : {}),
    rssKiB: Math.round(m.rss / 1024),
    externalKiB: Math.round(m.external / 1024),
    arrayBuffersKiB: Math.round(m.arrayBuffers / 1024),
    activeHandles: process.getActiveResourcesInfo().length,
    portsInUse: s.rtpPortsInUse,
    elapsedS: +((performance.now() - t0) / 1000).toFixed(1),
    transactions: s.transactions,
    dialogs: s.dialogs,
    waitedS: +waitedS.toFixed(1),
  };
  points.push(p);
  console.log(JSON.stringify({ ...p, succ, stage: n }));
  // --snapshots DIR: a heap snapshot of the SIP thread at each checkpoint (what grew, if anything)
  const snapDir = arg("snapshots", "");
  if (snapDir !== "") writeHeapSnapshot(join(snapDir, `b2bua-${done}.heapsnapshot`));
}

const result: MemoryResult = {
  subject: `mvsct B2BUA in process (B2bua on UdpTransport, ${WORKERS > 0 ? `${WORKERS} media worker threads as the CLI runs it (heapUsed: the SIP thread's; RSS: the process with its workers)` : "its MediaRelays on the SIP thread"}), SIPp uac → B2BUA → SIPp uas at ${RATE} calls/s, signalling only (RTP sockets and fast-path routes opened per call)`,
  date: new Date().toISOString(),
  node: process.version,
  load: execSync("uptime").toString().trim(),
  concurrency: RATE,
  packetsPerCall: 0,
  digitsPerCall: 0,
  points,
  failedCalls: failed,
  command: `node --expose-gc --import tsx bench/b2bua/memory-b2bua.ts --rate ${RATE} --stages ${STAGES.join(",")} --media-workers ${WORKERS}`,
};
mkdirSync(join(here, "out", "memory"), { recursive: true });
writeFileSync(arg("out", join(here, "out", "memory", "b2bua.json")), JSON.stringify(result, null, 2));
await b2bua.shutdown(1000);
await b2bua.close();
await transport.close();
for (const c of children) if (c.exitCode === null) c.kill("SIGTERM"); // timeout passes it on to sipp
await uas;
process.exit(0);
