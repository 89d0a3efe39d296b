/**
 * The field symptom (DOMAIN.md §8): an answered call set up to carry DTMF (telephone-event
 * negotiated, or KPML/INFO/NOTIFY in play on it or a leg of the same call) that carried no valid
 * digit and was torn down about ten seconds after answer: the MVS validation digits never arrived.
 * A call that never set up DTMF and simply ended is not this.
 */
import type { Finding } from "../analysis/model.ts";
import { legMethods } from "./dtmf-method-mismatch.ts";
import { callIdFilter, legMembers, type Rule, type RuleContext } from "./rule.ts";

export const WINDOW_S = { min: 7.5, max: 13 };

export const tenSecondDisconnect: Rule = {
  id: "ten-second-disconnect",
  rootCauseRank: 100,
  summary: "call torn down about 10 s after answer without valid DTMF",
  evaluate(ctx: RuleContext): Finding[] {
    const out: Finding[] = [];
    for (const st of ctx.legs) {
      const leg = st.leg;
      const bye = leg.bye;
      if (leg.answeredAtS === null || bye === null || bye.method !== "BYE" || bye.afterAnswerS === null)
        continue;
      if (bye.afterAnswerS < WINDOW_S.min || bye.afterAnswerS > WINDOW_S.max) continue;
      const members = legMembers(ctx, leg);
      const group = members.length > 0 ? members : [st];
      const dtmfSetUp = group.some((m) => legMethods(m).size > 0 || m.leg.dtmf.length > 0);
      if (!dtmfSetUp) continue;
      const validHere = leg.dtmf.some((d) => d.valid);
      const call = ctx.callOf.get(leg.callId);
      const conservedOk = call?.digitConservation?.conserved ?? true;
      if (validHere && conservedOk) continue;
      const invalid = leg.dtmf.filter((d) => !d.valid);
      out.push({
        rule: this.id,
        severity: "error",
        legs: [leg.callId],
        message: `The ${bye.sender} sent BYE ${bye.afterAnswerS.toFixed(1)} s after answer${bye.reason ? ` (Reason: ${bye.reason})` : ""}; ${
          invalid.length > 0
            ? `the only digits on this leg (${invalid.map((d) => d.digit).join("")}) were unusable (${invalid[0]!.invalidReason})`
            : validHere
              ? "the digits did not reach the other legs of the call"
              : "no valid DTMF digit crossed this leg"
        }. This is the MVS validation-timeout signature.`,
        fix: "Make the validation digits reach MVS: an MTP on the MVS SIP trunk (Media Termination Point Required) to interwork RFC 2833 and KPML, matching telephone-event PTs on every leg, and Allow-Events: kpml advertised by MVS.",
        evidence: {
          frames: [st.okFrames[0] ?? st.invite.frame, bye.frame],
          filter: `(${callIdFilter([leg.callId])}) && (sip.Method == "BYE" || sip.Status-Code == 200)`,
        },
      });
    }
    return out;
  },
};
