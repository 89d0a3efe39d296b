import type { MemoryResult } from "./report-types.ts";
import type { Goal } from "./render-rtp.ts";

/** Markdown for memory.ts: heap and RSS after 1k, 10k and 100k calls, GC forced. */

/** "No growth": heapUsed after the last point within 5 % or 1 MiB of the first, whichever is larger. */
export function heapFlat(first: number, last: number): boolean {
  return last - first <= Math.max(1024, first * 0.05);
}

export function renderMemory(ms: readonly MemoryResult[]): { md: string; goals: Goal[] } {
  const parts = ms.filter((m) => m.points.length > 0).map(renderOne);
  if (parts.length === 0) {
    return {
      md: "## 3. Memory\n\nNot run yet (`node --expose-gc --import tsx bench/b2bua/memory.ts`, `... memory-b2bua.ts`).\n",
      goals: [],
    };
  }
  return {
    md: [
      "## 3. Memory after many calls (`memory-b2bua.ts`, `memory.ts`)",
      "",
      ...parts.map((p) => p.md),
    ].join("\n"),
    goals: parts.flatMap((p) => p.goals),
  };
}

function renderOne(m: MemoryResult): { md: string; goals: Goal[] } {
  const first = m.points[0]!;
  const last = m.points[m.points.length - 1]!;
  const w0 = first.workersHeapUsedKiB;
  const w1 = last.workersHeapUsedKiB;
  const workers = w0 !== undefined && w1 !== undefined;
  // judged on the heap without JIT code when recorded (code grows with warm-up, not with calls)
  const o0 = first.heapObjectsKiB;
  const o1 = last.heapObjectsKiB;
  const objects = o0 !== undefined && o1 !== undefined;
  const flat =
    (objects ? heapFlat(o0, o1) : heapFlat(first.heapUsedKiB, last.heapUsedKiB)) &&
    (!workers || heapFlat(w0, w1));
  const leftovers = last.portsInUse === 0 && last.activeHandles <= first.activeHandles;
  const goals: Goal[] = [
    {
      goal: `Memory after ${last.calls.toLocaleString("en-US")} calls = after ${first.calls.toLocaleString("en-US")} (no growth)`,
      measured: `${objects ? `heap without JIT code ${o0} → ${o1} KiB (${o1 - o0 >= 0 ? "+" : ""}${o1 - o0}), ` : ""}heapUsed ${first.heapUsedKiB} → ${last.heapUsedKiB} KiB (${last.heapUsedKiB - first.heapUsedKiB >= 0 ? "+" : ""}${last.heapUsedKiB - first.heapUsedKiB})${workers ? `, media workers' heapUsed ${w0} → ${w1} KiB (${w1 - w0 >= 0 ? "+" : ""}${w1 - w0})` : ""}, RSS ${first.rssKiB} → ${last.rssKiB} KiB; ports in use ${last.portsInUse}, handles ${first.activeHandles} → ${last.activeHandles}; ${m.failedCalls} failed calls; subject: ${m.subject}`,
      met: flat && leftovers && m.failedCalls === 0,
    },
  ];
  const md = [
    `Subject: **${m.subject}**. ${m.date}, Node ${m.node}, load: ${m.load}. ${m.packetsPerCall > 0 ? `${m.concurrency} calls at a time; each call: ${m.packetsPerCall} RTP packets over real UDP and ${m.digitsPerCall} digits.` : ""} After each checkpoint: every call finished (for the B2BUA: every dialog and transaction expired too), then \`global.gc()\` ×3 with pauses. Criterion: heapUsed at the last checkpoint within max(1 MiB, 5 %) of the first (the heap without V8's code spaces when recorded: JIT code grows while the process warms up and holds no call's state, and the table shows heapUsed beside it; the media workers' heap too, when measured), no port or handle left, no failed call.`,
    "",
    `| calls | heapUsed KiB |${objects ? " heap without code KiB |" : ""}${workers ? " media workers' heapUsed KiB |" : ""} RSS KiB | external KiB | arrayBuffers KiB | active handles | ports in use | elapsed s |`,
    `|---|---|${objects ? "---|" : ""}${workers ? "---|" : ""}---|---|---|---|---|---|`,
    ...m.points.map(
      (p) =>
        `| ${p.calls.toLocaleString("en-US")} | ${p.heapUsedKiB} |${objects ? ` ${p.heapObjectsKiB ?? "–"} |` : ""}${workers ? ` ${p.workersHeapUsedKiB ?? "–"} |` : ""} ${p.rssKiB} | ${p.externalKiB} | ${p.arrayBuffersKiB} | ${p.activeHandles} | ${p.portsInUse} | ${p.elapsedS} |`,
    ),
    "",
    `Command: \`${m.command}\``,
    "",
  ].join("\n");
  return { md, goals };
}
