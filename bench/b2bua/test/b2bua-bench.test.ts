import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { type BValue, bdecode, bencode, ngMessage, parseNgMessage } from "../lib/bencode.ts";
import { endpointSdp, readSdp, rewriteSdp } from "../lib/sdp-lite.ts";
import { median, percentileSorted } from "../lib/stats.ts";
import {
  type CpsRun,
  type RtpRun,
  cpsClean,
  cpsRtpLossPct,
  parseJsonLines,
  rtpClean,
} from "../lib/report-types.ts";
import { compactEnv, highestCleanRate } from "../lib/render-cps.ts";
import { heapFlat, renderMemory } from "../lib/render-memory.ts";
import type { MemoryPoint, MemoryResult } from "../lib/report-types.ts";
import { renderRtp } from "../lib/render-rtp.ts";

test("bencode: the ng examples of the rtpengine README encode byte for byte", () => {
  assert.equal(bencode({ command: "ping" }).toString("latin1"), "d7:command4:pinge");
  assert.equal(
    bencode({ command: "offer", replace: ["origin", "session-connection"], n: 42 }).toString("latin1"),
    "d7:command5:offer1:ni42e7:replacel6:origin18:session-connectionee",
  );
  assert.deepEqual(parseNgMessage(Buffer.from("5323_1 d6:result4:ponge")), {
    cookie: "5323_1",
    dict: { result: "pong" },
  });
});

test("bencode: decode(encode(v)) = v for random values", () => {
  const value: fc.Arbitrary<BValue> = fc.letrec<{ v: BValue }>((tie) => ({
    v: fc.oneof(
      { depthSize: "small" },
      fc.integer({ min: -1e9, max: 1e9 }),
      fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)) }),
      fc.array(tie("v"), { maxLength: 4 }),
      fc.dictionary(fc.string({ maxLength: 6 }), tie("v"), { maxKeys: 4, noNullPrototype: true }),
    ),
  })).v;
  fc.assert(
    fc.property(value, (v) => {
      const d = bdecode(bencode(v));
      assert.ok(d !== null);
      assert.deepEqual(d.value, v);
    }),
    { numRuns: 300 },
  );
});

test("bencode: truncated or garbage input gives null, never a throw", () => {
  for (const s of ["", "d", "i12", "5:abc", "l4:spam", "d3:keyi1e", "x", "-1:a"]) {
    assert.equal(bdecode(Buffer.from(s, "latin1")), null, JSON.stringify(s));
  }
  assert.equal(parseNgMessage(Buffer.from("nocookie")), null);
  assert.equal(parseNgMessage(ngMessage("c", { a: 1 }).subarray(0, 6)), null);
});

test("sdp-lite: reads c=, m= port and the telephone-event PT, and rewrites address and port", () => {
  const sdp = endpointSdp("127.0.0.1", 22910, 96);
  assert.deepEqual(readSdp(sdp), { address: "127.0.0.1", port: 22910, telephoneEventPt: 96 });
  const r = readSdp(rewriteSdp(sdp, "10.0.0.9", 23004));
  assert.deepEqual(r, { address: "10.0.0.9", port: 23004, telephoneEventPt: 96 });
  assert.equal(readSdp("v=0\r\ns=-\r\n"), null);
  assert.equal(readSdp("v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 9 RTP/AVP 0\r\n")?.telephoneEventPt, null);
});

test("stats: median and nearest-rank percentiles", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
  const xs = Float64Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentileSorted(xs, 0.5), 50);
  assert.equal(percentileSorted(xs, 0.99), 99);
  assert.equal(percentileSorted(xs, 1), 100);
});

const rtp = (o: Partial<RtpRun>): RtpRun =>
  ({
    audio_sent: 1000,
    audio_recv: 1000,
    loss_pct: 0,
    digits_sent: 10,
    digits_recv: 10,
    late_over_100ms: 0,
    ...o,
  }) as RtpRun;

test("rtpClean: a lost packet, a lost digit or a packet 100 ms late fails the run", () => {
  assert.equal(rtpClean(rtp({})), true);
  assert.equal(rtpClean(rtp({ loss_pct: 0.001 })), false);
  assert.equal(rtpClean(rtp({ digits_recv: 9 })), false);
  assert.equal(rtpClean(rtp({ late_over_100ms: 1 })), false);
  assert.equal(rtpClean(rtp({ audio_sent: 0 })), false);
});

