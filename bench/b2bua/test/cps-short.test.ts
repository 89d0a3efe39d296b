import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type CpsRunAny,
  cpsShortClean,
  cpsStepClean,
  highestCleanRate,
  shortRtpLoss,
} from "../lib/render-cps-kinds.ts";
import { shortGoal, shortTable } from "../lib/render-cps-short.ts";
import { renderCps } from "../lib/render-cps.ts";

/** A clean rtp-short step at `rate` (5 s of arrivals, 30 PCMA per call, every packet through), then `over`. */
function short(target: string, rate: number, over: Partial<CpsRunAny> = {}): CpsRunAny {
  const calls = rate * 5;
  const pkts = calls * 30;
  return {
    target,
    kind: "rtp-short",
    rate,
    rep: 1,
    target_calls: calls,
    succ: calls,
    fail: 0,
    incomplete: 0,
    fail_pct: 0,
    cum_cps: calls / 6,
    achieved_cps: rate,
    sut_cpu_pct: 50,
    load1: 1,
    hold_ms: 1021,
    rtp_per_call: 30,
    rtp_expected_each: pkts,
    rtp_from_uac: pkts,
    rtp_to_uas: pkts,
    rtp_from_uas: pkts,
    rtp_to_uac: pkts,
    ...over,
  };
}

test("rtp-short: the relay may lose under 0.1 % each way; the callee SIPp's echo shortfall is not the relay's", () => {
  assert.equal(cpsShortClean(short("ours", 100)), true);
  // 15,000 packets: 14 lost = 0.093 %, 15 lost = 0.1 %
  assert.equal(cpsShortClean(short("ours", 100, { rtp_to_uas: 14986 })), true);
  assert.equal(cpsShortClean(short("ours", 100, { rtp_to_uas: 14985 })), false);
  assert.equal(cpsShortClean(short("ours", 100, { rtp_to_uac: 14985 })), false, "relay lost on the way back");
  // the echo sent back 58 fewer than it got, and the relay passed on all it sent: clean
  const echo = short("kamailio", 100, { rtp_from_uas: 14942, rtp_to_uac: 14942 });
  assert.equal(cpsShortClean(echo), true);
  const l = shortRtpLoss(echo);
  assert.ok(l.echoShort !== null && Math.abs(l.echoShort - (100 * 58) / 15000) < 1e-9);
  assert.equal(l.relayBack, 0);
  assert.ok(l.endToEnd !== null && l.endToEnd > 0.1, "end to end it is a loss, and shown as one");
  // with no relay (target direct) the echo's shortfall is what is measured: it counts
  assert.equal(cpsShortClean({ ...echo, target: "direct" }), false);
  assert.equal(cpsShortClean(short("direct", 100)), true);
  // the caller did not send its pcaps: the step did not offer its load
  assert.equal(cpsShortClean(short("ours", 100, { rtp_from_uac: 14900, rtp_to_uas: 14900 })), false);
  // nothing entered the relay at all: not clean
  assert.equal(cpsShortClean(short("ours", 100, { rtp_from_uac: 0, rtp_to_uas: 0 })), false);
});

test("rtp-short: failed calls and a rate SIPp did not keep up fail the step", () => {
  assert.equal(cpsShortClean(short("ours", 500, { fail_pct: 0.1 })), false);
  assert.equal(cpsShortClean(short("ours", 500, { achieved_cps: 451 })), true);
  assert.equal(cpsShortClean(short("ours", 500, { achieved_cps: 449 })), false);
  assert.equal(
    cpsShortClean(short("ours", 500, { achieved_cps: undefined })),
    false,
    "older line without it",
  );
  // the same numbers under the sig kind follow the sig rule (achieved = SIPp's cumulative rate)
  assert.equal(cpsStepClean({ ...short("ours", 500), kind: "sig", cum_cps: 500 }), true);
  assert.equal(cpsStepClean({ ...short("ours", 500), kind: "sig", cum_cps: 400 }), false);
});

