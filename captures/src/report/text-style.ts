/**
 * Terminal output helpers: ANSI colours (only when asked for) and neutralising capture strings
 * before they reach a terminal — a Call-ID can carry ESC sequences or bidi overrides that would
 * repaint the screen or reorder what the engineer reads.
 */

/** SGR codes used by the text report (ECMA-48 §8.3.117). */
export const SGR = Object.freeze({
  bold: "1",
  dim: "2",
  red: "31",
  green: "32",
  yellow: "33",
  blue: "34",
  magenta: "35",
  cyan: "36",
  boldRed: "1;31",
  boldGreen: "1;32",
  boldYellow: "1;33",
});
export type Style = keyof typeof SGR;

/** A painter: wraps text in an SGR sequence when colour is on, returns it unchanged otherwise. */
export type Paint = (text: string, style: Style) => string;

export function painter(color: boolean): Paint {
  return color ? (text, style) => `\u001b[${SGR[style]}m${text}\u001b[0m` : (text) => text;
}

/**
 * C0/C1 controls (ESC included), DEL, bidi embedding/override/isolate marks and lone surrogates,
 * shown as visible `\xNN` / `\u{NNNN}` escapes instead of acting on the terminal.
 */
const UNSAFE =
  /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function safeText(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  return String(value).replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  });
}

/** Display width in terminal cells, counting code points (wide CJK glyphs are not special-cased). */
export function cellWidth(s: string): number {
  return Array.from(s).length;
}

export function padEnd(s: string, width: number): string {
  return s + " ".repeat(Math.max(0, width - cellWidth(s)));
}

export function padStart(s: string, width: number): string {
  return " ".repeat(Math.max(0, width - cellWidth(s))) + s;
}
