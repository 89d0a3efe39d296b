import { type CpsRun, cpsClean, cpsRtpLossPct, MIN_ACHIEVED_SHARE } from "./report-types.ts";

/**
 * The lines cps.sh records, of every kind, and when a step counts as clean. The `rtp-short` kind
 * (≈ 1 s calls: 0.6 s PCMA + one RFC 2833 digit, make-short-pcap.ts) has its own rule,
 * `cpsShortClean`; `sig` and `rtp` keep report-types.ts's `cpsClean`.
 */

/** sig: signalling only; rtp: ≈ 9 s calls with media; rtp-short: ≈ 1 s calls with media */
export type CpsKind = CpsRun["kind"] | "rtp-short";

/** A cps.sh line; the optional fields came with later versions of the script (older lines lack them). */
export interface CpsRunAny extends Omit<CpsRun, "kind"> {
  kind: CpsKind;
  /** how the SUT ran: "bundle" (esbuild), "tsx" (from source), "native" (Kamailio) */
  runner?: string;
  /** the uac's INVITE / BYE retransmissions (answers later than T1) */
  retrans_invite?: number;
  retrans_bye?: number;
  /** UDP receive-buffer drops on the host during the step (/proc/net/snmp RcvbufErrors) */
  rcvbuf_errors?: number;
  /** SIPp's Total-time (s) and the arrival rate it kept up: calls / (Total-time − the scenario's pause) */
  total_s?: number;
  achieved_cps?: number;
  /** the scenario's pause per call (ms); rtp-short: the pcap's play time + a margin */
  hold_ms?: number;
  /** SIPp's "Peak was N calls": the most concurrent calls of the step */
  peak_calls?: number;
  /** CPU over the uac run, % of one core: the uac SIPp (with its play threads), the uas SIPp, the whole box (of nproc × 100) */
  uac_cpu_pct?: number;
  uas_cpu_pct?: number;
  box_cpu_pct?: number;
  /** rtp-short: PCMA entering the relay, from the caller and from the callee's echo (tcpdump) */
  rtp_from_uac?: number;
  rtp_from_uas?: number;
  /** rtp-short: packets the four tcpdumps' rings dropped (counted as on the wire) */
  td_drops?: number;
  /** rtp-short: PCMA packets per call in the pcap */
  rtp_per_call?: number;
}

export const fmt = (n: number, d = 0): string =>
  Number.isFinite(n)
    ? n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d })
    : "–";

/** % of `sent` that did not arrive; 100 when nothing was sent; null when a count is missing. */
function lossPct(sent: number | undefined, got: number | undefined): number | null {
  if (sent === undefined || got === undefined) return null;
  return sent <= 0 ? 100 : (100 * (sent - got)) / sent;
}

/** The rtp-short accounting, from the four tcpdump counts and the pcap's packets per call. */
export interface ShortRtpLoss {
  /** PCMA the relay did not pass on: caller → callee, callee's echo → caller (%) */
  relayToCallee: number | null;
  relayBack: number | null;
  /** the load generator's own shortfall: the uac sent fewer than succ × pcap packets; the uas echo
   *  sent back fewer than it received (%) */
  uacShort: number | null;
  echoShort: number | null;
  /** end to end against the pcap, as the rtp kind counts it (%) */
  endToEnd: number | null;
}

export function shortRtpLoss(r: CpsRunAny): ShortRtpLoss {
  return {
    relayToCallee: lossPct(r.rtp_from_uac, r.rtp_to_uas),
    relayBack: lossPct(r.rtp_from_uas, r.rtp_to_uac),
    uacShort: lossPct(r.rtp_expected_each, r.rtp_from_uac),
    echoShort: lossPct(r.rtp_to_uas, r.rtp_from_uas),
    endToEnd: cpsRtpLossPct({ ...r, kind: "rtp" }),
  };
}

/** The most a clean step may lose (or fail), % */
export const MAX_LOSS_PCT = 0.1;

/**
 * A clean rtp-short step: failed + incomplete calls under 0.1 %; SIPp kept up ≥ 90 % of the
 * offered arrival rate (calls / (Total-time − pause)); the relay passed on all but < 0.1 % of the
 * PCMA it received, each way; and the caller did send the pcap's packets for every successful call
 * (a shortfall ≥ 0.1 % means the step did not offer its load). What the callee's SIPp echo fails to
 * send back is the generator's and is reported, not held against the relay: the relay's way back
 * is judged on what the echo did send. Target `direct` (SIPp to SIPp, no relay) measures the
 * generator itself, so there the echo's shortfall counts too.
 */
export function cpsShortClean(r: CpsRunAny): boolean {
  if (r.target_calls <= 0 || r.fail_pct >= MAX_LOSS_PCT) return false;
  if ((r.achieved_cps ?? 0) < MIN_ACHIEVED_SHARE * r.rate) return false;
  const l = shortRtpLoss(r);
  const ok = (x: number | null): boolean => x !== null && x < MAX_LOSS_PCT;
  return (
    ok(l.relayToCallee) && ok(l.relayBack) && ok(l.uacShort) && (r.target !== "direct" || ok(l.echoShort))
  );
}

/** Clean by the rule of the step's kind. */
export function cpsStepClean(r: CpsRunAny): boolean {
  return r.kind === "rtp-short" ? cpsShortClean(r) : cpsClean({ ...r, kind: r.kind });
}

/** Highest rate whose runs were mostly clean, lower rates all mostly clean too (0: none). */
export function highestCleanRate(runs: readonly CpsRunAny[], target: string, kind: CpsKind): number {
  const mine = runs.filter((r) => r.target === target && r.kind === kind);
  const rates = [...new Set(mine.map((r) => r.rate))].sort((a, b) => a - b);
  let best = 0;
  for (const rate of rates) {
    const rs = mine.filter((r) => r.rate === rate);
    if (rs.filter(cpsStepClean).length * 2 > rs.length) best = rate;
    else break;
  }
  return best;
}
