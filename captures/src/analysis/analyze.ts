/**
 * `mvsct analyze`: one pass over the capture (SIP by content on any port, RTP streams and RFC 4733
 * events as they stream by), then the model (legs, calls, DTMF per leg), then the rules.
 * Memory holds the SIP messages and per-stream/per-event summaries of the calls in progress, never
 * the RTP packets themselves: a call that is over (segmenter.ts) is analysed while the capture is
 * still being read, handed to the sink, and forgotten. A short capture is one such set.
 */
import { basename } from "node:path";
import { readTransport } from "../pcap/decode.ts";
import type { SipMessage } from "../../../protocol/src/wire/sip/types.ts";
import type { CaptureError, ReadOutcome, TransportPayload } from "../pcap/types.ts";
import type { RtpStream } from "./context.ts";
import { CallIndex } from "./call-index.ts";
import { type ActivePair, PacketSide, type PacketSink } from "./packet-side.ts";
import { buildLegs } from "./legs.ts";
import { placeStreams } from "./media.ts";
import type { AnalysisReport, Finding } from "./model.ts";
import { analyzeSegment, type SegmentOutput } from "./segment.ts";
import { closeQuietCalls, QUIET_S } from "./segmenter.ts";
import { SipCollector } from "./sip-collector.ts";
import { runOnTwoThreads } from "./two-threads.ts";
import { rootCauseOf } from "../rules/verdict.ts";
import { round3 } from "./units.ts";

export interface AnalyzeOptions {
  /** in-band detection: on G.711 streams whose receiver declared no telephone-event (auto), all, or none */
  inband?: "auto" | "all" | "off";
  /** name shown as capture.file (defaults to the file's base name) */
  displayName?: string;
  /**
   * seconds of capture time a call must be over and quiet before it is analysed and released
   * (default QUIET_S); Infinity holds every call to the end of the capture
   */
  quietS?: number;
  /** capture seconds between looks for calls that are over (tests make it small) */
  checkEveryS?: number;
  /**
   * 2: read and follow RTP on a second thread (two-threads.ts); 1 (default, or MVSCT_THREADS=2 for
   * two): one thread. Same results either way.
   */
  threads?: 1 | 2;
}

export interface AnalyzeOutcome {
  report: AnalysisReport | null;
  /** the capture could not be read at all (exit 2), or was cut short (report still produced) */
  error: CaptureError | null;
}

/** Everything of the report but its per-call arrays, known once the whole capture was read. */
export type ReportHead = Pick<AnalysisReport, "schema" | "verdict" | "capture" | "otherSip">;

/** Receives the analysis one closed set of calls at a time, in the order the sets closed. */
export interface AnalysisSink {
  segment(out: SegmentOutput): void;
}

export interface StreamedOutcome {
  /** null when the capture could not be read at all */
  head: ReportHead | null;
  /** some finding has severity error */
  hasErrors: boolean;
  error: CaptureError | null;
}

/** MVSCT_PROFILE=1 prints how long each pass took, on stderr. */
const PROFILE = process.env["MVSCT_PROFILE"] === "1";
let lastMark = 0;
function mark(what: string): void {
  if (!PROFILE) return;
  const now = performance.now();
  if (lastMark !== 0) process.stderr.write(`mvsct profile: ${what} ${(now - lastMark).toFixed(0)} ms\n`);
  lastMark = now;
}

export function analyzeCaptureTo(path: string, opts: AnalyzeOptions, sink: AnalysisSink): StreamedOutcome {
  mark("start");
  const quietS = opts.quietS ?? QUIET_S;
  const inband = opts.inband ?? "auto";
  const side = new AnalysisSide(quietS, sink);
  const file = opts.displayName ?? basename(path);
  const checkEveryS = opts.checkEveryS;
  if (useTwoThreads(opts.threads))
    return runOnTwoThreads(
      path,
      { inband, quietS, ...(checkEveryS !== undefined ? { checkEveryS } : {}) },
      side,
      file,
    );
  const packets = new PacketSide(
    { inband, quietS, ...(checkEveryS !== undefined ? { checkEveryS } : {}) },
    side,
  );
  side.onSip = (msg) => packets.noteSip(msg);
  const outcome = readTransport(path, (p) => packets.onPayload(p), {
    onFirstFrame: (tsS) => packets.onFirstFrame(tsS),
  });
  return side.end(outcome, packets.t0, packets.finish(), file);
}

/**
 * One thread unless asked (threads: 2, or MVSCT_THREADS=2). Measured on this project's 2-vCPU
 * machines, the second thread does not pay: V8's own GC and compiler threads already keep the
 * second core about 60 % busy during a one-thread run, so the reader thread competes with them and
 * the structured cloning of streams costs more than it saves (bench/PROFILE.md). With more cores
 * it may.
 */
function useTwoThreads(threads: 1 | 2 | undefined): boolean {
  return (threads ?? (process.env["MVSCT_THREADS"] === "2" ? 2 : 1)) === 2;
}

/**
 * The analysis half: SIP parsed and indexed, streams handed over by the packet half, and at each
 * checkpoint the calls that are over analysed, given to the sink, and forgotten.
 */
export class AnalysisSide implements PacketSink {
  private readonly collector: SipCollector;
  private readonly index = new CallIndex();
  /** quiet streams handed over and not yet placed on a closed call, in the order they came */
  private pool: RtpStream[] = [];
  private t0 = 0;
  private readonly rel = (t: number): number => t - this.t0;
  private callsBefore = 0;
  private hasErrors = false;
  private rootCause: Finding | null = null;
  private readonly otherSip: Record<string, number> = {};
  private segments = 0;
  private checkpointMs = 0;
  /** MVSCT_PROFILE: the largest of each process.memoryUsage() figure seen at a checkpoint */
  private readonly peakMemory: Record<string, number> = {};
  /** every parsed SIP message, for the packet half's in-band decision (one thread) */
  onSip: ((msg: SipMessage) => void) | null = null;

