/**
 * DTMF methods that do not meet (DOMAIN.md §4.4): one leg carries digits only as RFC 2833, the next
 * leg of the same call can take them only out of band (KPML / INFO / NOTIFY), and nothing
 * interworked them: the digits never leave. CUCM inserts an MTP exactly for this.
 */
import type { DtmfMethod, Finding, Leg } from "../analysis/model.ts";
import type { LegState } from "../analysis/context.ts";
import { callIdFilter, type Rule, type RuleContext, uniqueSorted } from "./rule.ts";

/** What a leg can carry: RFC 2833 when telephone-event was negotiated; KPML/INFO/NOTIFY when signalled. */
export function legMethods(st: LegState): Set<DtmfMethod> {
  const m = new Set<DtmfMethod>();
  if (st.leg.telephoneEventPt !== null) m.add("rfc2833");
  if (
    st.allowEvents.caller.has("kpml") ||
    st.allowEvents.callee.has("kpml") ||
    st.dtmfSignalling.some((s) => s.event === "kpml")
  )
    m.add("kpml");
  if (st.dtmfSignalling.some((s) => s.method === "INFO")) m.add("sip-info");
  if (st.callInfoNotify.caller || st.callInfoNotify.callee) m.add("notify");
  for (const d of st.leg.dtmf) if (d.valid) m.add(d.method);
  return m;
}

export const dtmfMethodMismatch: Rule = {
  id: "dtmf-method-mismatch",
  rootCauseRank: 10,
  summary: "legs of one call use DTMF methods that nothing interworks",
  evaluate(ctx: RuleContext): Finding[] {
    const out: Finding[] = [];
    for (const call of ctx.report.calls) {
      if (call.legs.length < 2) continue;
      const sts = call.legs.map((id) => ctx.legById.get(id)).filter((s): s is LegState => s !== undefined);
      const entry = sts
        .filter((s) => s.leg.dtmf.some((d) => d.valid))
        .sort((a, b) => a.leg.dtmf[0]!.atS - b.leg.dtmf[0]!.atS)[0];
      if (entry === undefined) continue;
      const enteredMethods = new Set(entry.leg.dtmf.filter((d) => d.valid).map((d) => d.method));
      for (const other of sts) {
        if (other === entry) continue;
        const can = legMethods(other);
        const common = [...enteredMethods].some((m) => can.has(m));
        const carried = other.leg.dtmf.some((d) => d.valid);
        if (common || carried || can.size === 0) continue;
        out.push(finding(this.id, entry.leg, other.leg, [...enteredMethods], [...can]));
      }
    }
    return out;
  },
};

function finding(rule: string, a: Leg, b: Leg, inMethods: DtmfMethod[], outMethods: DtmfMethod[]): Finding {
  const digits = a.dtmf
    .filter((d) => d.valid)
    .map((d) => d.digit)
    .join("");
  const frames = uniqueSorted([...a.dtmf.flatMap((d) => d.frames.slice(0, 1)), b.firstFrame]);
  return {
    rule,
    severity: "error",
    legs: [a.callId, b.callId],
    message: `Digits ${digits} entered on ${a.callId} as ${inMethods.join("/")}, but ${b.callId} only takes ${outMethods.join("/")} and no digit reached it: nothing interworks the two methods.`,
    fix: 'Set Media Termination Point Required on the MVS SIP trunk in CUCM so an MTP converts RFC 2833 to KPML (and back), or give both legs a common method (ISR dial-peer `dtmf-relay rtp-nte sip-kpml`; CUCM trunk DTMF Signaling Method "RFC 2833").',
    evidence: { frames, filter: callIdFilter([a.callId, b.callId]) },
  };
}
