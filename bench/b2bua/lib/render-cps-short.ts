import { median } from "./stats.ts";
import { type CpsRunAny, cpsShortClean, fmt, highestCleanRate, shortRtpLoss } from "./render-cps-kinds.ts";
import type { Goal } from "./render-rtp.ts";

/**
 * Markdown for cps.sh's `rtp-short` kind: ≈ 1 s calls with media (0.6 s PCMA at 20 ms + one RFC
 * 2833 digit, `make-short-pcap.ts`), the per-call cost of setting up, carrying and tearing down
 * media at high call rates, through mvsct b2bua and through Kamailio + rtpengine.
 */

const KIND = "rtp-short";

/** "a, b, c" of one field per run, "?" where a line lacks it. */
const each = (g: readonly CpsRunAny[], f: (r: CpsRunAny) => number | undefined, d = 0): string =>
  g.map((r) => (f(r) === undefined ? "?" : fmt(f(r)!, d))).join(", ");

/** "**median** (runs)" of a field. */
const medRuns = (g: readonly CpsRunAny[], f: (r: CpsRunAny) => number | undefined, d = 1): string => {
  const xs = g.map(f).filter((x): x is number => x !== undefined);
  return xs.length === 0 ? "?" : `${fmt(median(xs), d)} (${each(g, f, d)})`;
};

const pct = (x: number | null): string => (x === null ? "?" : fmt(x, 2));

function row(target: string, rate: number, g: readonly CpsRunAny[]): string {
  const clean = g.filter(cpsShortClean).length;
  const losses = g.map(shortRtpLoss);
  return [
    "",
    target,
    rate,
    g.length,
    `${clean}/${g.length}`,
    `**${fmt(median(g.map((r) => r.fail_pct)), 3)}** (${each(g, (r) => r.fail_pct, 3)})`,
    g.map((r) => `${r.succ}/${r.fail}/${r.incomplete}`).join(", "),
    g.map((r) => r.n503 ?? "?").join(", "),
    g.map((r) => `${r.retrans_invite ?? "?"}/${r.retrans_bye ?? "?"}`).join(", "),
    each(g, (r) => r.achieved_cps),
    each(g, (r) => r.peak_calls),
    losses.map((l) => `${pct(l.relayToCallee)} / ${pct(l.relayBack)}`).join("; "),
    losses.map((l) => `${pct(l.uacShort)} / ${pct(l.echoShort)}`).join("; "),
    medRuns(g, (r) => r.sut_cpu_pct),
    medRuns(g, (r) => r.uac_cpu_pct),
    medRuns(g, (r) => r.uas_cpu_pct),
    medRuns(g, (r) => r.box_cpu_pct, 0),
    each(g, (r) => r.load1, 2),
    "",
  ]
    .join(" | ")
    .trim();
}

/** The table of every rtp-short step, by target then rate. */
export function shortTable(runs: readonly CpsRunAny[]): string[] {
  const rs = runs.filter((r) => r.kind === KIND);
  const targets = [...new Set(rs.map((r) => r.target))].sort();
  const rows: string[] = [];
  for (const t of targets) {
    const rates = [...new Set(rs.filter((r) => r.target === t).map((r) => r.rate))].sort((a, b) => a - b);
    for (const rate of rates)
      rows.push(
        row(
          t,
          rate,
          rs.filter((r) => r.target === t && r.rate === rate),
        ),
      );
  }
  return [
    "| system under test | rate cps | runs | clean runs | failed+incomplete % median (runs) | succ/fail/incomplete per run | 503s per run | INVITE/BYE retransmissions per run | achieved cps per run | peak concurrent calls per run | relay RTP loss % to callee / back (runs) | generator shortfall %: uac sent / uas echoed (runs) | SUT CPU % of a core (runs) | SIPp uac CPU % | SIPp uas CPU % | box CPU % of 200 | load1 |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows,
  ];
}

/** The call hold of the series in seconds (median of the runs' pause + nothing else), NaN when unknown. */
export function shortHoldS(runs: readonly CpsRunAny[]): number {
  const h = runs.filter((r) => r.kind === KIND && r.hold_ms !== undefined).map((r) => r.hold_ms!);
  return median(h) / 1000;
}

export interface ShortSummary {
  kamailio: number;
  ours: number;
  oursRan: boolean;
  kamRan: boolean;
  /** the highest rate tried by each */
  oursTop: number;
  kamTop: number;
}

/**
 * `suffix` "-stream": the series whose caller sends its audio with SIPp's rtp_stream (cps.sh
 * SHORT_MEDIA=stream) instead of one play_pcap_audio per call.
 */
export function shortSummary(runs: readonly CpsRunAny[], suffix = ""): ShortSummary {
  const top = (t: string): number =>
    Math.max(0, ...runs.filter((r) => r.kind === KIND && r.target === t).map((r) => r.rate));
  const ours = `ours${suffix}`;
  const kam = `kamailio${suffix}`;
  return {
    kamailio: highestCleanRate(runs, kam, KIND),
    ours: highestCleanRate(runs, ours, KIND),
    oursRan: runs.some((r) => r.kind === KIND && r.target === ours),
    kamRan: runs.some((r) => r.kind === KIND && r.target === kam),
    oursTop: top(ours),
    kamTop: top(kam),
  };
}

