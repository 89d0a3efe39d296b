/** RFC 4733 §2.5.1.2 (and RFC 2833 §3): the marker bit is set on the first packet of an event, and only there. */
import { START_LOST_DURATION_TS } from "../analysis/rtp-collector.ts";
import type { Rule, RuleContext } from "./rule.ts";
import { digitsOf, dirOf, wireFindings } from "./rfc4733-common.ts";

export const rfc4733Marker: Rule = {
  id: "rfc4733-marker",
  rootCauseRank: 80,
  summary: "marker bit missing on the first event packet, or repeated",
  evaluate(ctx: RuleContext) {
    return wireFindings(
      ctx,
      this.id,
      "warning",
      // a first packet whose duration shows it was not the start (start lost) is not the sender's fault
      (e) =>
        (!e.rec.markerOnFirst && e.rec.firstDurationTs <= START_LOST_DURATION_TS) || e.rec.markerCount > 1,
      (evs) => ({
        message: `RFC 2833 digits ${digitsOf(evs)} (${dirOf(evs)}): ${evs.some((e) => e.rec.markerCount > 1) ? "the marker bit is set on more than the first packet" : "the first packet of the event has no marker bit"} (RFC 4733 §2.5.1.2); receivers that key on M may miss or double the digit.`,
        fix: "Fix the sender's RFC 2833 generator (gateway/MTP firmware); CUCM MTPs and IOS set M only on the first packet.",
      }),
    );
  },
};
