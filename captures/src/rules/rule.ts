/** A rule reads the analysed capture and returns findings with evidence; rules never throw. */
import type { LegState } from "../analysis/context.ts";
import type { AnalysisReport, Call, Finding, Leg } from "../analysis/model.ts";

export interface RuleContext {
  readonly report: AnalysisReport;
  readonly legs: readonly LegState[];
  readonly legById: ReadonlyMap<string, LegState>;
  readonly callOf: ReadonlyMap<string, Call>;
}

export interface Rule {
  readonly id: string;
  /** Lower = closer to the root cause; the verdict is the error finding with the lowest rank. */
  readonly rootCauseRank: number;
  readonly summary: string;
  evaluate(ctx: RuleContext): Finding[];
}

export function callIdFilter(callIds: readonly string[]): string {
  return callIds.map((c) => `sip.Call-ID == "${c.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(" || ");
}

export function framesFilter(frames: readonly number[]): string {
  const uniq = [...new Set(frames)].sort((a, b) => a - b).slice(0, 64);
  return uniq.length === 0 ? "" : `frame.number in {${uniq.join(" ")}}`;
}

export function legMembers(ctx: RuleContext, leg: Leg): LegState[] {
  const call = ctx.callOf.get(leg.callId);
  if (call === undefined) return [];
  return call.legs.map((id) => ctx.legById.get(id)).filter((x): x is LegState => x !== undefined);
}

export function uniqueSorted(xs: readonly number[]): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}
