/** Timed runs as analyze-vs-tshark.sh records them (runs.tsv), and their medians. */

export interface Run {
  size: string;
  tool: "mvsct" | "tshark";
  run: number;
  wallS: number;
  userS: number;
  sysS: number;
  peakRssKiB: number;
  exitCode: number;
  load1Before: number;
  load1After: number;
}

/** Parses runs.tsv (10 tab-separated columns per line); lines that do not parse are returned as errors. */
export function parseRuns(tsv: string): { runs: Run[]; bad: string[] } {
  const runs: Run[] = [];
  const bad: string[] = [];
  for (const line of tsv.split("\n")) {
    if (line.trim() === "") continue;
    const c = line.split("\t");
    const nums = c.slice(2).map(Number);
    const tool = c[1];
    if (c.length !== 10 || (tool !== "mvsct" && tool !== "tshark") || nums.some((x) => !Number.isFinite(x))) {
      bad.push(line);
      continue;
    }
    const [run, wallS, userS, sysS, peakRssKiB, exitCode, load1Before, load1After] = nums as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    runs.push({ size: c[0]!, tool, run, wallS, userS, sysS, peakRssKiB, exitCode, load1Before, load1After });
  }
  return { runs, bad };
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface Summary {
  size: string;
  tool: "mvsct" | "tshark";
  n: number;
  wallS: number;
  minS: number;
  maxS: number;
  cpuS: number;
  peakRssMiB: number;
}

export function summarize(runs: readonly Run[], size: string, tool: "mvsct" | "tshark"): Summary {
  const rs = runs.filter((r) => r.size === size && r.tool === tool);
  const walls = rs.map((r) => r.wallS);
  return {
    size,
    tool,
    n: rs.length,
    wallS: median(walls),
    minS: Math.min(...walls),
    maxS: Math.max(...walls),
    cpuS: median(rs.map((r) => r.userS + r.sysS)),
    peakRssMiB: median(rs.map((r) => r.peakRssKiB)) / 1024,
  };
}