const cps = (rate: number, failPct: number, o: Partial<CpsRun> = {}): CpsRun =>
  ({
    target: "ours",
    kind: "sig",
    rate,
    rep: 1,
    target_calls: rate * 5,
    fail_pct: failPct,
    cum_cps: rate,
    ...o,
  }) as CpsRun;

test("cps: clean under 0.1 % failed; with RTP also under 0.1 % RTP lost", () => {
  assert.equal(cpsClean(cps(100, 0.099)), true);
  assert.equal(cpsClean(cps(100, 0.1)), false);
  assert.equal(cpsClean(cps(500, 0, { cum_cps: 451 })), true);
  assert.equal(cpsClean(cps(500, 0, { cum_cps: 311 })), false, "all calls done, but late: not 500 cps");
  const r = cps(10, 0, { kind: "rtp", rtp_expected_each: 10000, rtp_to_uas: 10000, rtp_to_uac: 9980 });
  assert.ok(Math.abs(cpsRtpLossPct(r)! - 0.2) < 1e-9);
  assert.equal(cpsClean(r), false);
  assert.equal(cpsClean({ ...r, rtp_to_uac: 9995 }), true);
  assert.equal(cpsRtpLossPct(cps(10, 0)), null);
});

test("highestCleanRate: the last rate before the first mostly-failed one", () => {
  const runs = [
    ...[0, 0, 0].map((f) => cps(100, f)),
    ...[0, 0.5, 0].map((f) => cps(300, f)), // 2 of 3 clean: counts
    ...[0.5, 0.5, 0].map((f) => cps(500, f)), // 1 of 3: stops here
    ...[0, 0, 0].map((f) => cps(700, f)), // not reached: a clean rate after a failed one is noise
    cps(100, 5, { target: "kamailio" }),
  ];
  assert.equal(highestCleanRate(runs, "ours", "sig"), 300);
  assert.equal(highestCleanRate(runs, "kamailio", "sig"), 0);
  assert.equal(highestCleanRate(runs, "ours", "rtp"), 0);
});

test("heapFlat: within max(1 MiB, 5 %) of the first checkpoint", () => {
  assert.equal(heapFlat(10_000, 10_900), true);
  assert.equal(heapFlat(10_000, 11_100), false);
  assert.equal(heapFlat(40_000, 41_900), true);
  assert.equal(heapFlat(40_000, 42_100), false);
  assert.equal(heapFlat(40_000, 30_000), true);
});

test("parseJsonLines skips truncated lines", () => {
  assert.deepEqual(parseJsonLines<{ a: number }>('{"a":1}\n{"a":\n\n{"a":2}\n'), [{ a: 1 }, { a: 2 }]);
});

test("compactEnv: the machine once, one line per invocation with its load", () => {
  const block = (d: string, a: string, b: string): string =>
    `date=${d} targets=x\nuptime_before= 02:00 up, load average: ${a}, 1, 1\ncpu=EPYC x 2\nkernel=6\nuptime_after= 02:01 up, load average: ${b}, 1, 1\n`;
  assert.equal(
    compactEnv(block("D1", "0.5", "0.7") + block("D2", "1.5", "1.7")),
    "cpu=EPYC x 2\nkernel=6\nD1 targets=x; load before: 0.5, 1, 1; load after: 0.7, 1, 1\nD2 targets=x; load before: 1.5, 1, 1; load after: 1.7, 1, 1",
  );
});

