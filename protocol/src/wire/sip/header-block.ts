/**
 * The header block of a SIP message (or of a MIME body part): lines up to the empty line, and
 * header fields with folding undone.
 *
 * RFC 3261 §7: "generic-message = start-line *message-header CRLF [ message-body ]".
 * RFC 3261 §7.3.1: "Header fields can be extended over multiple lines by preceding each extra
 * line with at least one SP or horizontal tab (HT). The line break and the whitespace at the
 * beginning of the next line are treated as a single SP character."
 * Lines end with CRLF; a bare LF is tolerated (common in hand-written traces).
 */
import { canonicalHeaderName } from "./header-names.ts";
import { isToken, MAX_PROBLEMS, trimLws, trimLwsEnd, trimLwsStart } from "./grammar.ts";
import type { SipHeader, SipParseMode } from "./types.ts";

const LF = 0x0a;
const CR = 0x0d;

export interface HeaderBlock {
  /** decoded (UTF-8) lines without their CR/LF, up to (not including) the empty line */
  readonly lines: readonly string[];
  /** offset just past the empty line, or `end` when there is none */
  readonly bodyStart: number;
  /** whether the empty line ending the block was found */
  readonly terminated: boolean;
}

/**
 * Splits `buf[start, end)` into lines up to the first empty line: the empty line is found in the
 * bytes, then the block is decoded once and split (CR and LF are ASCII, never inside a UTF-8
 * sequence, so this equals decoding line by line, replacement characters included).
 */
export function readHeaderBlock(buf: Buffer, start: number, end: number): HeaderBlock {
  let pos = start;
  let terminated = false;
  let bodyStart = end;
  let textEnd = end;
  while (pos < end) {
    const lf = buf.indexOf(LF, pos);
    if (lf < 0 || lf >= end) break;
    const lineEnd = lf > pos && buf[lf - 1] === CR ? lf - 1 : lf;
    if (lineEnd === pos) {
      terminated = true;
      bodyStart = lf + 1;
      textEnd = pos;
      break;
    }
    pos = lf + 1;
  }
  const lines: string[] = [];
  if (textEnd > start) {
    const parts = buf.toString("utf8", start, textEnd).split("\n");
    // terminated: the block ends with its last line's LF, so the last part is empty
    const n = terminated ? parts.length - 1 : parts.length;
    for (let k = 0; k < n; k++) {
      let line = parts[k]!;
      if (line.charCodeAt(line.length - 1) === CR) line = line.slice(0, -1);
      // only the unterminated tail can be empty here (an empty line before it would have ended the block)
      if (line.length > 0) lines.push(line);
    }
  }
  return { lines, bodyStart, terminated };
}

export interface UnfoldResult {
  readonly headers: SipHeader[];
  /** lines that are not header fields, the first MAX_PROBLEMS (strict mode rejects on any; lenient warns) */
  readonly problems: string[];
}

/** Lenient mode keeps a garbled name if it is at least printable and without whitespace. */
const LENIENT_NAME_RE = /^[^\s\x00-\x1f\x7f:]+$/;

/**
 * Builds header fields from lines. RFC 3261 §7.3.1: header-name HCOLON header-value, where
 * HCOLON = *( SP / HTAB ) ":" SWS. The value is trimmed and each fold becomes one SP.
 */
export function unfoldHeaders(
  lines: readonly string[],
  mode: SipParseMode,
  keep?: ReadonlySet<string>,
): UnfoldResult {
  const headers: SipHeader[] = [];
  const problems: string[] = [];
  const note = (p: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  // folded values are collected as pieces and joined once (repeated concatenation is quadratic)
  let current: { raw: string; name: string; pieces: string[] } | null = null;
  // a header `keep` leaves out: its continuation lines are skipped with it
  let skipping = false;
  const flush = (): void => {
    if (current === null) return;
    const value = current.pieces.length === 1 ? current.pieces[0]! : current.pieces.join(" ");
    headers.push({ name: current.name, raw: current.raw, value: trimLws(value) });
    current = null;
  };
  for (const line of lines) {
    if (line[0] === " " || line[0] === "\t") {
      if (skipping) continue;
      if (current === null) note(`continuation line before any header: ${clip(line)}`);
      else {
        const last = current.pieces.length - 1;
        current.pieces[last] = trimLwsEnd(current.pieces[last]!);
        current.pieces.push(trimLwsStart(line));
      }
      continue;
    }
    flush();
    skipping = false;
    const colon = line.indexOf(":");
    if (colon < 0) {
      note(`header line without a colon: ${clip(line)}`);
      continue;
    }
    const raw = trimLwsEnd(line.slice(0, colon));
    if (keep !== undefined) {
      const wanted = canonicalHeaderName(raw);
      if (wanted !== "content-length" && !keep.has(wanted)) {
        skipping = true;
        continue;
      }
    }
    if (!isToken(raw)) {
      note(`bad header name ${clip(raw)}`);
      if (mode === "strict" || !LENIENT_NAME_RE.test(raw)) continue;
    }
    current = { raw, name: canonicalHeaderName(raw), pieces: [line.slice(colon + 1)] };
  }
  flush();
  return { headers, problems };
}

function clip(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}...` : s);
}
