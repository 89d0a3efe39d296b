/**
 * frameSipStream: where the SIP message at `offset` of a stream buffer (TCP/TLS payload) ends.
 * Works on bytes only (no decoding), so it is cheap over large captures.
 *
 * RFC 3261 §18.3: "In the case of message-oriented transports (such as UDP), if the message has
 * a Content-Length header field, the message body is assumed to contain that many bytes ... In
 * the case of stream-oriented transports such as TCP, the Content-Length header field indicates
 * the size of the body. The Content-Length header field MUST be used with stream oriented
 * transports." A message without one (or with an unreadable one) is framed with an empty body;
 * parseSip on the framed slice then reports the problem.
 * RFC 3261 §7.5: "Implementations processing SIP messages over stream-oriented transports MUST
 * ignore any CRLF appearing before the start-line"; RFC 5626 §3.5.1 sends CRLFCRLF pings and CRLF
 * pongs on the same streams. Both come back as "skip".
 */

export type SipFrame =
  | { readonly kind: "message"; readonly length: number }
  | { readonly kind: "incomplete" }
  | { readonly kind: "skip"; readonly length: number; readonly reason: string };

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;

/** A first line longer than this without LF is not a start line. */
export const MAX_START_LINE_BYTES = 8 * 1024;
/** A header section that has not ended within this many bytes is abandoned. */
export const MAX_HEADER_BYTES = 64 * 1024;
/** A Content-Length beyond this is not believed (the headers are framed alone, the body skipped). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

const INCOMPLETE: SipFrame = Object.freeze({ kind: "incomplete" });

function skip(length: number, reason: string): SipFrame {
  return { kind: "skip", length, reason };
}

export function frameSipStream(buf: Buffer, offset: number): SipFrame {
  const end = buf.length;
  const off = Number.isSafeInteger(offset) && offset > 0 ? offset : 0;
  if (off >= end) return INCOMPLETE;

  let p = off;
  while (p < end && (buf[p] === CR || buf[p] === LF)) p++;
  if (p > off) return skip(p - off, "CRLF keepalive");

  const lf = buf.indexOf(LF, off);
  if (lf < 0) {
    if (end - off > MAX_START_LINE_BYTES || !mayBeStartLinePrefix(buf, off, end)) {
      return skip(end - off, "junk without a line end");
    }
    return INCOMPLETE;
  }
  if (!isStartLine(buf, off, lf)) {
    const next = nextStartLine(buf, lf + 1, end);
    if (next >= 0) return skip(next - off, "junk before a start line");
    // keep a partial last line: it may be the beginning of a start line
    return skip(buf.lastIndexOf(LF, end - 1) + 1 - off, "junk");
  }
  return frameFromStartLine(buf, off, lf + 1, end);
}

function frameFromStartLine(buf: Buffer, off: number, headersStart: number, end: number): SipFrame {
  let contentLength: number | null = null;
  let lengthOnNextLine = false;
  let pos = headersStart;
  for (;;) {
    if (pos - off > MAX_HEADER_BYTES) return skip(headersStart - off, "no end of headers within 64 KiB");
    const nl = buf.indexOf(LF, pos);
    if (nl < 0)
      return end - off > MAX_HEADER_BYTES ? skip(headersStart - off, "no end of headers") : INCOMPLETE;
    const lineEnd = nl > pos && buf[nl - 1] === CR ? nl - 1 : nl;
    if (lineEnd === pos) {
      const bodyStart = nl + 1;
      const length = contentLength === null || contentLength > MAX_BODY_BYTES ? 0 : contentLength;
      return bodyStart + length > end ? INCOMPLETE : { kind: "message", length: bodyStart + length - off };
    }
    const folded = buf[pos] === SP || buf[pos] === HT;
    if (lengthOnNextLine && folded) {
      contentLength = readDigits(buf, pos, lineEnd);
      lengthOnNextLine = false;
    } else if (!folded) {
      lengthOnNextLine = false;
      const valueAt = contentLengthValueAt(buf, pos, lineEnd);
      if (valueAt >= 0 && contentLength === null) {
        contentLength = readDigits(buf, valueAt, lineEnd);
        lengthOnNextLine = contentLength === null && onlyWhitespace(buf, valueAt, lineEnd);
      }
    }
    pos = nl + 1;
  }
}

const CONTENT_LENGTH = Buffer.from("content-length", "latin1");

/** If the line is a Content-Length header (long or compact "l"), the index after its colon; else -1. */
function contentLengthValueAt(buf: Buffer, s: number, e: number): number {
  let i = s;
  const c0 = buf[s]! | 0x20;
  if (c0 === 0x6c && (buf[s + 1] === COLON || buf[s + 1] === SP || buf[s + 1] === HT)) i = s + 1;
  else {
    if (e - s < CONTENT_LENGTH.length) return -1;
    for (let k = 0; k < CONTENT_LENGTH.length; k++) {
      const c = buf[s + k]!;
      if ((c >= 0x41 && c <= 0x5a ? c | 0x20 : c) !== CONTENT_LENGTH[k]) return -1;
    }
    i = s + CONTENT_LENGTH.length;
  }
  while (i < e && (buf[i] === SP || buf[i] === HT)) i++;
  return i < e && buf[i] === COLON ? i + 1 : -1;
}

