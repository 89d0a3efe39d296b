/** RFC 4733 §2.5.1.3-4: the duration field only grows within an event, and E stays set once set. */
import type { Rule, RuleContext } from "./rule.ts";
import { digitsOf, dirOf, wireFindings } from "./rfc4733-common.ts";

export const rfc4733Duration: Rule = {
  id: "rfc4733-duration",
  rootCauseRank: 80,
  summary: "event duration decreasing, or E bit cleared after being set",
  evaluate(ctx: RuleContext) {
    return wireFindings(
      ctx,
      this.id,
      "warning",
      (e) => e.rec.durationDecreased || e.rec.endCleared,
      (evs) => ({
        message: `RFC 2833 digits ${digitsOf(evs)} (${dirOf(evs)}): ${evs.some((e) => e.rec.durationDecreased) ? "the duration went down within an event" : "a packet without the E bit followed the end packet"} (RFC 4733 §2.5.1.3/§2.5.1.4).`,
        fix: "Fix the sender's RFC 2833 generator: durations are cumulative from the event start, and the end packet's retransmissions keep E=1 and the final duration.",
      }),
    );
  },
};
