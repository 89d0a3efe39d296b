/**
 * DTMF timeline of one call as inline SVG: one lane per leg and direction, one mark per digit at
 * its start time (width = duration when known), green when valid for that leg and red when not,
 * with the method as shape + tag and the PT/frames in a tooltip. Answer and BYE times are drawn on
 * the leg's lanes, so "digits, then nothing, then BYE ~10 s after answer" is visible at a glance.
 *
 *   ┌ gutter (lane labels) ┬──────── plot: x = time (s) ────────────┐
 *   │ L1 caller→callee     │   [1] [2]        |answer      |BYE     │
 *   │ L1 callee→caller     │                                        │
 */
import type { Direction, DtmfEvent, DtmfMethod, Leg } from "../analysis/model.ts";
import { clip, escapeHtml as e } from "./escape.ts";
import { directionLabel, dtmfDetail, formatSeconds, METHOD_LABELS, METHOD_TAGS } from "./format.ts";
import type { CallView } from "./view.ts";

/** Width the SVG is drawn at (scaled to the page) unless the digits need more room. */
const WIDTH = 1000;
/** Pixels wanted between the starts of two consecutive digits on one lane, and the widest plot. */
const MIN_DIGIT_GAP_PX = 24;
const MAX_PLOT_W = 6000;
const GUTTER = 240;
const RIGHT = 24;
const TOP = 30;
const LANE_H = 42;
const MARK_H = 22;
const MIN_MARK_W = 16;
const COLOR = Object.freeze({
  valid: "#1a7f37",
  invalid: "#cf222e",
  lost: "#bf8700",
  answer: "#0969da",
  bye: "#cf222e",
});
const SIGNALLING: ReadonlySet<DtmfMethod> = new Set<DtmfMethod>(["sip-info", "kpml", "notify"]);
const DIRECTIONS: readonly Direction[] = ["caller->callee", "callee->caller"];

/** The timeline block for one call (a note instead of an empty plot when no digit was seen). */
export function renderDtmfTimeline(c: CallView): string {
  if (c.dtmf.length === 0) {
    return `<div class="timeline" data-testid="dtmf-timeline"><h3>DTMF timeline</h3><p class="empty">No DTMF seen on any leg of this call.</p></div>`;
  }
  const [t0, t1] = domain(c);
  // Digits 100 ms apart in a 30 s call would pile up at 1000 px: widen the plot (and let it
  // scroll) until consecutive digits on a lane are MIN_DIGIT_GAP_PX apart.
  const gap = minDigitGapS(c);
  const wanted = gap === null ? 0 : ((t1 - t0) * MIN_DIGIT_GAP_PX) / gap;
  const plotW = Math.max(WIDTH - GUTTER - RIGHT, Math.min(MAX_PLOT_W, Math.ceil(wanted)));
  const width = GUTTER + plotW + RIGHT;
  const x = (t: number): number => GUTTER + ((t - t0) / (t1 - t0)) * plotW;
  const lanes = c.legs.length * DIRECTIONS.length;
  const height = TOP + lanes * LANE_H + 8;
  const parts: string[] = [];

  parts.push(axis(t0, t1, x, height));
  c.legs.forEach((leg, li) => {
    DIRECTIONS.forEach((dir, di) => {
      const y = TOP + (li * DIRECTIONS.length + di) * LANE_H;
      parts.push(laneBackground(leg, li, dir, di, y, width));
    });
    parts.push(legMarkers(leg, x, TOP + li * DIRECTIONS.length * LANE_H, width));
  });
  c.legs.forEach((leg, li) => {
    DIRECTIONS.forEach((dir, di) => {
      const y = TOP + (li * DIRECTIONS.length + di) * LANE_H;
      const events = leg.dtmf.filter((ev) => ev.direction === dir).sort((a, b) => a.atS - b.atS);
      let lastTagEnd = -Infinity;
      for (const ev of events) {
        const showTag = x(ev.atS) >= lastTagEnd;
        if (showTag) lastTagEnd = x(ev.atS) + 46;
        parts.push(mark(ev, leg, li, x, y, showTag));
      }
    });
  });

  return `<div class="timeline" data-testid="dtmf-timeline">
<h3>DTMF timeline</h3>
<div class="table-wrap"><svg viewBox="0 0 ${width} ${height}" width="${width === WIDTH ? "100%" : width}" role="img" aria-label="DTMF timeline">
${parts.join("\n")}
</svg></div>
${legend()}
</div>`;
}

