/** RFC 4733 §2.5.1.4: "the final packet for each event ... SHOULD be sent a total of three times". */
import type { Rule, RuleContext } from "./rule.ts";
import { digitsOf, dirOf, wireFindings } from "./rfc4733-common.ts";

export const rfc4733EndRetransmit: Rule = {
  id: "rfc4733-end-retransmit",
  rootCauseRank: 85,
  summary: "end packet not sent three times",
  evaluate(ctx: RuleContext) {
    return wireFindings(
      ctx,
      this.id,
      "warning",
      (e) => e.rec.endPackets > 0 && e.rec.endPackets < 3,
      (evs) => ({
        message: `RFC 2833 digits ${digitsOf(evs)} (${dirOf(evs)}): the end packet was sent ${evs.map((e) => e.rec.endPackets).join("/")} time(s), not three (RFC 4733 §2.5.1.4); one lost end packet then leaves the receiver waiting.`,
        fix: "Have the sender repeat the end packet three times (IOS and CUCM MTPs do); check for loss between sender and capture point.",
      }),
    );
  },
};