test("renderRtp: the profile run at 490 calls @ 20 ms does not join the ceiling point of the same load", () => {
  const at = (
    target: string,
    phase: string,
    calls: number,
    ptime: number,
    pps: number,
    o: Partial<RtpRun> = {},
  ): RtpRun =>
    rtp({
      target,
      phase,
      calls,
      ptime,
      rep: 1,
      relayed_pps: pps,
      lat_us: { p50: 1, p90: 1, p99: 1, p999: 1, max: 1 },
      relay_cpu_pct: 1,
      ...o,
    });
  const runs = [
    at("ours", "profile", 490, 20, 48_000, { late_over_100ms: 5 }), // first: it used to hide the point
    at("ours", "ceiling", 400, 20, 40_000),
    at("ours", "ceiling", 490, 20, 49_000),
    at("ours", "ceiling", 490, 20, 49_000, { rep: 2 }),
    at("rtpengine", "ceiling", 490, 20, 49_000),
  ];
  const goal = renderRtp(runs, "").goals.find((g) => g.goal.startsWith("RTP: highest loss-free rate"));
  assert.ok(goal !== undefined);
  assert.match(goal.measured, /ours 49,000 pps \(490 calls @ 20 ms\)/);
});

test("renderRtp: two relays clean at the same load point meet the ceiling goal whatever half a packet of measured pps says", () => {
  const at = (target: string, calls: number, pps: number, clean = true): RtpRun =>
    rtp({
      target,
      phase: "ceiling",
      calls,
      ptime: 20,
      rep: 1,
      relayed_pps: pps,
      late_over_100ms: clean ? 0 : 7,
      lat_us: { p50: 1, p90: 1, p99: 1, p999: 1, max: 1 },
      relay_cpu_pct: 1,
    });
  const ceilingGoal = (runs: RtpRun[]): boolean | null | undefined =>
    renderRtp(runs, "").goals.find((g) => g.goal.startsWith("RTP: highest loss-free rate"))?.met;
  assert.equal(ceilingGoal([at("ours", 490, 48_995.5), at("rtpengine", 490, 48_996)]), true);
  assert.equal(
    ceilingGoal([at("ours", 400, 40_000), at("ours", 490, 48_995, false), at("rtpengine", 490, 48_996)]),
    false,
  );
});

/** A two-checkpoint memory result (1,000 → 100,000 calls) with the given per-point extras. */
function memoryResult(
  heapLast: number,
  first: Partial<MemoryPoint>,
  last: Partial<MemoryPoint>,
): MemoryResult {
  const point = (calls: number, heap: number, extra: Partial<MemoryPoint>): MemoryPoint => ({
    calls,
    heapUsedKiB: heap,
    rssKiB: 100_000,
    externalKiB: 2000,
    arrayBuffersKiB: 40,
    activeHandles: 4,
    portsInUse: 0,
    elapsedS: 1,
    ...extra,
  });
  return {
    subject: "s",
    date: "d",
    node: "v20",
    load: "l",
    concurrency: 250,
    packetsPerCall: 0,
    digitsPerCall: 0,
    points: [point(1000, 10_000, first), point(100_000, heapLast, last)],
    failedCalls: 0,
    command: "c",
  };
}

test("renderMemory: the media workers' heap is judged too when measured", () => {
  const result = (workersLast: number): MemoryResult =>
    memoryResult(10_200, { workersHeapUsedKiB: 8000 }, { workersHeapUsedKiB: workersLast });
  const flat = renderMemory([result(8100)]);
  assert.equal(flat.goals[0]!.met, true);
  assert.match(flat.goals[0]!.measured, /media workers' heapUsed 8000 → 8100 KiB \(\+100\)/);
  assert.match(flat.md, /\| 100,000 \| 10200 \| 8100 \|/);
  assert.equal(renderMemory([result(12_000)]).goals[0]!.met, false, "a worker heap that grew fails it");
});

test("renderMemory: with the heap without JIT code recorded, that is what is judged, heapUsed shown beside it", () => {
  const result = (objectsLast: number): MemoryResult =>
    memoryResult(11_600, { heapObjectsKiB: 8000 }, { heapObjectsKiB: objectsLast });
  const warm = renderMemory([result(8400)]);
  assert.equal(warm.goals[0]!.met, true, "heapUsed +1,600 KiB of JIT code, objects +400: no growth");
  assert.match(
    warm.goals[0]!.measured,
    /^heap without JIT code 8000 → 8400 KiB \(\+400\), heapUsed 10000 → 11600/,
  );
  assert.equal(renderMemory([result(9500)]).goals[0]!.met, false, "objects +1,500 KiB: growth");
});
