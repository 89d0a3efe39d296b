/** RFC 4733 §2.4.1: only events the receiver listed in fmtp (default 0-15) may be sent; R is 0 (§2.3). */
import type { Rule, RuleContext } from "./rule.ts";
import { digitsOf, dirOf, wireFindings } from "./rfc4733-common.ts";

export const rfc4733EventRange: Rule = {
  id: "rfc4733-event-range",
  rootCauseRank: 80,
  summary: "event code outside the negotiated events, or reserved bit set",
  evaluate(ctx: RuleContext) {
    return wireFindings(
      ctx,
      this.id,
      "warning",
      (e) =>
        e.rec.reservedSet ||
        (e.receiverTe !== null && e.rec.pt === e.receiverTe.pt && !e.receiverTe.events.includes(e.rec.event)),
      (evs) => ({
        message: `RFC 2833 events ${digitsOf(evs)} (${dirOf(evs)}): ${evs.some((e) => e.rec.reservedSet) ? "the reserved R bit is set" : `event code(s) ${[...new Set(evs.map((e) => e.rec.event))].join(", ")} outside the receiver's fmtp ${evs[0]!.receiverTe?.events.length ? "list" : ""}`} (RFC 4733 §2.3, §2.4.1).`,
        fix: "Send only the events the receiver declared (a=fmtp:<pt> 0-15 for DTMF); hook flash (16) needs to be declared too.",
      }),
    );
  },
};
