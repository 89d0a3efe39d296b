/**
 * The SIP ladder as inline SVG: one column (lifeline) per "ip:port" in order of first appearance,
 * one arrow per message with its label and time, rows grouped by call. At most `LADDER_LIMIT`
 * messages are drawn; a note says how many were left out. The header is a second SVG kept sticky
 * above the scrolling body so the addresses stay readable on long ladders.
 */
import type { LadderMessage } from "../analysis/model.ts";
import { clip, escapeHtml as e } from "./escape.ts";
import { formatSeconds } from "./format.ts";
import type { ReportView } from "./view.ts";

const TIME_W = 78;
const COL_W = 200;
const RIGHT = 24;
const HEAD_H = 40;
const ROW_H = 26;
const BAND_H = 26;

/** Arrow colours by message kind / status class, each with its own arrowhead marker. */
const STYLES = Object.freeze({
  req: "#0969da",
  r1: "#6e7781",
  r2: "#1a7f37",
  r3: "#8250df",
  r4: "#cf222e",
  dtmf: "#bf3989",
});
type StyleKey = keyof typeof STYLES;

function styleOf(m: LadderMessage): StyleKey {
  if (m.kind === "dtmf") return "dtmf";
  if (m.kind === "request") return "req";
  const code = /^\s*(?:SIP\/2\.0\s+)?([1-6])\d\d\b/.exec(m.label)?.[1];
  if (code === "1") return "r1";
  if (code === "2") return "r2";
  if (code === "3") return "r3";
  return code === undefined ? "r1" : "r4";
}

/** The ladder section body. */
export function renderLadderSection(view: ReportView): string {
  const { columns, groups, drawn, omitted } = view.ladder;
  if (drawn === 0) {
    const none = view.report.ladder === undefined ? "The analyzer gave no SIP ladder." : "No SIP messages.";
    return `<p class="empty">${none}</p>`;
  }
  const width = Math.max(640, TIME_W + columns.length * COL_W + RIGHT);
  const colX = new Map<string, number>();
  columns.forEach((addr, i) => colX.set(addr, TIME_W + i * COL_W + COL_W / 2));

  const rows: string[] = [];
  let y = 8;
  for (const g of groups) {
    rows.push(
      `<g data-testid="ladder-group" data-call-index="${g.callIndex}"><rect x="0" y="${y}" width="${width}" height="${BAND_H - 4}" fill="#ddf4ff"/>` +
        `<text x="8" y="${y + 15}" font-size="12" font-weight="600" fill="#0550ae">${e(g.title)} · ${g.messages.length} message${g.messages.length === 1 ? "" : "s"}</text></g>`,
    );
    y += BAND_H;
    for (const m of g.messages) {
      rows.push(arrow(m, colX, y));
      y += ROW_H;
    }
    y += 6;
  }
  const bodyH = y + 8;
  const lifelines = columns
    .map((_, i) => {
      const cx = TIME_W + i * COL_W + COL_W / 2;
      return `<line x1="${cx}" y1="0" x2="${cx}" y2="${bodyH}" stroke="#afb8c1" stroke-width="1" stroke-dasharray="3 3"/>`;
    })
    .join("");
  const note =
    omitted > 0
      ? `<p class="note" data-testid="ladder-omitted">${omitted} more not drawn (the ladder stops after ${drawn} messages; open the capture in Wireshark → Telephony → VoIP Calls → Flow Sequence for the rest).</p>`
      : "";
  return `<div class="ladder-wrap" data-testid="ladder">
<div class="ladder-head">${header(columns, width)}</div>
<svg viewBox="0 0 ${width} ${bodyH}" width="${width}" height="${bodyH}" role="img" aria-label="SIP ladder diagram">
${markers()}
${lifelines}
${rows.join("\n")}
</svg>
</div>
${note}`;
}

function header(columns: string[], width: number): string {
  const boxes = columns
    .map((addr, i) => {
      const cx = TIME_W + i * COL_W + COL_W / 2;
      return (
        `<g data-testid="ladder-column"><title>${e(addr)}</title><rect x="${cx - COL_W / 2 + 8}" y="6" width="${COL_W - 16}" height="${HEAD_H - 12}" rx="6" fill="#ffffff" stroke="#8c959f"/>` +
        `<text x="${cx}" y="${HEAD_H / 2 + 4}" font-size="11.5" text-anchor="middle" class="svg-mono" fill="#1f2328">${e(clip(addr, 26))}</text></g>`
      );
    })
    .join("");
  return (
    `<svg viewBox="0 0 ${width} ${HEAD_H}" width="${width}" height="${HEAD_H}" aria-hidden="false"><rect x="0" y="0" width="${width}" height="${HEAD_H}" fill="#f6f8fa"/>` +
    `<text x="8" y="${HEAD_H / 2 + 4}" font-size="11" fill="#59636e">time (s)</text>${boxes}</svg>`
  );
}

function markers(): string {
  return `<defs>${(Object.keys(STYLES) as StyleKey[])
    .map(
      (k) =>
        `<marker id="ah-${k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${STYLES[k]}"/></marker>`,
    )
    .join("")}</defs>`;
}

function arrow(m: LadderMessage, colX: ReadonlyMap<string, number>, y: number): string {
  const key = styleOf(m);
  const color = STYLES[key];
  const x1 = colX.get(m.from) ?? TIME_W;
  const x2 = colX.get(m.to) ?? TIME_W;
  const lineY = y + 17;
  const dash = m.kind === "dtmf" ? ` stroke-dasharray="5 3"` : "";
  const tip = `frame ${String(m.frame)} · ${formatSeconds(m.atS)} s · ${m.from} → ${m.to} · ${m.label}${m.callId === null ? "" : ` · Call-ID ${m.callId}`}`;
  let shape: string;
  let labelX: number;
  let anchor = "middle";
  if (x1 === x2) {
    // A message to its own address (e.g. a B2BUA on one socket): a small loop to the right.
    shape = `<path d="M${x1},${lineY - 8} h34 v12 h-30" fill="none" stroke="${color}" stroke-width="1.6"${dash} marker-end="url(#ah-${key})"/>`;
    labelX = x1 + 40;
    anchor = "start";
  } else {
    const dir = x2 > x1 ? 1 : -1;
    shape = `<line x1="${x1 + dir * 3}" y1="${lineY}" x2="${x2 - dir * 3}" y2="${lineY}" stroke="${color}" stroke-width="1.6"${dash} marker-end="url(#ah-${key})"/>`;
    labelX = (x1 + x2) / 2;
  }
  const weight = m.kind === "request" ? ` font-weight="600"` : "";
  return `<g data-testid="ladder-arrow" data-frame="${e(m.frame)}" data-kind="${e(m.kind)}"><title>${e(tip)}</title>
<text x="8" y="${lineY + 4}" font-size="11" fill="#59636e" class="svg-mono">${e(formatSeconds(m.atS))}</text>${shape}
<text x="${labelX}" y="${lineY - 5}" font-size="11.5" text-anchor="${anchor}" fill="${color}"${weight} stroke="#ffffff" stroke-width="3" paint-order="stroke">${e(clip(m.label, 34))}</text></g>`;
}