test("highestCleanRate: per kind, rtp-short by its own rule, stops at the first mostly-failed rate", () => {
  const bad = { rtp_to_uas: 0 };
  const runs = [
    short("ours", 100),
    short("ours", 200),
    short("ours", 200, bad),
    short("ours", 200),
    short("ours", 300, bad),
    short("ours", 300, bad),
    short("ours", 300),
    short("ours", 500), // after a failed rate: not counted
    short("kamailio", 100),
    { ...short("ours", 1000), kind: "sig" as const, cum_cps: 1000 },
  ];
  assert.equal(highestCleanRate(runs, "ours", "rtp-short"), 200);
  assert.equal(highestCleanRate(runs, "kamailio", "rtp-short"), 100);
  assert.equal(highestCleanRate(runs, "ours", "sig"), 1000);
  assert.equal(highestCleanRate(runs, "ours", "rtp"), 0);
});

test("shortGoal: met at 500 for ours, not at 300, n/a when ours never ran", () => {
  const series = (top: number): CpsRunAny[] =>
    [100, 200, 300, 500, 700].map((r) => short("ours", r, r > top ? { fail_pct: 5 } : {}));
  assert.equal(shortGoal([...series(500), short("kamailio", 100)]).met, true);
  const g = shortGoal([...series(300), short("kamailio", 100), short("kamailio", 200)]);
  assert.equal(g.met, false);
  assert.match(g.measured, /highest clean rate 300 cps \(tried up to 700\)/);
  assert.match(g.measured, /Kamailio \+ rtpengine 200 cps/);
  assert.match(g.goal, /≈ 1\.0 s: 30 PCMA packets/);
  assert.equal(shortGoal([short("kamailio", 100)]).met, null);
});

test("shortGoal: with a -stream series (caller on rtp_stream) that one is judged; the pcap series is still reported", () => {
  const series = (t: string, top: number): CpsRunAny[] =>
    [300, 500, 700].map((r) => short(t, r, r > top ? { fail_pct: 5 } : {}));
  const g = shortGoal([
    ...series("ours", 300),
    ...series("ours-stream", 500),
    ...series("kamailio-stream", 300),
  ]);
  assert.equal(g.met, true);
  assert.match(g.measured, /rtp_stream .*highest clean rate 500 cps .*Kamailio \+ rtpengine 300 cps/);
  assert.match(g.measured, /play_pcap_audio .*highest clean rate 300 cps/);
  assert.equal(shortGoal([...series("ours", 500), ...series("ours-stream", 300)]).met, false);
});

test("shortTable: one row per target and rate with relay loss and generator shortfall per run", () => {
  const rows = shortTable([
    short("ours", 200, { rtp_to_uas: 29970 - 30 }),
    short("ours", 100),
    short("kamailio", 100, { rtp_from_uas: 14850, rtp_to_uac: 14850 }),
  ]);
  assert.equal(rows.length, 2 + 3);
  assert.match(rows[2]!, /^\| kamailio \| 100 \| 1 \| 1\/1 \|/);
  assert.match(rows[2]!, /\| 0\.00 \/ 0\.00 \| 0\.00 \/ 1\.00 \|/, "echo shortfall 1 %, relay clean");
  assert.match(rows[3]!, /^\| ours \| 100 \|/);
  assert.match(rows[4]!, /^\| ours \| 200 \| 1 \| 0\/1 \|/);
  assert.match(rows[4]!, /\| 0\.20 \/ 0\.00 \|/);
  const cols = (s: string): number => s.split("|").length;
  assert.ok(
    rows.every((r) => cols(r) === cols(rows[0]!)),
    "every row has the header's columns",
  );
});

test("renderCps: the short series is the with-RTP goal; the 9 s series is reported without a verdict", () => {
  const { md, goals } = renderCps(
    [short("ours", 500), short("kamailio", 500), { ...short("ours", 100), kind: "rtp" }],
    "",
  );
  assert.match(md, /### With RTP, short calls/);
  assert.match(
    md,
    /Highest clean rate with RTP, short calls: \*\*Kamailio \+ rtpengine 500 cps\*\*, \*\*mvsct b2bua 500 cps\*\* \(ratio 1\.00\)/,
  );
  const shortRow = goals.find((g) => g.goal.startsWith("CPS with RTP, short calls"));
  const longRow = goals.find((g) => g.goal.startsWith("CPS with RTP, long calls"));
  assert.equal(shortRow?.met, true);
  assert.equal(longRow?.met, null);
  assert.match(
    goals.find((g) => g.goal.startsWith("CPS ratio"))!.measured,
    /short calls, caller on play_pcap_audio 500 \/ 500 = 1\.00/,
  );
});