/** Time range covering every digit, answer and BYE of the call, padded so marks are not cut. */
function domain(c: CallView): [number, number] {
  const times: number[] = [];
  for (const { event } of c.dtmf) {
    times.push(event.atS, event.atS + (event.durationMs ?? 0) / 1000);
  }
  for (const leg of c.legs) {
    if (leg.answeredAtS !== null) times.push(leg.answeredAtS);
    const bye = byeAtS(leg);
    if (bye !== null) times.push(bye);
  }
  const finite = times.filter((t) => Number.isFinite(t));
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (hi - lo < 0.5) {
    const mid = (hi + lo) / 2;
    lo = mid - 0.25;
    hi = mid + 0.25;
  }
  const pad = (hi - lo) * 0.04;
  return [Math.max(0, lo - pad), hi + pad];
}

/** Smallest positive gap between consecutive digit starts on one lane (leg + direction). */
function minDigitGapS(c: CallView): number | null {
  let min: number | null = null;
  for (const leg of c.legs) {
    for (const dir of DIRECTIONS) {
      const times = leg.dtmf
        .filter((ev) => ev.direction === dir && Number.isFinite(ev.atS))
        .map((ev) => ev.atS)
        .sort((a, b) => a - b);
      for (let i = 1; i < times.length; i++) {
        const d = times[i]! - times[i - 1]!;
        if (d > 0 && (min === null || d < min)) min = d;
      }
    }
  }
  return min;
}

function byeAtS(leg: Leg): number | null {
  if (leg.bye === null) return null;
  if (leg.bye.atS !== undefined) return leg.bye.atS;
  if (leg.bye.afterAnswerS === null || leg.answeredAtS === null) return null;
  return leg.answeredAtS + leg.bye.afterAnswerS;
}

