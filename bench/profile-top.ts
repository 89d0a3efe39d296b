/**
 * bench/profile-top.ts: the top functions by self time (and by inclusive time) of a V8 .cpuprofile.
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof bin/mvsct.mjs analyze bench/out/1m.pcap --json > /dev/null
 *   npx tsx bench/profile-top.ts /tmp/prof/CPU.*.cpuprofile [--top 30]
 * Not a test: prints a table.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function where(n: ProfileNode): string {
  const url = n.callFrame.url
    .replace(/^file:\/\//, "")
    .replace(/^.*?\/(captures|protocol|harness|node_modules)\//, "$1/");
  const name = n.callFrame.functionName || "(anonymous)";
  return url ? `${name} ${url}:${n.callFrame.lineNumber + 1}` : name;
}

function main(): number {
  const file = process.argv[2];
  if (file === undefined) {
    console.error("usage: profile-top.ts FILE.cpuprofile [--top N]");
    return 2;
  }
  const ti = process.argv.indexOf("--top");
  const top = ti > 0 ? Number(process.argv[ti + 1]) : 30;
  const p = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n] as const));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<string, number>();
  const inclUs = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    total += dt;
    const n = byId.get(p.samples[i]!);
    if (n === undefined) continue;
    const k = where(n);
    selfUs.set(k, (selfUs.get(k) ?? 0) + dt);
    // inclusive: every distinct frame on the stack once
    const seen = new Set<string>();
    for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
      const w = where(byId.get(id)!);
      if (seen.has(w)) continue;
      seen.add(w);
      inclUs.set(w, (inclUs.get(w) ?? 0) + dt);
    }
  }
  const print = (title: string, m: Map<string, number>): void => {
    console.log(`\n${title} (total ${(total / 1e3).toFixed(0)} ms sampled)`);
    for (const [k, us] of [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(
        `${(us / 1e3).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %  ${k}`,
      );
    }
  };
  print("self time", selfUs);
  print("inclusive time", inclUs);
  return 0;
}

process.exitCode = main();
