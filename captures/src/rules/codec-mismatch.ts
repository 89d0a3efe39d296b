/**
 * Codec disagreements (DOMAIN.md §7, C1, C10, C12): 488/606 to the INVITE (RFC 3261 §21.4.26), an
 * answer that rejects the audio stream with port 0 (RFC 3264 §6), an answer listing formats that
 * were not offered (RFC 3264 §6.1), RTP with a PT the receiver's SDP lacks, and two legs of one
 * call on different codecs with no transcoder.
 */
import { getHeader } from "../../../protocol/src/wire/sip/headers.ts";
import type { Finding } from "../analysis/model.ts";
import { callIdFilter, legMembers, type Rule, type RuleContext } from "./rule.ts";

const FIX_NO_COMMON =
  "Offer a codec both ends allow: align the ISR dial-peer (`codec g711ulaw` or `voice-class codec` with `codec preference 1 g711ulaw`) with the CUCM region between the devices, or give CUCM a transcoder/MTP (MRGL) for the call.";

export const codecMismatch: Rule = {
  id: "codec-mismatch",
  rootCauseRank: 40,
  summary: "codec offer/answer or RTP payload disagrees with SDP",
  evaluate(ctx: RuleContext): Finding[] {
    const out: Finding[] = [];
    for (const st of ctx.legs) {
      const leg = st.leg;
      if (leg.finalStatus === 488 || leg.finalStatus === 606) {
        const ev = st.events.find((e) => e.frame === st.rejectedFrame);
        const warning = ev !== undefined ? getHeader(ev.msg, "warning") : undefined;
        out.push({
          rule: this.id,
          severity: "error",
          legs: [leg.callId],
          message: `The INVITE was refused with ${leg.finalStatus}${warning !== undefined ? ` (Warning: ${warning})` : ""}: no codec in the offer was acceptable.`,
          fix: FIX_NO_COMMON,
          evidence: {
            frames: [st.invite.frame, st.rejectedFrame ?? st.invite.frame],
            filter: `(${callIdFilter([leg.callId])}) && sip.Status-Code == ${leg.finalStatus}`,
          },
        });
      }
      const offer = st.offer?.audio;
      const answer = st.answer?.audio;
      if (
        offer !== undefined &&
        offer !== null &&
        answer !== undefined &&
        answer !== null &&
        st.answer !== null
      ) {
        if (answer.port === 0 && offer.port !== 0) {
          out.push({
            rule: this.id,
            severity: "error",
            legs: [leg.callId],
            message: "The answer rejected the audio stream (m=audio port 0): no common codec.",
            fix: FIX_NO_COMMON,
            evidence: {
              frames: [st.offer!.frame, st.answer.frame],
              filter: `frame.number in {${st.offer!.frame} ${st.answer.frame}}`,
            },
          });
        } else {
          const offered = new Set(offer.rtpmaps.map((r) => `${r.name.toLowerCase()}/${r.clockRate}`));
          const extra = answer.rtpmaps.filter((r) => !offered.has(`${r.name.toLowerCase()}/${r.clockRate}`));
          if (extra.length > 0) {
            // Extra formats next to a common codec are a protocol fault the call survives; an
            // answer whose chosen codec was never offered leaves no usable codec.
            const chosen = answer.rtpmaps.find((r) => !/^(telephone-event|cn|red)$/i.test(r.name));
            const fatal = chosen !== undefined && extra.includes(chosen);
            out.push({
              rule: this.id,
              severity: fatal ? "error" : "warning",
              legs: [leg.callId],
              message: `The answer lists ${extra.map((r) => `${r.name}/${r.clockRate} (PT ${r.pt})`).join(", ")}, which the offer did not contain (RFC 3264 §6.1).`,
              fix: "The answerer must pick from the offer: fix the answering side's codec list (CUCM region / ISR dial-peer `voice-class codec`) or insert a transcoder.",
              evidence: {
                frames: [st.offer!.frame, st.answer.frame],
                filter: `frame.number in {${st.offer!.frame} ${st.answer.frame}}`,
              },
            });
          }
        }
      }
      for (const s of st.streamSummaries) {
        // event-like PTs are judged by dtmf-pt-mismatch
        const eventPts = new Set(
          leg.dtmf.filter((d) => d.method === "rfc2833" && d.ssrc === s.ssrc).map((d) => d.pt),
        );
        const unexpected = s.unexpectedPts.filter((p) => !eventPts.has(p));
        if (unexpected.length === 0) continue;
        // Media the receiver cannot decode is an error when it is the audio itself; a few stray
        // packets (comfort noise, Cisco NSE on PT 100) are a warning.
        const stream = st.streams.find(
          (x) =>
            `0x${x.ssrc.toString(16).toUpperCase().padStart(8, "0")}` === s.ssrc &&
            s.firstFrame === x.firstFrame,
        );
        const strayShare =
          stream === undefined
            ? 1
            : unexpected.reduce((n, p) => n + (stream.ptCounts[p] ?? 0), 0) / Math.max(1, stream.packets);
        out.push({
          rule: this.id,
          severity: strayShare >= 0.2 ? "error" : "warning",
          legs: [leg.callId],
          message: `RTP ${s.from} -> ${s.to} (SSRC ${s.ssrc}) carries PT ${unexpected.join(", ")}, which the receiver's SDP does not list: the receiver cannot decode it.`,
          fix: "Send only what the receiver's SDP lists (RFC 3264 §5.1): make the endpoint honour the answer, or put a transcoder/MTP between legs whose codecs differ.",
          evidence: {
            frames: [s.firstFrame],
            filter: `${unexpected.map((p) => `rtp.p_type == ${p}`).join(" || ")} && rtp.ssrc == ${s.ssrc}`,
          },
        });
      }
    }
    // hairpin: legs of one call on different codecs
    for (const call of ctx.report.calls) {
      if (call.legs.length < 2) continue;
      const legs = legMembers(ctx, ctx.legById.get(call.legs[0]!)!.leg)
        .map((s) => s.leg)
        .filter((l) => l.codec !== null);
      const names = new Set(legs.map((l) => `${l.codec!.name.toUpperCase()}/${l.codec!.clockRate ?? 8000}`));
      if (names.size > 1) {
        out.push({
          rule: this.id,
          severity: "warning",
          legs: legs.map((l) => l.callId),
          message: `The legs of ${call.id} negotiated different codecs (${legs.map((l) => `${l.callId}: ${l.codec!.name}`).join("; ")}); without a transcoder in the path the audio cannot pass.`,
          fix: "Use one codec end to end (CUCM region pair and ISR dial-peer alike), or make sure a transcoder is allocated (MRGL with a transcoder for the MVS trunk).",
          evidence: {
            frames: legs.map((l) => l.firstFrame),
            filter: callIdFilter(legs.map((l) => l.callId)),
          },
        });
      }
    }
    return out;
  },
};
