/**
 * `mvsct analyze`: one pass over the capture (SIP by content on any port, RTP streams and RFC 4733
 * events as they stream by), then the model (legs, calls, DTMF per leg), then the rules.
 * Memory holds SIP messages and per-stream/per-event summaries, never the RTP packets themselves.
 */
import { basename } from "node:path";
import { readTransport } from "../pcap/decode.ts";
import type { CaptureError, TransportPayload } from "../pcap/types.ts";
import { InbandDtmfDetector } from "./inband/detector.ts";
import type { AnalysisContext, InbandLike, LegState, RtpStream } from "./context.ts";
import { correlate } from "./correlate.ts";
import { digitConservation } from "./conservation.ts";
import { buildLegs } from "./legs.ts";
import {
  directionOf,
  eventDigit,
  inbandDigits,
  placeStreams,
  ptsOf,
  receiverMedia,
  rtpEventDigits,
  summarizeStream,
} from "./media.ts";
import type {
  AnalysisReport,
  Call,
  DtmfEvent,
  DtmfMethod,
  LadderMessage,
  Leg,
  RtpStreamSummary,
} from "./model.ts";
import { RtpCollector } from "./rtp-collector.ts";
import { SipCollector } from "./sip-collector.ts";
import { outOfDialogKpml, sipDtmf } from "./sip-dtmf.ts";
import { audioOf, sdpOf } from "./sdp-of.ts";
import { runRules, verdictOf } from "../rules/verdict.ts";
import type { RuleContext } from "../rules/rule.ts";
import { legMethods } from "../rules/dtmf-method-mismatch.ts";
import { hostPort, round3 } from "./units.ts";

export interface AnalyzeOptions {
  /** in-band detection: on G.711 streams whose receiver declared no telephone-event (auto), all, or none */
  inband?: "auto" | "all" | "off";
  /** name shown as capture.file (defaults to the file's base name) */
  displayName?: string;
}

