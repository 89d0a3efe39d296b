import { DTMF_EVENT_BY_DIGIT } from "../wire/rfc4733/dtmf-events.ts";
import type { DtmfDigit } from "../wire/dtmf/digits.ts";
import {
  DTMF_RELAY_DEFAULTS,
  otherLeg,
  type DtmfMethod,
  type LegId,
  type ResolvedLeg,
} from "./dtmf-relay-config.ts";
import type { DtmfLogEntry, RelaySink } from "./dtmf-relay-io.ts";
import { newEgressEvent, type EgressEvents } from "./egress-events.ts";
import type { DigitRoute, IngressEvent } from "./ingress-digits.ts";

export const NO_ROUTE: DigitRoute = Object.freeze({ kind: "none" });
export const SUPPRESSED: DigitRoute = Object.freeze({ kind: "suppressed" });

/**
 * Where a digit received on one leg goes on the other (DOMAIN.md §6.5: "Convert KPML/OOB ⇄ NTE
 * when legs differ; never send NTE to a leg that did not negotiate telephone-event"), and the
 * DTMF log line that records it.
 *
 * - egress rfc2833 (with a telephone-event PT): an RFC 4733 event, relayed or generated;
 * - egress kpml/info/notify: one SIP send; at once for a SIP digit, at the end of an RFC 4733 one;
 * - egress none, or rfc2833 without a PT: not relayed, logged with method "none".
 */
export class DigitRouter {
  constructor(
    /** live views: the relay replaces entries on re-negotiation */
    private readonly legs: Readonly<Record<LegId, ResolvedLeg>>,
    private readonly egress: Readonly<Record<LegId, EgressEvents>>,
    private readonly callId: string | undefined,
    private readonly log: (entry: DtmfLogEntry, sink: RelaySink) => void,
  ) {}

  /** Decides where a new ingress digit goes and starts it there. */
  route(
    leg: LegId,
    digit: DtmfDigit,
    method: DtmfMethod,
    pt: number | null,
    src: IngressEvent | null,
    durationMs: number | undefined,
    nowMs: number,
    sink: RelaySink,
  ): DigitRoute {
    const out = otherLeg(leg);
    const cx = this.legs[out];
    const logBase = {
      ...(this.callId !== undefined ? { callId: this.callId } : {}),
      digit,
      atMs: nowMs,
      ingress: { leg, method, pt },
    };
    let m = cx.egressMethod;
    if (m === "rfc2833" && cx.telephoneEventPt === null) {
      sink.note(
        out,
        "no-telephone-event",
        `leg ${out} did not negotiate telephone-event: digit ${digit} not sent as RFC 4733`,
      );
      m = "none";
    }
    if (m === "rfc2833") {
      const ms = this.sipDurationMs(cx, durationMs);
      const ev = newEgressEvent(
        digit,
        DTMF_EVENT_BY_DIGIT[digit],
        src !== null ? src.volume : cx.volume,
        src,
        this.legs[leg].clockRate,
        Math.min(0xffff, Math.round((ms * cx.clockRate) / 1000)),
        logBase,
      );
      if (this.egress[out].submit(ev, nowMs, sink)) return { kind: "rfc2833", egress: ev };
      sink.note(out, "queue-full", `digit ${digit} dropped: too many digits waiting for leg ${out}`);
      m = "none";
    }
    if (m === "none") {
      this.log({ ...logBase, egress: { leg: out, method: "none", pt: null }, latencyMs: null }, sink);
      return NO_ROUTE;
    }
    if (src === null) {
      sink.signal(out, m, digit, this.sipDurationMs(cx, durationMs));
      this.log({ ...logBase, egress: { leg: out, method: m, pt: null }, latencyMs: 0 }, sink);
    }
    return { kind: "oob", method: m };
  }

  /** Duration of a digit received in SIP, as sent on the egress leg: at least its minimum. */
  private sipDurationMs(cx: ResolvedLeg, durationMs: number | undefined): number {
    const ms =
      durationMs !== undefined && Number.isFinite(durationMs)
        ? Math.round(durationMs)
        : cx.generatedDurationMs;
    return Math.min(DTMF_RELAY_DEFAULTS.maxGeneratedDurationMs, Math.max(cx.minDurationMs, ms));
  }

  /** The ingress RFC 4733 event `ev` ended: its end goes to the egress event, or the SIP send goes out now. */
  finish(ev: IngressEvent, reason: "end" | "timeout" | "superseded", nowMs: number, sink: RelaySink): void {
    const out = otherLeg(ev.leg);
    const r = ev.route;
    if (r.kind === "rfc2833") {
      this.egress[out].onIngress(r.egress, reason === "end" ? "end" : "end-synth", nowMs, sink);
    } else if (r.kind === "oob") {
      const cx = this.legs[out];
      const ms = Math.max(cx.minDurationMs, Math.round((ev.durationTs * 1000) / this.legs[ev.leg].clockRate));
      sink.signal(out, r.method, ev.digit, ms);
      this.log(
        {
          ...(this.callId !== undefined ? { callId: this.callId } : {}),
          digit: ev.digit,
          atMs: ev.startMs,
          ingress: { leg: ev.leg, method: "rfc2833", pt: ev.pt },
          egress: { leg: out, method: r.method, pt: null },
          latencyMs: nowMs - ev.startMs,
        },
        sink,
      );
    }
  }
}