const summaryText = (s: ShortSummary): string =>
  `highest clean rate ${s.ours} cps (tried up to ${s.oursTop}); Kamailio + rtpengine ${s.kamRan ? `${s.kamailio} cps (tried up to ${s.kamTop})` : "not measured"}`;

/** The goal row: ≥ 500 calls/s with media on short calls, mvsct b2bua. */
export function shortGoal(runs: readonly CpsRunAny[]): Goal {
  const s = shortSummary(runs);
  const stream = shortSummary(runs, "-stream");
  const hold = shortHoldS(runs);
  const holdText = Number.isFinite(hold) ? `≈ ${fmt(hold, 1)} s` : "≈ 1 s";
  const perCall = runs.find((r) => r.kind === KIND && r.rtp_per_call !== undefined)?.rtp_per_call;
  return {
    goal: `CPS with RTP, short calls (${holdText}: ${perCall ?? "?"} PCMA packets at 20 ms + one RFC 2833 digit, echoed back): ≥ 500 calls/s with < 0.1 % failed calls and < 0.1 % RTP lost by the relay each way (mvsct b2bua)`,
    measured: stream.oursRan
      ? `caller on SIPp's rtp_stream (SHORT_MEDIA=stream, the judged series): ${summaryText(stream)}` +
        (s.oursRan
          ? `; caller on one play_pcap_audio per call (its raw sockets copy every UDP datagram on the host, a cost on every loopback sender, NOTES.md): ${summaryText(s)}`
          : "")
      : s.oursRan
        ? summaryText(s)
        : "not measured (bash bench/b2bua/cps.sh ours rtp-short)",
    met: stream.oursRan ? stream.ours >= 500 : s.oursRan ? s.ours >= 500 : null,
  };
}

/** "; direct (SIPp alone, no relay) 700 cps; ours-w0 300 cps": the other targets of the kind. */
function otherTargets(runs: readonly CpsRunAny[]): string {
  const others = [...new Set(runs.filter((r) => r.kind === KIND).map((r) => r.target))]
    .filter((t) => t !== "kamailio" && t !== "ours")
    .sort();
  return others
    .map(
      (t) =>
        `; ${t === "direct" ? "direct (SIPp alone, no relay)" : t} ${highestCleanRate(runs, t, KIND)} cps`,
    )
    .join("");
}

/** The section of RESULTS.md for the kind. */
export function renderCpsShort(runs: readonly CpsRunAny[]): string[] {
  const s = shortSummary(runs);
  const hold = shortHoldS(runs);
  return [
    `### With RTP, short calls (SIPp \`uac_pcap_short\`: ${Number.isFinite(hold) ? `≈ ${fmt(hold, 2)} s` : "≈ 1 s"} calls; 0.6 s PCMA + one RFC 2833 digit; callee \`-rtp_echo\`; kind \`rtp-short\`)`,
    "",
    "The per-call cost of setting up, carrying and tearing down media at high call rates. Each call plays one pcap made by `make-short-pcap.ts` (30 PCMA packets at 20 ms, 160 bytes of 0xd5, then telephone-event 101: start with marker, updates, 3 end packets) and pauses its play time + 300 ms before the BYE. RTP ports 26000-31999 for both systems (6,000 ports: 1,500 concurrent calls; `b2bua-rtp-short.yaml` raises our call cap to the same 1,500; rtpengine `--port-min/--port-max`). Kamailio drives rtpengine as in the 9 s series below. Four tcpdumps count PCMA on loopback: caller → relay, relay → callee, callee's echo → relay, relay → caller. **Relay loss** = what entered the relay's ports and did not leave them, each way; **generator shortfall** = the caller sent fewer than 30 per successful call, or the callee's SIPp echoed back fewer than it received (its media socket overflows: the generator's, not the relay's). Clean: < 0.1 % failed + incomplete calls, achieved ≥ 90 % of the offered rate (achieved = calls / (SIPp's Total-time − the pause)), relay loss < 0.1 % each way, caller shortfall < 0.1 %. CPU over the uac run, % of one core: the SUT (Kamailio + rtpengine, or mvsct b2bua with its 2 media workers), the two SIPp (the uac starts one thread per `play_pcap_audio`), the whole box (of 200). Targets ending in `-stream` (`SHORT_MEDIA=stream`, `sipp/uac_stream_short_rr.xml`): the caller sends the same 30 PCMA packets with SIPp's `rtp_stream` (a UDP socket) and only the digit from SIPp's 0.14 s RFC 2833 pcap, because each `play_pcap_audio` holds a raw socket that gets a copy of every UDP datagram on the host while it plays (≈ 1 s of the pcap kind's call vs 0.14 s here): at 500 cps the generator alone (`direct`) needs uac 43 % / uas 24 % / box 60 % of a core with pcaps, 23 % / 16 % / 26 % with rtp_stream. The goal is judged on the `-stream` series when it exists.",
    "",
    ...shortTable(runs),
    "",
    `Highest clean rate with RTP, short calls: **Kamailio + rtpengine ${s.kamRan ? `${s.kamailio} cps` : "not measured"}**, **mvsct b2bua ${s.oursRan ? `${s.ours} cps` : "not measured"}**${s.oursRan && s.kamRan && s.kamailio > 0 ? ` (ratio ${fmt(s.ours / s.kamailio, 2)})` : ""}${otherTargets(runs)}.`,
    "",
  ];
}