/** Decimal digits after optional SP/HT, then only SP/HT to the end; null otherwise. */
function readDigits(buf: Buffer, s: number, e: number): number | null {
  let i = s;
  while (i < e && (buf[i] === SP || buf[i] === HT)) i++;
  let n = 0;
  const first = i;
  while (i < e && buf[i]! >= 0x30 && buf[i]! <= 0x39) {
    n = n * 10 + (buf[i]! - 0x30);
    if (n > Number.MAX_SAFE_INTEGER / 10) return null;
    i++;
  }
  if (i === first) return null;
  return onlyWhitespace(buf, i, e) ? n : null;
}

function onlyWhitespace(buf: Buffer, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (buf[i] !== SP && buf[i] !== HT) return false;
  return true;
}

/** RFC 3261 §25.1 token characters. */
function isTokenByte(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2d || // -
    c === 0x2e || // .
    c === 0x21 || // !
    c === 0x25 || // %
    c === 0x2a || // *
    c === 0x5f || // _
    c === 0x2b || // +
    c === 0x60 || // `
    c === 0x27 || // '
    c === 0x7e // ~
  );
}

/** "SIP/" in any case at `i`. */
function isSipSlash(buf: Buffer, i: number, e: number): boolean {
  return (
    i + 4 <= e &&
    (buf[i]! | 0x20) === 0x73 &&
    (buf[i + 1]! | 0x20) === 0x69 &&
    (buf[i + 2]! | 0x20) === 0x70 &&
    buf[i + 3] === 0x2f
  );
}

/**
 * A plausible start line in buf[s, lf): "SIP/x SP digit..." (Status-Line) or
 * "token SP something SP SIP/..." (Request-Line), tolerating extra LWS as lenient parsing does.
 */
function isStartLine(buf: Buffer, s: number, lf: number): boolean {
  const e = lf > s && buf[lf - 1] === CR ? lf - 1 : lf;
  if (isSipSlash(buf, s, e)) {
    let i = s + 4;
    while (i < e && buf[i] !== SP && buf[i] !== HT) i++;
    while (i < e && (buf[i] === SP || buf[i] === HT)) i++;
    return i < e && buf[i]! >= 0x30 && buf[i]! <= 0x39;
  }
  let i = s;
  while (i < e && isTokenByte(buf[i]!)) i++;
  if (i === s || (buf[i] !== SP && buf[i] !== HT)) return false;
  let v = e;
  while (v > i && (buf[v - 1] === SP || buf[v - 1] === HT)) v--;
  let vs = v;
  while (vs > i && buf[vs - 1] !== SP && buf[vs - 1] !== HT) vs--;
  if (!isSipSlash(buf, vs, v)) return false;
  // a Request-URI between method and version
  for (let k = i; k < vs; k++) if (buf[k] !== SP && buf[k] !== HT) return true;
  return false;
}

/** The index of the next complete line in [from, end) that is a plausible start line, or -1. */
function nextStartLine(buf: Buffer, from: number, end: number): number {
  let pos = from;
  while (pos < end) {
    const nl = buf.indexOf(LF, pos);
    if (nl < 0) return -1;
    if (isStartLine(buf, pos, nl)) return pos;
    pos = nl + 1;
  }
  return -1;
}

/** Could buf[s, e) (no LF yet) grow into a start line? It must begin like one and be printable. */
function mayBeStartLinePrefix(buf: Buffer, s: number, e: number): boolean {
  if (!isTokenByte(buf[s]!)) return false;
  for (let i = s; i < e; i++) {
    const c = buf[i]!;
    if ((c < 0x20 && c !== HT && c !== CR) || c === 0x7f) return false;
  }
  return true;
}