/** A "nice" tick step (1, 2 or 5 × 10^n seconds) giving about eight ticks. */
function tickStep(span: number): number {
  const raw = span / 8;
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

function axis(t0: number, t1: number, x: (t: number) => number, height: number): string {
  const step = tickStep(t1 - t0);
  const out: string[] = [];
  const decimals = step >= 1 ? 0 : step >= 0.1 ? 1 : 2;
  for (let t = Math.ceil(t0 / step) * step; t <= t1 + 1e-9; t += step) {
    const px = x(t).toFixed(1);
    out.push(
      `<line x1="${px}" y1="${TOP - 6}" x2="${px}" y2="${height - 8}" stroke="#d1d9e0" stroke-width="1"/>` +
        `<text x="${px}" y="${TOP - 12}" font-size="11" fill="#59636e" text-anchor="middle">${t.toFixed(decimals)} s</text>`,
    );
  }
  return out.join("\n");
}

function laneBackground(leg: Leg, li: number, dir: Direction, di: number, y: number, width: number): string {
  const fill = li % 2 === 0 ? "#f6f8fa" : "#ffffff";
  const label =
    `<text x="8" y="${y + 17}" font-size="12" font-weight="600" fill="#1f2328">L${li + 1} ${e(directionLabel(dir))}</text>` +
    `<text x="8" y="${y + 32}" font-size="10" fill="#59636e" class="svg-mono">${e(clip(di === 0 ? `${leg.caller} → ${leg.callee}` : `${leg.callee} → ${leg.caller}`, 36))}</text>`;
  const sep =
    di === 0 && li > 0
      ? `<line x1="0" y1="${y}" x2="${width}" y2="${y}" stroke="#afb8c1" stroke-width="1"/>`
      : `<line x1="${GUTTER}" y1="${y}" x2="${width - RIGHT}" y2="${y}" stroke="#eaeef2" stroke-width="1"/>`;
  return `<g><title>${e(`L${li + 1} ${leg.callId} ${directionLabel(dir)}`)}</title><rect x="0" y="${y}" width="${width}" height="${LANE_H}" fill="${fill}"/>${sep}${label}</g>`;
}

function legMarkers(leg: Leg, x: (t: number) => number, y: number, width: number): string {
  const h = LANE_H * DIRECTIONS.length;
  const out: string[] = [];
  const marker = (t: number, color: string, text: string, tip: string): void => {
    const px = x(t).toFixed(1);
    const nearEnd = x(t) > width - RIGHT - 90;
    out.push(
      `<g data-testid="leg-event"><title>${e(tip)}</title><line x1="${px}" y1="${y + 2}" x2="${px}" y2="${y + h - 2}" stroke="${color}" stroke-width="1.5" stroke-dasharray="4 3"/>` +
        `<text x="${(nearEnd ? x(t) - 3 : x(t) + 3).toFixed(1)}" y="${y + h - 5}" font-size="10" fill="${color}" text-anchor="${nearEnd ? "end" : "start"}">${e(text)}</text></g>`,
    );
  };
  if (leg.answeredAtS !== null)
    marker(leg.answeredAtS, COLOR.answer, "answer", `answered at ${formatSeconds(leg.answeredAtS)} s`);
  const bye = byeAtS(leg);
  if (bye !== null && leg.bye !== null) {
    const tip = `${leg.bye.method} by ${leg.bye.sender} at ${formatSeconds(bye)} s${leg.bye.afterAnswerS !== null ? ` (${formatSeconds(leg.bye.afterAnswerS)} s after answer)` : ""}${leg.bye.reason ? ` — ${leg.bye.reason}` : ""}`;
    marker(bye, COLOR.bye, `${leg.bye.method} (${leg.bye.sender})`, tip);
  }
  return out.join("\n");
}

function mark(
  ev: DtmfEvent,
  leg: Leg,
  li: number,
  x: (t: number) => number,
  laneY: number,
  showTag: boolean,
): string {
  const x0 = x(ev.atS);
  const durW = ev.durationMs === null ? 0 : x(ev.atS + ev.durationMs / 1000) - x0;
  const w = Math.max(MIN_MARK_W, durW);
  const y = laneY + 4;
  const fill = ev.valid ? COLOR.valid : COLOR.invalid;
  const lost = ev.startLost === true || ev.endLost === true;
  const stroke = lost ? ` stroke="${COLOR.lost}" stroke-width="2.5"` : ` stroke="#ffffff" stroke-width="1"`;
  const dash = ev.method === "inband" ? ` stroke-dasharray="3 2"` : "";
  const rx = SIGNALLING.has(ev.method) ? MARK_H / 2 : 3;
  const tip = `L${li + 1} ${leg.callId} · ${directionLabel(ev.direction)} · ${dtmfDetail(ev)}`;
  const tag = showTag
    ? `<text x="${(x0 + 1).toFixed(1)}" y="${laneY + MARK_H + 15}" font-size="9" fill="#59636e">${e(METHOD_TAGS[ev.method])}${ev.pt === undefined ? "" : ` ${ev.pt}`}</text>`
    : "";
  return `<g data-testid="dtmf-mark" data-digit="${e(ev.digit)}" data-method="${e(ev.method)}" data-valid="${ev.valid}" data-leg="${e(leg.callId)}" data-direction="${e(ev.direction)}">
<title>${e(tip)}</title>
<rect x="${x0.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${MARK_H}" rx="${rx}" fill="${fill}"${stroke}${dash}/>
<text x="${(x0 + Math.min(w, 40) / 2).toFixed(1)}" y="${y + 15.5}" font-size="13" font-weight="700" fill="#ffffff" text-anchor="middle">${e(clip(ev.digit, 3))}</text>
${tag}</g>`;
}

function swatch(color: string, round: boolean, stroke = ""): string {
  return `<svg width="14" height="10" aria-hidden="true"><rect x="1.25" y="1.25" width="11.5" height="7.5" rx="${round ? 3.75 : 1.5}" fill="${color}"${stroke}/></svg>`;
}

function legend(): string {
  const item = (color: string, text: string, round = false, stroke = ""): string =>
    `<span>${swatch(color, round, stroke)} ${e(text)}</span>`;
  const grey = "#8c959f";
  return `<div class="legend">${[
    item(COLOR.valid, "valid digit"),
    item(COLOR.invalid, "invalid for this leg"),
    item(grey, `media: ${METHOD_LABELS.rfc2833} (NTE), ${METHOD_LABELS.inband} (TONE)`),
    item(
      grey,
      `signalling: ${METHOD_LABELS["sip-info"]}, ${METHOD_LABELS.kpml}, ${METHOD_LABELS.notify}`,
      true,
    ),
    item(grey, "start or end packet lost", false, ` stroke="${COLOR.lost}" stroke-width="2"`),
    item(COLOR.answer, "answer / BYE markers (dashed)"),
  ].join("")}</div>`;
}
