/**
 * RFC 4733 events on a payload type the receiver did not declare as telephone-event (RFC 3264 §6.1:
 * each side sends with the PT the receiver declared; DOMAIN.md C2). The receiver drops them as an
 * unknown PT, so the digit is lost: MVS never validates the call.
 */
import type { Finding } from "../analysis/model.ts";
import { framesFilter, type Rule, type RuleContext, uniqueSorted } from "./rule.ts";

export const dtmfPtMismatch: Rule = {
  id: "dtmf-pt-mismatch",
  rootCauseRank: 20,
  summary: "RFC 2833 digits sent on a payload type the receiver did not negotiate",
  evaluate(ctx: RuleContext): Finding[] {
    const out: Finding[] = [];
    for (const st of ctx.legs) {
      const leg = st.leg;
      const bad = leg.dtmf.filter(
        (d) =>
          d.method === "rfc2833" &&
          !d.valid &&
          d.invalidReason !== undefined &&
          /^PT |no SDP/.test(d.invalidReason),
      );
      if (bad.length === 0) continue;
      const byDir = new Map<string, typeof bad>();
      for (const d of bad)
        byDir.set(`${d.direction}|${d.pt}`, [...(byDir.get(`${d.direction}|${d.pt}`) ?? []), d]);
      for (const [key, ds] of byDir) {
        const [direction, pt] = key.split("|");
        const receiverTe =
          direction === "caller->callee" ? leg.calleeTelephoneEventPt : leg.callerTelephoneEventPt;
        const want =
          receiverTe === null || receiverTe === undefined
            ? "no telephone-event at all"
            : `telephone-event on PT ${receiverTe}`;
        const frames = uniqueSorted(ds.flatMap((d) => d.frames));
        const ssrcs = [...new Set(ds.map((d) => d.ssrc).filter((s): s is string => s !== undefined))];
        out.push({
          rule: this.id,
          severity: "error",
          legs: [leg.callId],
          message: `Digits ${ds.map((d) => d.digit).join("")} went ${direction} as RFC 2833 on PT ${pt}, but the receiver declared ${want}; it discards them, so the digits are lost.`,
          fix:
            receiverTe === null || receiverTe === undefined
              ? "Negotiate telephone-event on this leg (ISR dial-peer: `dtmf-relay rtp-nte`) or interwork to KPML with an MTP (CUCM: set Media Termination Point Required on the MVS SIP trunk)."
              : `Send DTMF with the receiver's telephone-event PT ${receiverTe}: align the PT on both legs (CUCM SIP Profile "Default MTP Telephony Event Payload Type" ${receiverTe}; ISR \`rtp payload-type nte ${receiverTe}\`), or let the MTP/CUBE rewrite it (IOS \`voice-class sip asymmetric payload dtmf\`).`,
          evidence: {
            frames,
            filter:
              ssrcs.length > 0
                ? `rtp.p_type == ${pt} && (${ssrcs.map((s) => `rtp.ssrc == ${s}`).join(" || ")})`
                : framesFilter(frames),
          },
        });
      }
    }
    return out;
  },
};