  constructor(
    private readonly quietS: number,
    private readonly out: AnalysisSink,
  ) {
    this.collector = new SipCollector((e) => {
      this.index.onSip(e);
      this.onSip?.(e.msg);
    });
  }

  sip(p: TransportPayload): void {
    if (p.proto === "udp") this.collector.onUdp(p);
    else this.collector.onTcp(p);
  }

  checkpoint(nowS: number, t0: number, quiet: RtpStream[], active: ActivePair[]): void {
    const t = PROFILE ? performance.now() : 0;
    this.t0 = t0;
    for (const s of quiet) this.pool.push(s);
    const closed = closeQuietCalls(
      this.index,
      this.collector.events,
      this.pool,
      active,
      nowS - this.quietS,
      this.rel,
    );
    if (closed !== null) {
      this.collector.release(
        closed.callIds,
        closed.built.legs.map((st) => st.leg.callId),
      );
      const taken = new Set(closed.streams);
      this.pool = this.pool.filter((s) => !taken.has(s));
      for (const id of closed.callIds) this.index.delete(id);
      this.segments++;
      this.emit(
        analyzeSegment({
          ...closed,
          callsBefore: this.callsBefore,
          reportOrphanStreams: false,
          rel: this.rel,
        }),
      );
    }
    if (PROFILE) {
      this.checkpointMs += performance.now() - t;
      const m = process.memoryUsage();
      for (const k of ["rss", "heapTotal", "heapUsed", "external", "arrayBuffers"] as const)
        this.peakMemory[k] = Math.max(this.peakMemory[k] ?? 0, m[k]);
    }
  }

  private emit(out: SegmentOutput): void {
    this.callsBefore += out.calls.length;
    for (const [m, n] of Object.entries(out.otherSip)) this.otherSip[m] = (this.otherSip[m] ?? 0) + n;
    const rc = rootCauseOf(this.rootCause === null ? out.findings : [this.rootCause, ...out.findings]);
    if (rc !== null) {
      this.rootCause = rc;
      this.hasErrors = true;
    }
    this.out.segment(out);
  }

  /** End of capture: what is left (calls still open, everything of a short capture), then the head. */
  end(outcome: ReadOutcome, t0: number, rest: RtpStream[], file: string): StreamedOutcome {
    mark(
      `read + SIP + RTP pass, with ${this.segments} sets of calls closed on the way in ${this.checkpointMs.toFixed(0)} ms`,
    );
    const { stats } = outcome;
    if (
      outcome.error !== null &&
      (outcome.error.code === "not-a-capture" || outcome.error.code === "io" || stats.packets === 0)
    ) {
      return { head: null, hasErrors: false, error: outcome.error };
    }
    this.t0 = t0;
    const captureEndS = Number.isFinite(stats.lastTsS) ? stats.lastTsS : t0;
    const streams = [...this.pool, ...rest];
    const built = buildLegs(this.collector.events, this.rel, captureEndS);
    this.emit(
      analyzeSegment({
        built,
        events: this.collector.events,
        streams,
        placement: placeStreams(built.legs, streams),
        callsBefore: this.callsBefore,
        reportOrphanStreams: true,
        rel: this.rel,
      }),
    );
    mark("the calls left at the end");
    if (PROFILE)
      process.stderr.write(
        `mvsct profile: peak at checkpoints (MiB): ${Object.entries(this.peakMemory)
          .map(([k, v]) => `${k} ${(v / 1048576).toFixed(1)}`)
          .join(", ")}\n`,
      );
    const warnings = [...outcome.warnings, ...this.collector.warnings];
    if (this.collector.late > 0)
      warnings.push(
        `${this.collector.late} SIP message(s) came more than ${this.quietS} s after their call had ended and were left out`,
      );
    if (outcome.error !== null) warnings.unshift(`${outcome.error.message}: analysed up to the cut`);
    const head: ReportHead = {
      schema: "mvsct.analysis/1",
      verdict: this.rootCause === null ? "healthy" : this.rootCause.rule,
      capture: {
        file,
        format: outcome.info.format,
        packets: stats.packets,
        durationS: round3(captureEndS - t0),
        ...(warnings.length > 0 ? { warnings } : {}),
      },
      otherSip: this.otherSip,
    };
    return { head, hasErrors: this.hasErrors, error: outcome.error };
  }
}

/** The whole report in memory (the text, HTML and JUnit renderers, tests). */
export function analyzeCapture(path: string, opts: AnalyzeOptions = {}): AnalyzeOutcome {
  const parts: Pick<AnalysisReport, "calls" | "legs" | "findings"> &
    Required<Pick<AnalysisReport, "ladder" | "streams">> = {
    calls: [],
    legs: [],
    findings: [],
    ladder: [],
    streams: [],
  };
  const r = analyzeCaptureTo(path, opts, {
    segment(out) {
      parts.calls.push(...out.calls);
      parts.legs.push(...out.legs);
      parts.findings.push(...out.findings);
      for (const m of out.ladder) parts.ladder.push(m);
      parts.streams.push(...out.streams);
    },
  });
  if (r.head === null) return { report: null, error: r.error };
  const { schema, verdict, capture, otherSip } = r.head;
  const report: AnalysisReport = { schema, verdict, capture, ...parts, otherSip };
  return { report, error: r.error };
}
