import { median } from "./stats.ts";
import { type CpsRunAny, cpsStepClean, fmt, highestCleanRate } from "./render-cps-kinds.ts";
import { renderCpsShort, shortGoal, shortSummary } from "./render-cps-short.ts";
import type { Goal } from "./render-rtp.ts";

/** Markdown for the calls-per-second benchmark (cps.sh): SIPp through Kamailio and through mvsct b2bua. */

export { highestCleanRate };

function rtpLoss(r: CpsRunAny): string {
  if (r.rtp_expected_each === undefined || r.rtp_expected_each === 0) return "–";
  const e = r.rtp_expected_each;
  const l = (n: number | undefined): string => (n === undefined ? "?" : fmt((100 * (e - n)) / e, 2));
  return `${l(r.rtp_to_uas)} / ${l(r.rtp_to_uac)}`;
}

function table(runs: readonly CpsRunAny[], kind: "sig" | "rtp"): string[] {
  const rs = runs.filter((r) => r.kind === kind);
  const keys = [...new Set(rs.map((r) => `${r.target}/${r.rate}`))].sort((x, y) => {
    const [tx, rx] = x.split("/") as [string, string];
    const [ty, ry] = y.split("/") as [string, string];
    return tx.localeCompare(ty) || Number(rx) - Number(ry);
  });
  const rows = keys.map((k) => {
    const [target, rateS] = k.split("/") as [string, string];
    const g = rs.filter((r) => r.target === target && r.rate === Number(rateS));
    const clean = g.filter(cpsStepClean).length;
    return (
      `| ${target} | ${rateS} | ${g.length} | ${clean}/${g.length} | **${fmt(median(g.map((r) => r.fail_pct)), 3)}** (${g.map((r) => fmt(r.fail_pct, 3)).join(", ")}) | ` +
      `${g.map((r) => `${r.succ}/${r.fail}/${r.incomplete}`).join(", ")} | ${g.map((r) => r.n503 ?? "?").join(", ")} | ` +
      `${g.map((r) => (r.retrans_invite === undefined ? "?" : `${r.retrans_invite}/${r.retrans_bye ?? "?"}`)).join(", ")} | ` +
      `${g.map((r) => r.rcvbuf_errors ?? "?").join(", ")} | ${g.map((r) => fmt(r.cum_cps)).join(", ")} | ` +
      `${fmt(median(g.map((r) => r.sut_cpu_pct)), 1)} (${g.map((r) => fmt(r.sut_cpu_pct, 1)).join(", ")}) | ` +
      (kind === "rtp" ? `${g.map(rtpLoss).join("; ")} | ` : "") +
      `${g.map((r) => fmt(r.load1, 2)).join(", ")} |`
    );
  });
  return [
    `| system under test | rate cps | runs | clean runs | failed+incomplete % median (runs) | succ/fail/incomplete per run | 503s seen per run | INVITE/BYE retransmissions per run | UDP rcvbuf drops per run | achieved cps per run | SUT CPU % of a core (runs) | ${kind === "rtp" ? "RTP loss % to callee / back to caller (runs) | " : ""}load1 |`,
    `|---|---|---|---|---|---|---|---|---|---|---|${kind === "rtp" ? "---|" : ""}---|`,
    ...rows,
  ];
}

/** env.txt holds one block per invocation: the machine once, then one line per invocation. */
export function compactEnv(env: string): string {
  const lines = env.split("\n").map((l) => l.trim());
  const machine = [
    ...new Set(lines.filter((l) => /^(cpu|kernel|sipp|mem|node|rtpengine|native_udp_addon)=/.test(l))),
  ];
  const out: string[] = [...machine];
  let cur = "";
  for (const l of lines) {
    if (l.startsWith("date=")) cur = l.replace(/^date=/, "");
    else if (l.startsWith("phases=")) cur += ` (${l.replace(/^phases=/, "")})`;
    else if (l.startsWith("uptime_before=")) cur += `; load before: ${l.replace(/^.*load average: /, "")}`;
    else if (l.startsWith("uptime_after="))
      out.push(`${cur}; load after: ${l.replace(/^.*load average: /, "")}`);
  }
  return out.join("\n");
}

/** "bundle" when every run of the target says so; "mixed" or "unknown" otherwise. */
function runnerOf(runs: readonly CpsRunAny[], target: string): string {
  const set = new Set(runs.filter((r) => r.target === target).map((r) => r.runner ?? "unknown"));
  return set.size === 1 ? [...set][0]! : set.size === 0 ? "–" : `mixed (${[...set].join(", ")})`;
}