export interface AnalyzeOutcome {
  report: AnalysisReport | null;
  /** the capture could not be read at all (exit 2), or was cut short (report still produced) */
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

export function analyzeCapture(path: string, opts: AnalyzeOptions = {}): AnalyzeOutcome {
  mark("start");
  const inbandMode = opts.inband ?? "auto";
  const teByAddr = new Map<string, boolean>();
  const sip = new SipCollector((e) => {
    const a = audioOf(sdpOf(e.msg));
    if (a !== null && a.connection !== null && a.port !== 0)
      teByAddr.set(hostPort(a.connection, a.port), a.telephoneEvent !== null);
  });
  const rtp = new RtpCollector({
    makeDetector: inbandMode === "off" ? null : (): InbandLike => new InbandDtmfDetector(),
    wantInband: (dstIp, dstPort, srcIp, srcPort) => {
      if (inbandMode === "all") return true;
      const te = teByAddr.get(hostPort(dstIp, dstPort)) ?? teByAddr.get(hostPort(srcIp, srcPort));
      return te !== true;
    },
  });
  const onPayload = (p: TransportPayload): void => {
    if (p.proto === "udp") {
      if (!rtp.onUdp(p)) sip.onUdp(p);
    } else sip.onTcp(p);
  };
  const outcome = readTransport(path, onPayload);
  mark(`read + SIP + RTP pass (${sip.events.length} SIP messages, ${rtp.streams.length} streams)`);
  const { stats } = outcome;
  if (
    outcome.error !== null &&
    (outcome.error.code === "not-a-capture" || outcome.error.code === "io" || stats.packets === 0)
  ) {
    return { report: null, error: outcome.error };
  }
  rtp.finish();
  const t0 = Number.isFinite(stats.firstTsS) ? stats.firstTsS : 0;
  const rel = (t: number): number => t - t0;
  const captureEndS = Number.isFinite(stats.lastTsS) ? stats.lastTsS : t0;

  mark("in-band finish");
  const built = buildLegs(sip.events, rel, captureEndS);
  mark("legs");
  const legById = new Map(built.legs.map((st) => [st.leg.callId, st] as const));
  const ood = outOfDialogKpml(built.orphanEvents, legById);

  // RTP -> legs, and the RTP digits
  const placement = placeStreams(built.legs, rtp.streams);
  const streamSummaries: RtpStreamSummary[] = [];
  for (const s of rtp.streams) {
    const pl = placement.get(s);
    if (pl === undefined) {
      if (plausibleRtp(s)) streamSummaries.push(orphanSummary(s, rel));
      continue;
    }
    const { st, receiver } = pl;
    const direction = directionOf(receiver);
    const recv = receiverMedia(st, receiver, s.firstS);
    const sum = summarizeStream(s, rel, direction, recv);
    streamSummaries.push(sum);
    st.streams.push(s);
    st.streamSummaries.push(sum);
    st.leg.dtmf.push(...rtpEventDigits(s, recv, direction, rel), ...inbandDigits(s, direction, rel));
    const te = recv?.telephoneEvent ?? null;
    const audioClock =
      recv?.rtpmaps.find((r) => r.name.toLowerCase() !== "telephone-event")?.clockRate ?? null;
    for (const rec of s.events)
      st.rtpEvents.push({ rec, stream: s, direction, receiverTe: te, audioClockRate: audioClock });
  }
  for (const st of built.legs) {
    st.leg.dtmf.push(...sipDtmf(st, rel, ood.get(st) ?? []));
    st.leg.dtmf.sort((a, b) => a.atS - b.atS);
    markDuplicatePresses(st.leg.dtmf);
    st.leg.streams = st.streamSummaries;
    st.leg.dtmfMethods = sideMethods(st);
  }

  mark("media placement and DTMF");
  const legs: Leg[] = built.legs.map((st) => st.leg);
  const calls: Call[] = correlate(built.legs);
  const legMap = new Map(legs.map((l) => [l.callId, l] as const));
  for (const c of calls) {
    const dc = digitConservation(c, legMap);
    if (dc !== undefined) c.digitConservation = dc;
  }
  mark("correlation and conservation");
  const warnings = [...outcome.warnings, ...sip.warnings];
  if (outcome.error !== null) warnings.unshift(`${outcome.error.message}: analysed up to the cut`);
  const report: AnalysisReport = {
    schema: "mvsct.analysis/1",
    verdict: "healthy",
    capture: {
      file: opts.displayName ?? basename(path),
      format: outcome.info.format,
      packets: stats.packets,
      durationS: round3(captureEndS - t0),
      ...(warnings.length > 0 ? { warnings } : {}),
    },
    calls,
    legs,
    findings: [],
    ladder: ladderOf(sip, rel),
    streams: streamSummaries,
    otherSip: built.otherSip,
  };
  const callOf = new Map<string, Call>();
  for (const c of calls) for (const id of c.legs) callOf.set(id, c);
  const ctx: AnalysisContext & RuleContext = {
    file: path,
    firstTsS: t0,
    legs: built.legs,
    legById,
    streams: rtp.streams,
    report,
    callOf,
    rel,
  };
  report.findings = runRules(ctx);
  report.verdict = verdictOf(report.findings);
  mark("ladder and rules");
  return { report, error: outcome.error };
}

/**
 * CUCM's "OOB and RFC 2833" mode (DOMAIN.md §4.1) sends one key press both in the RTP and out of
 * band: the same digit, same direction, by two methods within half a second is one press. The later
 * report is kept in the timeline, marked, and left out of digit counts.
 */
const SAME_PRESS_S = 0.5;
function markDuplicatePresses(dtmf: DtmfEvent[]): void {
  for (let i = 0; i < dtmf.length; i++) {
    const d = dtmf[i]!;
    for (let j = i - 1; j >= 0 && d.atS - dtmf[j]!.atS <= SAME_PRESS_S; j--) {
      const e = dtmf[j]!;
      if (
        e.duplicateOf === undefined &&
        e.digit === d.digit &&
        e.direction === d.direction &&
        e.method !== d.method
      ) {
        d.duplicateOf = e.method;
        break;
      }
    }
  }
}

function sideMethods(st: LegState): { caller: DtmfMethod[]; callee: DtmfMethod[] } {
  const can = legMethods(st);
  const side = (s: "caller" | "callee"): DtmfMethod[] => {
    const m = new Set<DtmfMethod>();
    const te = s === "caller" ? st.leg.callerTelephoneEventPt : st.leg.calleeTelephoneEventPt;
    if (te !== null && te !== undefined && can.has("rfc2833")) m.add("rfc2833");
    if ((s === "caller" ? st.allowEvents.caller : st.allowEvents.callee).has("kpml")) m.add("kpml");
    if (s === "caller" ? st.callInfoNotify.caller : st.callInfoNotify.callee) m.add("notify");
    if (st.dtmfSignalling.some((x) => x.method === "INFO" && x.sender === s)) m.add("sip-info");
    for (const d of st.leg.dtmf) if ((d.direction === "caller->callee") === (s === "caller")) m.add(d.method);
    return [...m].sort();
  };
  return { caller: side("caller"), callee: side("callee") };
}

/**
 * A stream tied to no SDP is reported only if it behaves like RTP: a few packets, at most three
 * payload types, sequence numbers that advance (DNS or NetBIOS datagrams can pass the version check).
 */
function plausibleRtp(s: RtpStream): boolean {
  if (s.packets < 3 || ptsOf(s).length > 3 || s.ssrc === 0) return false;
  const span = s.expectedTracked + s.seqCycles + s.maxSeq - s.baseSeq + 1;
  return span > 0 && span <= s.packets * 2 + 16;
}

function orphanSummary(s: RtpStream, rel: (t: number) => number): RtpStreamSummary {
  const sum = summarizeStream(s, rel, null, null);
  const evs = s.events.filter((r) => r.packets >= 2 || r.endPackets > 0 || r.markerOnFirst);
  if (evs.length > 0) {
    sum.digits = evs.map((r) => eventDigit(r.event)).join("");
    sum.eventPt = evs[0]!.pt;
  } else if (s.inbandDigits.length > 0) {
    sum.digits = s.inbandDigits.map((d) => d.digit).join("");
  }
  return sum;
}

function ladderOf(sip: SipCollector, rel: (t: number) => number): LadderMessage[] {
  return sip.events.map((e) => ({
    frame: e.frame,
    atS: round3(rel(e.tsS)),
    from: e.src,
    to: e.dst,
    label:
      e.msg.kind === "request"
        ? `${e.msg.method}${e.msg.body.length > 0 && sdpOf(e.msg) !== null ? " (SDP)" : ""}`
        : `${e.msg.status} ${e.msg.reason}${e.msg.body.length > 0 && sdpOf(e.msg) !== null ? " (SDP)" : ""}`,
    callId: e.callId || null,
    kind: e.msg.kind,
  }));
}
