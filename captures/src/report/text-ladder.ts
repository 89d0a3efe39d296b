/**
 * The SIP ladder in text, one line per message, grouped by call. Addresses are laid out by their
 * ladder column (first appearance): the lower column is always on the left and the arrow points
 * the way the message went, so a dialog reads as a zig-zag:
 *
 *      0.000  127.0.0.1:5060 ───INVITE───▶ 127.0.0.1:5080   #1
 *      0.004  127.0.0.1:5060 ◀──100 Trying─ 127.0.0.1:5080   #2
 */
import type { LadderMessage } from "../analysis/model.ts";
import { clip } from "./escape.ts";
import { formatSeconds } from "./format.ts";
import { cellWidth, padEnd, padStart, safeText, type Paint, type Style } from "./text-style.ts";
import type { LadderView } from "./view.ts";

const ADDR_MAX = 28;
const LABEL_MAX = 30;

/** Lines of the text ladder (empty when there is nothing to draw). */
export function renderTextLadder(ladder: LadderView, paint: Paint): string[] {
  if (ladder.drawn === 0) return [];
  const col = new Map<string, number>();
  ladder.columns.forEach((addr, i) => col.set(addr, i));
  const addr = (s: string): string => clip(safeText(s), ADDR_MAX);
  const all = ladder.groups.flatMap((g) => g.messages);
  const addrW = Math.max(...ladder.columns.map((a) => cellWidth(addr(a))));
  const labelW = Math.min(
    LABEL_MAX,
    Math.max(...all.map((m) => cellWidth(clip(safeText(m.label), LABEL_MAX)))),
  );
  const arrowW = labelW + 6;
  const timeW = Math.max(...all.map((m) => formatSeconds(m.atS).length));

  const lines: string[] = [];
  for (const g of ladder.groups) {
    lines.push(paint(`  ── ${safeText(g.title)} (${g.messages.length}) ──`, "bold"));
    for (const m of g.messages) {
      const label = clip(safeText(m.label), LABEL_MAX);
      const fromCol = col.get(m.from) ?? 0;
      const toCol = col.get(m.to) ?? 0;
      let left: string;
      let right: string;
      let arrow: string;
      if (m.from === m.to) {
        left = addr(m.from);
        right = "";
        arrow = body(label, arrowW, "", "↩");
      } else if (fromCol <= toCol) {
        left = addr(m.from);
        right = addr(m.to);
        arrow = body(label, arrowW, "", "▶");
      } else {
        left = addr(m.to);
        right = addr(m.from);
        arrow = body(label, arrowW, "◀", "");
      }
      const time = padStart(formatSeconds(m.atS), timeW);
      lines.push(
        `  ${paint(time, "dim")}  ${padEnd(left, addrW)} ${paint(arrow, styleOf(m))} ${padEnd(right, addrW)}  ${paint(`#${safeText(m.frame)}`, "dim")}`.trimEnd(),
      );
    }
  }
  if (ladder.omitted > 0) lines.push(paint(`  … ${ladder.omitted} more not shown`, "yellow"));
  return lines;
}

/** "──INVITE──▶" with the label centred in `width` cells (heads included). */
function body(label: string, width: number, leftHead: string, rightHead: string): string {
  const dashes = Math.max(4, width - cellWidth(label) - cellWidth(leftHead) - cellWidth(rightHead));
  const before = Math.floor(dashes / 2);
  return `${leftHead}${"─".repeat(before)}${label}${"─".repeat(dashes - before)}${rightHead}`;
}

function styleOf(m: LadderMessage): Style {
  if (m.kind === "dtmf") return "magenta";
  if (m.kind === "request") return "cyan";
  const code = /^\s*(?:SIP\/2\.0\s+)?([1-6])\d\d\b/.exec(m.label)?.[1];
  if (code === "2") return "green";
  if (code === "1" || code === undefined) return "dim";
  return code === "3" ? "blue" : "red";
}
