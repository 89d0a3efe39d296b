/**
 * The report seen the way the renderers walk it: calls with their legs resolved, legs tied to no
 * call collected in their own group, findings sorted by severity, and the SIP ladder capped and
 * grouped by call. Pure and total: a report with dangling references still renders.
 */
import type {
  AnalysisReport,
  Call,
  DtmfEvent,
  Finding,
  LadderMessage,
  Leg,
  RtpStreamSummary,
  Severity,
} from "../analysis/model.ts";
import { SEVERITY_RANK } from "./format.ts";

/** Ladder messages drawn at most; the rest are counted in `LadderView.omitted`. */
export const LADDER_LIMIT = 500;

export interface CallView {
  /** 1-based position in the report ("Call 1"); 0 for the group of legs tied to no call */
  index: number;
  call: Call | null;
  title: string;
  legs: Leg[];
  /** leg ids named by the call but absent from `report.legs` */
  missingLegIds: string[];
  /** every digit on every leg of the call, in time order, with the leg's position */
  dtmf: { leg: Leg; legIndex: number; event: DtmfEvent }[];
}

export interface LadderGroup {
  /** call index as in `CallView.index`, or -1 for SIP tied to no call */
  callIndex: number;
  title: string;
  messages: LadderMessage[];
}

export interface LadderView {
  /** distinct "ip:port" addresses in order of first appearance among the drawn messages */
  columns: string[];
  groups: LadderGroup[];
  drawn: number;
  omitted: number;
}

export interface ReportView {
  report: AnalysisReport;
  calls: CallView[];
  findings: Finding[];
  counts: Record<Severity, number>;
  /** leg Call-IDs named by at least one error finding */
  errorLegs: ReadonlySet<string>;
  streams: RtpStreamSummary[];
  ladder: LadderView;
  /** short name per leg Call-ID: "C1/L2" (call 1, leg 2) or "L3" for legs tied to no call */
  legLabels: ReadonlyMap<string, string>;
  tone: "healthy" | "warning" | "error";
}

/** Builds the view; `ladderLimit` caps drawn ladder messages (default `LADDER_LIMIT`). */
export function buildView(report: AnalysisReport, ladderLimit = LADDER_LIMIT): ReportView {
  const legById = new Map<string, Leg>();
  for (const leg of report.legs) if (!legById.has(leg.callId)) legById.set(leg.callId, leg);

  const calls: CallView[] = [];
  const claimed = new Set<string>();
  report.calls.forEach((call, i) => {
    const legs: Leg[] = [];
    const missing: string[] = [];
    for (const id of call.legs) {
      const leg = legById.get(id);
      if (leg === undefined) missing.push(id);
      else if (!legs.includes(leg)) legs.push(leg);
      claimed.add(id);
    }
    calls.push(callView(i + 1, call, `Call ${i + 1}`, legs, missing));
  });
  const orphans = report.legs.filter((l) => !claimed.has(l.callId));
  if (orphans.length > 0) calls.push(callView(0, null, "Legs tied to no call", orphans, []));

  const findings = report.findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => SEVERITY_RANK[a.f.severity] - SEVERITY_RANK[b.f.severity] || a.i - b.i)
    .map((x) => x.f);
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  const errorLegs = new Set<string>();
  for (const f of findings) {
    counts[f.severity] = (counts[f.severity] ?? 0) + 1;
    if (f.severity === "error") for (const id of f.legs) errorLegs.add(id);
  }

  // The analyzer owns the verdict; the colour only separates "not healthy with errors" from the rest.
  const tone: ReportView["tone"] =
    report.verdict === "healthy" ? "healthy" : counts.error > 0 ? "error" : "warning";
  const legLabels = new Map<string, string>();
  for (const c of calls) {
    c.legs.forEach((leg, i) => {
      if (!legLabels.has(leg.callId))
        legLabels.set(leg.callId, c.index === 0 ? `L${i + 1}` : `C${c.index}/L${i + 1}`);
    });
  }
  return {
    report,
    legLabels,
    calls,
    findings,
    counts,
    errorLegs,
    streams: allStreams(report),
    ladder: buildLadder(report.ladder ?? [], calls, ladderLimit),
    tone,
  };
}

function callView(index: number, call: Call | null, title: string, legs: Leg[], missing: string[]): CallView {
  const dtmf = legs
    .flatMap((leg, legIndex) => leg.dtmf.map((event) => ({ leg, legIndex, event })))
    .sort((a, b) => a.event.atS - b.event.atS || a.legIndex - b.legIndex);
  return { index, call, title, legs, missingLegIds: missing, dtmf };
}

/** `report.streams` when the analyzer gave it, else the union of the legs' streams. */
function allStreams(report: AnalysisReport): RtpStreamSummary[] {
  if (report.streams !== undefined) return report.streams;
  const seen = new Set<string>();
  const out: RtpStreamSummary[] = [];
  for (const leg of report.legs) {
    for (const s of leg.streams ?? []) {
      const key = `${s.from}|${s.to}|${s.ssrc}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(s);
      }
    }
  }
  return out;
}

function buildLadder(all: readonly LadderMessage[], calls: CallView[], limit: number): LadderView {
  const drawn = all.slice(0, Math.max(0, limit));
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const m of drawn) {
    for (const addr of [m.from, m.to]) {
      if (!seen.has(addr)) {
        seen.add(addr);
        columns.push(addr);
      }
    }
  }
  const callOfLeg = new Map<string, CallView>();
  for (const c of calls)
    for (const leg of c.legs) if (!callOfLeg.has(leg.callId)) callOfLeg.set(leg.callId, c);
  for (const c of calls) for (const id of c.missingLegIds) if (!callOfLeg.has(id)) callOfLeg.set(id, c);

  const groups = new Map<string, LadderGroup>();
  for (const m of drawn) {
    const c = m.callId === null ? undefined : callOfLeg.get(m.callId);
    const key = c === undefined ? "none" : `call-${c.index}`;
    let g = groups.get(key);
    if (g === undefined) {
      g =
        c === undefined
          ? { callIndex: -1, title: "SIP tied to no call", messages: [] }
          : { callIndex: c.index, title: c.title, messages: [] };
      groups.set(key, g);
    }
    g.messages.push(m);
  }
  return { columns, groups: [...groups.values()], drawn: drawn.length, omitted: all.length - drawn.length };
}
