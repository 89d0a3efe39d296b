/**
 * A plain aligned table for the terminal. Widths are measured on the uncoloured text; colour is
 * applied after padding so ANSI sequences never break the alignment.
 */
import { cellWidth, padEnd, padStart, type Paint, type Style } from "./text-style.ts";

export interface Cell {
  text: string;
  style?: Style;
}
export interface Column {
  title: string;
  align?: "left" | "right";
}

/** Renders rows under a header line; every line starts with `indent`. */
export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly (string | Cell)[])[],
  paint: Paint,
  indent = "  ",
): string[] {
  const cells = rows.map((row) => columns.map((_, i) => toCell(row[i])));
  const widths = columns.map((col, i) =>
    Math.max(cellWidth(col.title), ...cells.map((r) => cellWidth(r[i]?.text ?? ""))),
  );
  const fit = (text: string, i: number): string =>
    columns[i]?.align === "right" ? padStart(text, widths[i] ?? 0) : padEnd(text, widths[i] ?? 0);
  const head = indent + columns.map((c, i) => paint(fit(c.title, i), "dim")).join("  ");
  const body = cells.map(
    (r) =>
      indent +
      r
        .map((c, i) => {
          const padded = fit(c.text, i);
          return c.style === undefined ? padded : paint(padded, c.style);
        })
        .join("  ")
        .trimEnd(),
  );
  return [head.trimEnd(), ...body];
}

function toCell(c: string | Cell | undefined): Cell {
  if (c === undefined) return { text: "" };
  return typeof c === "string" ? { text: c } : c;
}
