/**
 * RFC 3261 §13.3.1.4: the UAS retransmits its 2xx until the ACK arrives; "If the server
 * retransmits the 2xx response for 64*T1 seconds without receiving an ACK, the dialog is
 * confirmed, but the session SHOULD be terminated ... with a BYE". So: no ACK, BYE from the callee
 * about 32 s after the 200.
 */
import type { Finding } from "../analysis/model.ts";
import { framesFilter, type Rule, type RuleContext } from "./rule.ts";

export const ACK_TIMEOUT_WINDOW_S = { min: 28, max: 40 };

export const ackTimeout: Rule = {
  id: "ack-timeout",
  rootCauseRank: 70,
  summary: "2xx never acknowledged; BYE about 64·T1 after answer",
  evaluate(ctx: RuleContext): Finding[] {
    const out: Finding[] = [];
    for (const st of ctx.legs) {
      const leg = st.leg;
      if (leg.answeredAtS === null || leg.ackSeen === true) continue;
      const bye = leg.bye;
      const timed =
        bye !== null &&
        bye.sender === "callee" &&
        bye.afterAnswerS !== null &&
        bye.afterAnswerS >= ACK_TIMEOUT_WINDOW_S.min &&
        bye.afterAnswerS <= ACK_TIMEOUT_WINDOW_S.max;
      if (!timed) continue;
      const frames = [...st.okFrames.slice(0, 8), bye.frame];
      out.push({
        rule: this.id,
        severity: "error",
        legs: [leg.callId],
        message: `The 200 OK was sent ${st.okFrames.length} time(s) and never acknowledged; the callee gave up and sent BYE ${bye.afterAnswerS!.toFixed(1)} s after answer (64·T1).`,
        fix: "Make the caller's ACK reach the callee: check the Contact/Record-Route of the 200 (a private or wrong address in Contact, NAT, or a firewall blocking the ACK's port), and the transport (UDP vs TCP) on the trunk.",
        evidence: { frames, filter: framesFilter(frames) },
      });
    }
    return out;
  },
};
