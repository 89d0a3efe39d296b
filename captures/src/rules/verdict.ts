/**
 * The verdict names the root cause, not the symptom: `healthy` when no finding has severity
 * error, else the error finding whose rule ranks closest to the root cause. A ten-second
 * disconnect on a call that also has a root-cause error is marked as caused by it.
 */
import type { Finding } from "../analysis/model.ts";
import { RULES } from "./registry.ts";
import type { RuleContext } from "./rule.ts";

const rank = new Map(RULES.map((r) => [r.id, r.rootCauseRank]));

export function verdictOf(findings: readonly Finding[]): string {
  return rootCauseOf(findings)?.rule ?? "healthy";
}

/** The error finding closest to the root cause (the first of equals), or null when none is an error. */
export function rootCauseOf(findings: readonly Finding[]): Finding | null {
  let best: Finding | null = null;
  for (const f of findings) {
    if (f.severity !== "error") continue;
    if (best === null || (rank.get(f.rule) ?? 999) < (rank.get(best.rule) ?? 999)) best = f;
  }
  return best;
}

/** Link symptoms to causes within one call. */
export function linkCauses(findings: Finding[], ctx: RuleContext): void {
  const callOfLeg = (id: string) => ctx.callOf.get(id)?.id ?? id;
  for (const f of findings) {
    if (f.rule !== "ten-second-disconnect") continue;
    const calls = new Set(f.legs.map(callOfLeg));
    const causes = findings.filter(
      (g) =>
        g !== f && g.severity === "error" && g.rule !== f.rule && g.legs.some((l) => calls.has(callOfLeg(l))),
    );
    causes.sort((a, b) => (rank.get(a.rule) ?? 999) - (rank.get(b.rule) ?? 999));
    if (causes[0] !== undefined) f.causedBy = causes[0].rule;
  }
}

export function runRules(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const r of RULES) {
    try {
      out.push(...r.evaluate(ctx));
    } catch (e) {
      // a rule bug must not lose the other rules' results; it is reported as a finding
      out.push({
        rule: r.id,
        severity: "info",
        legs: [],
        message: `rule failed internally: ${e instanceof Error ? e.message : String(e)}`,
        fix: "report this as a bug in mvsct",
        evidence: { frames: [], filter: "" },
      });
    }
  }
  linkCauses(out, ctx);
  return out;
}
