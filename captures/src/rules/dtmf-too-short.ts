/**
 * MVS requires DTMF of at least 100 ms towards the handset (BlackBerry MVS telephony requirements,
 * DOMAIN.md §2.4, C7); shorter tones are missed by the MVS client and the call fails validation.
 */
import type { Finding } from "../analysis/model.ts";
import { framesFilter, type Rule, type RuleContext, uniqueSorted } from "./rule.ts";

export const MIN_DTMF_MS = 100;
/** In-band durations are measured in detector blocks (~13 ms each, ±1 block at each edge). */
export const INBAND_RESOLUTION_MS = 26;

export const dtmfTooShort: Rule = {
  id: "dtmf-too-short",
  rootCauseRank: 50,
  summary: "DTMF shorter than the 100 ms MVS needs",
  evaluate(ctx: RuleContext): Finding[] {
    const out: Finding[] = [];
    for (const st of ctx.legs) {
      const short = st.leg.dtmf.filter(
        (d) =>
          d.valid &&
          d.durationMs !== null &&
          d.endLost !== true &&
          d.durationMs < MIN_DTMF_MS - (d.method === "inband" ? INBAND_RESOLUTION_MS : 0),
      );
      if (short.length === 0) continue;
      const frames = uniqueSorted(short.flatMap((d) => d.frames));
      out.push({
        rule: this.id,
        severity: "error",
        legs: [st.leg.callId],
        message: `Digits ${short.map((d) => `${d.digit} (${d.durationMs} ms, ${d.direction})`).join(", ")} last less than ${MIN_DTMF_MS} ms; the MVS client may not detect them.`,
        fix: "Generate DTMF of at least 100 ms towards the handset: on the gateway/MTP that regenerates digits set a minimum duration (IOS `dtmf-relay rtp-nte` with `digit-drop`, or the MVS/CUCM minimum digit duration).",
        evidence: { frames, filter: framesFilter(frames) },
      });
    }
    return out;
  },
};
