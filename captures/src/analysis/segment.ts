/**
 * The analysis of one closed set of calls: legs built from their SIP messages, RTP streams placed on
 * them, DTMF per leg, correlation into calls, digit conservation, the ladder and the rules. The whole
 * capture is one such set when it is small; a long capture is analysed in several, each as soon as
 * its calls are over (see segmenter.ts), so memory does not grow with the capture's length.
 */
import type { LegState, RtpStream, SipEvent } from "./context.ts";
import { correlate } from "./correlate.ts";
import { digitConservation } from "./conservation.ts";
import type { LegBuildResult } from "./legs.ts";
import {
  directionOf,
  eventDigit,
  inbandDigits,
  ptsOf,
  receiverMedia,
  rtpEventDigits,
  summarizeStream,
  type StreamPlacement,
} from "./media.ts";
import type {
  AnalysisReport,
  Call,
  DtmfEvent,
  DtmfMethod,
  Finding,
  LadderMessage,
  Leg,
  RtpStreamSummary,
} from "./model.ts";
import { outOfDialogKpml, sipDtmf } from "./sip-dtmf.ts";
import { sdpOf } from "./sdp-of.ts";
import { runRules } from "../rules/verdict.ts";
import type { RuleContext } from "../rules/rule.ts";
import { legMethods } from "../rules/dtmf-method-mismatch.ts";
import { round3 } from "./units.ts";

/** What one closed set of calls adds to the report, in the report's own shapes. */
export interface SegmentOutput {
  calls: Call[];
  legs: Leg[];
  findings: Finding[];
  ladder: LadderMessage[];
  streams: RtpStreamSummary[];
  /** Call-IDs with no INVITE: method -> count */
  otherSip: Record<string, number>;
}

export interface SegmentInput {
  built: LegBuildResult;
  /** every SIP message of the set, in capture order (the ladder) */
  events: readonly SipEvent[];
  /** the RTP streams of the set, in the order they started */
  streams: readonly RtpStream[];
  placement: ReadonlyMap<RtpStream, StreamPlacement>;
  /** calls of the set as correlate() made them (computed again when absent) */
  calls?: Call[];
  /** the number of calls already reported: this set's calls are numbered after them */
  callsBefore: number;
  /** streams tied to no leg are reported (the last set of a capture) */
  reportOrphanStreams: boolean;
  rel(tsS: number): number;
}

export function analyzeSegment(input: SegmentInput): SegmentOutput {
  const { built, rel } = input;
  const legById = new Map(built.legs.map((st) => [st.leg.callId, st] as const));
  const ood = outOfDialogKpml(built.orphanEvents, legById);

  // RTP -> legs, and the RTP digits
  const streamSummaries: RtpStreamSummary[] = [];
  for (const s of input.streams) {
    const pl = input.placement.get(s);
    if (pl === undefined) {
      if (input.reportOrphanStreams && plausibleRtp(s)) streamSummaries.push(orphanSummary(s, rel));
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

  const legs: Leg[] = built.legs.map((st) => st.leg);
  const calls: Call[] = input.calls ?? correlate(built.legs);
  calls.forEach((c, i) => (c.id = `call-${input.callsBefore + i + 1}`));
  const legMap = new Map(legs.map((l) => [l.callId, l] as const));
  for (const c of calls) {
    const dc = digitConservation(c, legMap);
    if (dc !== undefined) c.digitConservation = dc;
  }
  const callOf = new Map<string, Call>();
  for (const c of calls) for (const id of c.legs) callOf.set(id, c);
  // the rules read calls and legs through this partial report
  const report = { calls, legs } as unknown as AnalysisReport;
  const ctx: RuleContext = { legs: built.legs, legById, report, callOf };
  return {
    calls,
    legs,
    findings: runRules(ctx),
    ladder: ladderOf(input.events, rel),
    streams: streamSummaries,
    otherSip: built.otherSip,
  };
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

function ladderOf(events: readonly SipEvent[], rel: (t: number) => number): LadderMessage[] {
  return events.map((e) => ({
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
