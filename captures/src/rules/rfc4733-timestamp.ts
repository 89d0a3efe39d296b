/** RFC 4733 §2.5.1.2: every packet of one event carries the same RTP timestamp, the event's start. */
import type { Rule, RuleContext } from "./rule.ts";
import { digitsOf, dirOf, wireFindings } from "./rfc4733-common.ts";

export const rfc4733Timestamp: Rule = {
  id: "rfc4733-timestamp",
  rootCauseRank: 60,
  summary: "one event sent with more than one RTP timestamp",
  evaluate(ctx: RuleContext) {
    return wireFindings(
      ctx,
      this.id,
      "error",
      (e) => e.rec.timestampChanged,
      (evs) => ({
        message: `RFC 2833 digits ${digitsOf(evs)} (${dirOf(evs)}): the RTP timestamp changed in the middle of an event; a receiver sees two key presses (RFC 4733 §2.5.1.2: one timestamp per event).`,
        fix: "Fix the sender or the relay that regenerates the events: keep the event's start timestamp on every update and end packet.",
      }),
    );
  },
};
