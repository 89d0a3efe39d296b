import assert from "node:assert/strict";
import { test } from "node:test";
import { median, parseRuns, summarize } from "../lib/runs.ts";
import { type AnalysisLike, countTsharkStreams, sanityChecks } from "../lib/sanity.ts";

function leg(i: number, digits: [string, string][]): AnalysisLike["legs"][number] {
  return {
    callId: `k0-${i}@127.0.0.1`,
    finalStatus: 200,
    codec: { name: "PCMA" },
    dtmf: digits.map(([digit, direction]) => ({ digit, method: "rfc2833", direction })),
  };
}

const bothWays: [string, string][] = [
  ["1", "caller->callee"],
  ["1", "callee->caller"],
];

test("sanity: a correct analysis of 2 copies of 3 calls passes every check", () => {
  const report: AnalysisLike = {
    legs: Array.from({ length: 6 }, (_, i) => leg(i, bothWays)),
    streams: new Array(24).fill({}),
  };
  const checks = sanityChecks(report, 24, { seedCalls: 3, copies: 2 });
  assert.deepEqual(
    checks.filter((c) => !c.ok),
    [],
  );
});

test("sanity: the right total of digits on the wrong legs fails the per-leg check", () => {
  const legs = Array.from({ length: 6 }, (_, i) =>
    leg(i, i === 0 ? [] : i === 1 ? [...bothWays, ...bothWays] : bothWays),
  );
  const checks = sanityChecks({ legs, streams: new Array(24).fill({}) }, 24, { seedCalls: 3, copies: 2 });
  const failed = checks.filter((c) => !c.ok).map((c) => c.name);
  assert.deepEqual(failed, ["legs with exactly one '1' each way"]);
  assert.equal(checks.find((c) => c.name.startsWith("RFC 2833"))?.got, 12);
});

test("sanity: missing legs, duplicate Call-IDs and a short tshark table all fail", () => {
  const legs = [leg(0, bothWays), leg(0, bothWays)];
  const failed = sanityChecks({ legs, streams: [] }, 7, { seedCalls: 3, copies: 1 })
    .filter((c) => !c.ok)
    .map((c) => c.name);
  assert.ok(failed.includes("legs (seed calls x copies)"));
  assert.ok(failed.includes("distinct Call-IDs"));
  assert.ok(failed.includes("tshark rtp,streams rows (4 per leg)"));
});

test("tshark rtp,streams rows are counted by their SSRC column", () => {
  const text = [
    "========================= RTP Streams ========================",
    "   Start time      End time     Src IP addr  Port    Dest IP addr  Port       SSRC          Payload  Pkts",
    "    37.959479     38.099526       127.1.0.1 17004       127.1.0.1 17816 0x903241FF  telephone-event    10",
    "    37.959462     38.099411       127.1.0.1 17816       127.1.0.1 17004 0x0E05384E  g711A   236",
    "==============================================================",
  ].join("\n");
  assert.equal(countTsharkStreams(text), 2);
});

test("median of odd and even counts; NaN for none", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

test("runs.tsv: parsed per column, bad lines reported, summaries per size and tool", () => {
  const tsv = [
    "1m\tmvsct\t1\t1.50\t1.2\t0.2\t300000\t1\t2.1\t2.2",
    "1m\tmvsct\t2\t1.70\t1.3\t0.2\t310000\t1\t2.0\t2.0",
    "1m\tmvsct\t3\t1.60\t1.2\t0.3\t305000\t1\t2.0\t2.0",
    "1m\ttshark\t1\t5.0\t4.8\t0.2\t560000\t0\t2.0\t2.0",
    "1m\tcat\t1\t0.1\t0\t0\t1\t0\t0\t0",
    "garbage",
  ].join("\n");
  const { runs, bad } = parseRuns(tsv);
  assert.equal(runs.length, 4);
  assert.equal(bad.length, 2);
  const m = summarize(runs, "1m", "mvsct");
  assert.equal(m.n, 3);
  assert.equal(m.wallS, 1.6);
  assert.equal(m.minS, 1.5);
  assert.equal(m.maxS, 1.7);
  assert.equal(m.peakRssMiB, 305000 / 1024);
  assert.ok(Math.abs(m.cpuS - 1.5) < 1e-9);
});
