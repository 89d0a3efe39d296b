/** Shared shape of the RFC 4733 wire rules: one finding per leg, direction and kind of fault. */
import type { LegRtpEvent, LegState } from "../analysis/context.ts";
import type { Finding, Severity } from "../analysis/model.ts";
import { eventDigit } from "../analysis/media.ts";
import { type RuleContext, uniqueSorted } from "./rule.ts";

export function wireFindings(
  ctx: RuleContext,
  rule: string,
  severity: Severity | ((evs: LegRtpEvent[]) => Severity),
  select: (e: LegRtpEvent) => boolean,
  describe: (evs: LegRtpEvent[], st: LegState) => { message: string; fix: string },
): Finding[] {
  const out: Finding[] = [];
  for (const st of ctx.legs) {
    const groups = new Map<string, LegRtpEvent[]>();
    for (const e of st.rtpEvents) {
      if (!select(e)) continue;
      const k = `${e.direction}|${e.stream.ssrc}|${e.rec.pt}`;
      groups.set(k, [...(groups.get(k) ?? []), e]);
    }
    for (const evs of groups.values()) {
      const { message, fix } = describe(evs, st);
      const frames = uniqueSorted(
        evs.flatMap((e) => [
          e.rec.firstFrame,
          ...e.rec.faultFrames.slice(0, 8),
          ...e.rec.endFrames.slice(0, 3),
        ]),
      );
      const ssrc = `0x${evs[0]!.stream.ssrc.toString(16).toUpperCase().padStart(8, "0")}`;
      out.push({
        rule,
        severity: typeof severity === "function" ? severity(evs) : severity,
        legs: [st.leg.callId],
        message,
        fix,
        evidence: { frames, filter: `rtp.ssrc == ${ssrc} && rtp.p_type == ${evs[0]!.rec.pt}` },
      });
    }
  }
  return out;
}

export function digitsOf(evs: LegRtpEvent[]): string {
  return evs.map((e) => eventDigit(e.rec.event)).join("");
}

export function dirOf(evs: LegRtpEvent[]): string {
  return evs[0]!.direction;
}
