/**
 * Plain-text formatting of analysis values, shared by the HTML, JUnit and text renderers so the
 * three outputs say the same thing the same way. Output here is NOT escaped: callers escape.
 */
import type { CodecRef, Direction, DtmfEvent, DtmfMethod, Leg, LegBye, Severity } from "../analysis/model.ts";

/** Seconds from the first packet, millisecond precision ("12.345"); "—" when unknown. */
export function formatSeconds(s: number | null | undefined): string {
  return typeof s === "number" && Number.isFinite(s) ? s.toFixed(3) : "—";
}

/** A duration in milliseconds ("120 ms"); "—" when unknown. */
export function formatMs(ms: number | null | undefined): string {
  return typeof ms === "number" && Number.isFinite(ms) ? `${Math.round(ms)} ms` : "—";
}

/** "PCMU/8000 (PT 0)"; "—" when no codec was negotiated. */
export function codecLabel(codec: CodecRef | null): string {
  if (codec === null) return "—";
  const rate = codec.clockRate === undefined ? "" : `/${codec.clockRate}`;
  return `${codec.name}${rate} (PT ${codec.pt})`;
}

/**
 * The telephone-event PT of a leg. RFC 3264 §6.1 lets each side declare its own PT (it is the PT
 * that side wants to RECEIVE), so an asymmetric pair is shown as "caller 101 / callee 96".
 */
export function telephoneEventLabel(leg: Leg): string {
  const a = leg.callerTelephoneEventPt;
  const b = leg.calleeTelephoneEventPt;
  if (a !== undefined && b !== undefined && a !== b) {
    return `caller ${a ?? "none"} / callee ${b ?? "none"}`;
  }
  return leg.telephoneEventPt === null ? "none" : String(leg.telephoneEventPt);
}

/** True when both sides declared telephone-event with different PTs. */
export function telephoneEventAsymmetric(leg: Leg): boolean {
  const a = leg.callerTelephoneEventPt;
  const b = leg.calleeTelephoneEventPt;
  return a !== undefined && b !== undefined && a !== null && b !== null && a !== b;
}

/** "BYE by callee, 10.021 s after answer, Q.850;cause=16"; "—" when the leg never ended. */
export function byeLabel(bye: LegBye | null): string {
  if (bye === null) return "—";
  const parts = [`${bye.method} by ${bye.sender}`];
  parts.push(
    bye.afterAnswerS === null ? "before answer" : `${formatSeconds(bye.afterAnswerS)} s after answer`,
  );
  if (bye.reason !== null && bye.reason !== "") parts.push(bye.reason);
  return parts.join(", ");
}

/** Final status as a number, or "—" (no final response seen). */
export function statusLabel(status: number | null): string {
  return status === null ? "—" : String(status);
}

/** Short names for DTMF transport methods, as a voice engineer says them. */
export const METHOD_LABELS: Readonly<Record<DtmfMethod, string>> = Object.freeze({
  rfc2833: "RFC 2833/4733",
  "sip-info": "SIP INFO",
  kpml: "KPML",
  notify: "NOTIFY",
  inband: "in-band",
});

/** Compact method tags for tight spaces (timeline marks, text tables). */
export const METHOD_TAGS: Readonly<Record<DtmfMethod, string>> = Object.freeze({
  rfc2833: "NTE",
  "sip-info": "INFO",
  kpml: "KPML",
  notify: "NTFY",
  inband: "TONE",
});

/** "caller→callee" / "callee→caller". */
export function directionLabel(d: Direction): string {
  return d === "caller->callee" ? "caller→callee" : "callee→caller";
}

/** Everything known about one digit, on one line (tooltips, text tables). */
export function dtmfDetail(ev: DtmfEvent): string {
  const parts = [`digit ${ev.digit}`, METHOD_LABELS[ev.method], `at ${formatSeconds(ev.atS)} s`];
  if (ev.pt !== undefined) parts.push(`PT ${ev.pt}`);
  if (ev.durationMs !== null) parts.push(formatMs(ev.durationMs));
  if (ev.ssrc !== undefined) parts.push(`SSRC ${ev.ssrc}`);
  if (ev.endPackets !== undefined) parts.push(`${ev.endPackets} end packet${ev.endPackets === 1 ? "" : "s"}`);
  if (ev.startLost === true) parts.push("start lost");
  if (ev.endLost === true) parts.push("no end packet");
  parts.push(ev.frames.length > 0 ? `frames ${ev.frames.join(", ")}` : "no frames");
  parts.push(ev.valid ? "valid" : `INVALID${ev.invalidReason === undefined ? "" : `: ${ev.invalidReason}`}`);
  return parts.join(" · ");
}

/** Severity order for sorting: errors first. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = Object.freeze({
  error: 0,
  warning: 1,
  info: 2,
});

/** Evidence frames as a short list: "12, 14, 18" (the first `max`, then "+N more"). */
export function framesLabel(frames: readonly number[], max = 12): string {
  if (frames.length === 0) return "—";
  const shown = frames.slice(0, max).join(", ");
  return frames.length > max ? `${shown} +${frames.length - max} more` : shown;
}

/** Plural helper: "1 error", "2 errors". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
