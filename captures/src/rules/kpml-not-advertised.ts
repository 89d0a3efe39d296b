/**
 * KPML used towards a party that never advertised it (RFC 4730 §4; RFC 6665 §8.2.1: a SUBSCRIBE
 * for an unsupported package is answered 489 Bad Event). CUCM offers KPML only to peers that send
 * `Allow-Events: kpml` (DOMAIN.md §4.4), so a peer that omits it never gets its digits that way.
 */
import type { Finding } from "../analysis/model.ts";
import { framesFilter, type Rule, type RuleContext } from "./rule.ts";

export const kpmlNotAdvertised: Rule = {
  id: "kpml-not-advertised",
  rootCauseRank: 30,
  summary: "KPML subscription to a party that did not advertise Allow-Events: kpml",
  evaluate(ctx: RuleContext): Finding[] {
    const out: Finding[] = [];
    for (const st of ctx.legs) {
      for (const s of st.dtmfSignalling) {
        if (s.method !== "SUBSCRIBE" || s.event !== "kpml") continue;
        const target = s.sender === "caller" ? "callee" : "caller";
        const advertised = (target === "caller" ? st.allowEvents.caller : st.allowEvents.callee).has("kpml");
        const refused = s.status !== null && s.status >= 300;
        if (advertised && !refused) continue;
        const frames = s.statusFrame !== null ? [s.frame, s.statusFrame] : [s.frame];
        // refused: no digit can be reported this way (error); accepted without the advertisement:
        // it works with this peer but relies on support it never declared (warning)
        out.push({
          rule: this.id,
          severity: refused ? "error" : "warning",
          legs: [st.leg.callId],
          message: refused
            ? `The ${s.sender} subscribed to KPML and the ${target}${advertised ? "" : ", which never advertised Allow-Events: kpml,"} answered ${s.status}: digits cannot be reported by KPML on this leg.`
            : `The ${s.sender} subscribed to KPML and the ${target} accepted although it never advertised Allow-Events: kpml; CUCM would not have offered KPML to it.`,
          fix: "Advertise and accept KPML on the MVS side (Allow-Events: kpml in its INVITE/200 and REGISTER), or use RFC 2833 with an MTP: CUCM offers KPML only to peers that advertise it.",
          evidence: { frames, filter: framesFilter(frames) },
        });
      }
    }
    return out;
  },
};