export function renderCps(runs: readonly CpsRunAny[], env: string): { md: string; goals: Goal[] } {
  if (runs.length === 0)
    return { md: "## 1. Calls per second\n\nNot run yet (`bash bench/b2bua/cps.sh`).\n", goals: [] };
  const kam = highestCleanRate(runs, "kamailio", "sig");
  const ours = highestCleanRate(runs, "ours", "sig");
  const oursRan = runs.some((r) => r.target === "ours" && r.kind === "sig");
  const fresh = highestCleanRate(runs, "ours-fresh", "sig");
  const freshRan = runs.some((r) => r.target === "ours-fresh" && r.kind === "sig");
  const kamRtp = highestCleanRate(runs, "kamailio", "rtp");
  const oursRtp = highestCleanRate(runs, "ours", "rtp");
  const oursRtpRan = runs.some((r) => r.target === "ours" && r.kind === "rtp");
  const kamRtpRan = runs.some((r) => r.target === "kamailio" && r.kind === "rtp");
  const rtpTop = Math.max(0, ...runs.filter((r) => r.kind === "rtp").map((r) => r.rate));
  const short = shortSummary(runs);
  const shortStream = shortSummary(runs, "-stream");
  const shortRatio = (what: string, x: ReturnType<typeof shortSummary>): string =>
    x.oursRan || x.kamRan
      ? `${what} ${x.oursRan ? x.ours : "–"} / ${x.kamRan ? x.kamailio : "–"} = ${x.oursRan && x.kamailio > 0 ? fmt(x.ours / x.kamailio, 2) : "–"}; `
      : "";
  const goals: Goal[] = [
    {
      goal: "CPS: ≥ 500 calls/s with < 0.1 % failed calls, signalling only (mvsct b2bua)",
      measured: oursRan
        ? `highest clean rate ${ours} cps in a rising series on one process (runner: ${runnerOf(runs, "ours")})`
        : "mvsct b2bua not measured yet",
      met: oursRan ? ours >= 500 : null,
    },
    {
      goal: "CPS: the same, each step on a fresh mvsct b2bua process (no transactions left by earlier steps)",
      measured: freshRan
        ? `highest clean rate ${fresh} cps`
        : "not measured (FRESH=1 bash bench/b2bua/cps.sh ours sig)",
      met: freshRan ? fresh >= 500 : null,
    },
    shortGoal(runs),
    {
      goal: "CPS with RTP, long calls (≈ 9 s: 7 s PCMA + one RFC 2833 digit), the concurrency-bound series: reported, no threshold (rate × 9 s concurrent calls; 500 cps would be 4,500 calls and ≈ 450 k packets/s, beyond either relay on this box, NOTES.md); the 500 cps goal is judged on the short calls above",
      measured: oursRtpRan
        ? `highest clean rate ${oursRtp} cps; Kamailio + rtpengine ${kamRtpRan ? `${kamRtp} cps` : "not measured"} (the highest rate tried, ${rtpTop} calls/s × 9 s, fills the 500 calls the bench's RTP ports 23000-24999 allow)`
        : "not measured (bash bench/b2bua/cps.sh ours rtp)",
      met: null,
    },
    {
      goal: "CPS ratio mvsct b2bua / Kamailio (reported, no threshold)",
      measured: `series ${oursRan ? ours : "–"} / ${kam} = ${oursRan && kam > 0 ? fmt(ours / kam, 2) : "–"}; fresh ${freshRan ? fresh : "–"} / ${kam} = ${freshRan && kam > 0 ? fmt(fresh / kam, 2) : "–"}; ${shortRatio("with RTP, short calls, caller on rtp_stream", shortStream)}${shortRatio("with RTP, short calls, caller on play_pcap_audio", short)}with RTP, 9 s calls ${oursRtpRan ? oursRtp : "–"} / ${kamRtp} = ${oursRtpRan && kamRtp > 0 ? fmt(oursRtp / kamRtp, 2) : "–"}`,
      met: null,
    },
  ];
  const md = [
    "## 1. Calls per second through the B2BUA vs Kamailio (`cps.sh`)",
    "",
    "```",
    compactEnv(env),
    "```",
    "",
    "SIPp uac → system under test → SIPp uas on 127.0.0.1, UDP, `-buff_size 4194304`, each step bounded by `-m` (rate × seconds of arrivals) and `timeout`. The uac uses the route set (`rrs`, `[routes]`, `[next_url]`), so the same scenario works through a record-routing proxy and through a B2BUA. Kamailio: stateful proxy (tm + rr, `record_route()`, 4 UDP workers), PERF-ANCHORS §2's config. mvsct b2bua runs from an esbuild bundle of the tree (runner `bundle`; `tsx` = from source through tsx's loader, as older rows). Retransmissions: the uac's INVITE and BYE sent again because no answer came within T1 = 500 ms. UDP rcvbuf drops: datagrams the kernel dropped on a full socket receive buffer during the step, any socket on the host (SUT or SIPp). Failed = SIPp failed calls + calls still incomplete when the step ended; a step is clean under 0.1 % and, signalling only, when SIPp's achieved (cumulative) call rate is at least 90 % of the offered rate: calls that all complete, but only after seconds of INVITE/BYE retransmissions, were not carried at the offered rate. SUT CPU = Δ(utime+stime) of the server (and its children) over the uac run. Rates rise until the median run fails.",
    "",
    "### Signalling only",
    "",
    ...table(runs, "sig"),
    "",
    `Highest clean rate: **Kamailio ${kam} cps**, **mvsct b2bua ${oursRan ? `${ours} cps` : "not measured"}** in a rising series on one process, **${freshRan ? `${fresh} cps` : "not measured"}** with a fresh process per step (\`ours-fresh\`, \`FRESH=1\`).`,
    "",
    ...renderCpsShort(runs),
    "### With RTP, long calls (SIPp `uac_pcap`: PCMA 7 s + one RFC 2833 digit, ≈ 9 s calls; callee `-rtp_echo`; kind `rtp`: the concurrency-bound series)",
    "",
    "Kamailio carries only the signalling here; media goes through rtpengine, driven by Kamailio's `rtpengine` module (`rtpengine_manage()`), so both systems anchor the media. RTP counted by tcpdump at the callee's media port and back at the caller's.",
    "",
    ...table(runs, "rtp"),
    "",
    `Highest clean rate with RTP: Kamailio + rtpengine ${kamRtp} cps, mvsct b2bua ${runs.some((r) => r.target === "ours" && r.kind === "rtp") ? `${oursRtp} cps` : "not measured"}.`,
    "",
  ].join("\n");
  return { md, goals };
}
