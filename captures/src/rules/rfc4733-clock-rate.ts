/**
 * RFC 4733 §2.4 / DOMAIN.md C3: the telephone-event clock rate should equal the audio codec's
 * (8000 for G.711/G.729); a relabelled rate makes durations and timestamps wrong at the receiver.
 */
import type { Finding } from "../analysis/model.ts";
import { framesFilter, type Rule, type RuleContext } from "./rule.ts";

export const rfc4733ClockRate: Rule = {
  id: "rfc4733-clock-rate",
  rootCauseRank: 65,
  summary: "telephone-event clock rate differs from the audio codec's",
  evaluate(ctx: RuleContext): Finding[] {
    const out: Finding[] = [];
    for (const st of ctx.legs) {
      for (const u of st.sdps) {
        const a = u.audio;
        const te = a?.telephoneEvent;
        if (a === null || a === undefined || te === null || te === undefined || a.port === 0) continue;
        const audio = a.rtpmaps.filter(
          (r) =>
            r.name.toLowerCase() !== "telephone-event" &&
            r.name.toLowerCase() !== "cn" &&
            r.name.toLowerCase() !== "red",
        );
        const teRates = new Set(
          a.rtpmaps.filter((r) => r.name.toLowerCase() === "telephone-event").map((r) => r.clockRate),
        );
        // RFC 4733 §2.4: one telephone-event entry per audio clock rate is the correct way to offer several rates
        if (audio.length === 0 || audio.some((r) => teRates.has(r.clockRate))) continue;
        // an SDP declares what its side receives: digits sent towards that side use this PT
        const towards = u.side === "callee" ? "caller->callee" : "callee->caller";
        const used = st.rtpEvents.some((e) => e.rec.pt === te.pt && e.direction === towards);
        out.push({
          rule: this.id,
          severity: used ? "error" : "warning",
          legs: [st.leg.callId],
          message: `The ${u.side}'s SDP (frame ${u.frame}) declares telephone-event/${te.clockRate} on PT ${te.pt} but its audio codecs run at ${[...new Set(audio.map((r) => r.clockRate))].join("/")} Hz; durations and timestamps of the digits will be misread${used ? " (digits were sent on it)" : ""}.`,
          fix: "Declare telephone-event with the audio codec's clock rate (telephone-event/8000 with G.711/G.729/G.722), or add a telephone-event entry per audio clock rate.",
          evidence: { frames: [u.frame], filter: framesFilter([u.frame]) },
        });
      }
    }
    return out;
  },
};
