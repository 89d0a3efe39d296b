/** The records the benchmark scripts append (one JSON object per line) and write-results.ts reads. */

export interface RtpRun {
  label: string;
  /** direct, rtpengine, ours; node-raw / node-raw-connected: the bare dgram floor */
  target: string;
  phase: string;
  rep: number;
  calls: number;
  streams: number;
  secs: number;
  ptime: number;
  setup_ms: number;
  offered_pps: number;
  relayed_pps: number;
  audio_sent: number;
  audio_recv: number;
  loss_pct: number;
  /** audio packets that arrived later than 50 / 100 ms after they were sent */
  late_over_50ms: number;
  late_over_100ms: number;
  digits_sent: number;
  digits_recv: number;
  misrouted: number;
  bad: number;
  lat_us: { p50: number; p90: number; p99: number; p999: number; max: number };
  gen_cpu_s: number;
  gen_max_tick_gap_ms: number;
  relay_cpu_pct: number | null;
  load1: number;
  /** CPU other jobs on the box used during the run, % of one CPU (all busy time − relay − generator) */
  other_cpu_pct?: number;
  /** seconds rtp-relay.sh waited for the box to be quiet before the run */
  quiet_wait_s?: number;
  /** relay-host's bench-stats at the end of the run (ours only): `io` = the sockets' I/O path */
  relay?: { io?: string };
  error?: string;
}

export interface CpsRun {
  /** kamailio, ours; "-fresh": a new SUT process for every step */
  target: string;
  /** 503 responses the uac saw (SIPp -trace_err) */
  n503?: number;
  kind: "sig" | "rtp";
  rate: number;
  rep: number;
  target_calls: number;
  succ: number;
  fail: number;
  incomplete: number;
  fail_pct: number;
  cum_cps: number;
  sut_cpu_pct: number;
  load1: number;
  /** RTP runs: packets seen going to the callee's media port and back to the caller's */
  rtp_to_uas?: number;
  rtp_to_uac?: number;
  rtp_expected_each?: number;
}

export interface MemoryPoint {
  calls: number;
  heapUsedKiB: number;
  /**
   * heapUsed without V8's code spaces (JIT-compiled code grows while the process warms up and is
   * no call's state): what a leak of per-call state would grow (memory-b2bua.ts)
   */
  heapObjectsKiB?: number;
  /** the media worker threads' heapUsed, summed (memory-b2bua.ts with --media-workers > 0) */
  workersHeapUsedKiB?: number;
  rssKiB: number;
  externalKiB: number;
  arrayBuffersKiB: number;
  activeHandles: number;
  portsInUse: number;
  elapsedS: number;
}

export interface MemoryResult {
  subject: string;
  date: string;
  node: string;
  load: string;
  concurrency: number;
  packetsPerCall: number;
  digitsPerCall: number;
  points: MemoryPoint[];
  failedCalls: number;
  command: string;
}

export function parseJsonLines<T>(text: string): T[] {
  const out: T[] = [];
  for (const line of text.split("\n")) {
    const t = line.trim();
    if (!t.startsWith("{")) continue;
    try {
      out.push(JSON.parse(t) as T);
    } catch {
      // a truncated line from a killed run: skipped
    }
  }
  return out;
}

/** The latency past which a packet counts as lost: a jitter buffer would have played out without it. */
export const LATE_MS = 100;

/**
 * A run that lost nothing: every audio packet and every digit arrived, and no audio packet later
 * than LATE_MS (queued for longer in socket buffers is "relayed" only on paper).
 */
export function rtpClean(r: RtpRun): boolean {
  return (
    r.error === undefined &&
    r.audio_sent > 0 &&
    r.loss_pct === 0 &&
    r.digits_recv >= r.digits_sent &&
    (r.late_over_100ms ?? 0) === 0
  );
}

/** The share (%) of the expected PCMA packets that did not cross the relay, worse direction; null without RTP. */
export function cpsRtpLossPct(r: CpsRun): number | null {
  if (r.kind !== "rtp" || r.rtp_expected_each === undefined) return null;
  const e = r.rtp_expected_each;
  if (e === 0) return 100;
  return Math.max(100 * (e - (r.rtp_to_uas ?? 0)), 100 * (e - (r.rtp_to_uac ?? 0))) / e;
}

/** Signalling-only steps must also achieve this share of the offered rate (SIPp's cumulative call rate). */
export const MIN_ACHIEVED_SHARE = 0.9;

/**
 * A clean CPS step: failed + incomplete calls under 0.1 % of the calls placed; with RTP, under
 * 0.1 % of the RTP lost too; signalling only, SIPp's achieved rate at least 90 % of the offered
 * one (calls that all succeed, but only after seconds of retransmissions, were not carried at the
 * offered rate).
 */
export function cpsClean(r: CpsRun): boolean {
  const rtp = cpsRtpLossPct(r);
  if (r.target_calls <= 0 || r.fail_pct >= 0.1) return false;
  if (rtp !== null) return rtp < 0.1;
  return r.kind !== "sig" || r.cum_cps >= MIN_ACHIEVED_SHARE * r.rate;
}
