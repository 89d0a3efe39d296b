/** The records the benchmark scripts append (one JSON object per line) and write-results.ts reads. */

export interface RtpRun {
  label: string;
  target: "direct" | "rtpengine" | "ours";
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
  digits_sent: number;
  digits_recv: number;
  misrouted: number;
  bad: number;
  lat_us: { p50: number; p90: number; p99: number; p999: number; max: number };
  gen_cpu_s: number;
  gen_max_tick_gap_ms: number;
  relay_cpu_pct: number | null;
  load1: number;
  error?: string;
}

export interface CpsRun {
  target: "kamailio" | "ours";
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

/** A run that lost nothing: every audio packet and every digit arrived. */
export function rtpClean(r: RtpRun): boolean {
  return r.error === undefined && r.loss_pct === 0 && r.digits_recv >= r.digits_sent && r.audio_sent > 0;
}

/** A CPS run with failed + incomplete calls under 0.1 % of the calls placed. */
export function cpsClean(r: CpsRun): boolean {
  return r.target_calls > 0 && r.fail_pct < 0.1;
}
