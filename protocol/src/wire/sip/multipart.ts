/**
 * multipart bodies (RFC 2046 §5.1.1), e.g. SDP + ISUP or the S/MIME sample of RFC 4475 §3.1.1.11.
 *
 * RFC 2046 §5.1.1:
 *   multipart-body := [preamble CRLF] dash-boundary transport-padding CRLF body-part
 *                     *encapsulation close-delimiter transport-padding [CRLF epilogue]
 *   dash-boundary := "--" boundary;  delimiter := CRLF dash-boundary
 *   close-delimiter := delimiter "--";  transport-padding := *LWSP-char
 *   body-part := MIME-part-headers [CRLF *OCTET]
 * "The CRLF preceding the boundary delimiter line is conceptually attached to the boundary so
 * that it is possible to have a part that does not end with a CRLF". Preamble and epilogue are
 * ignored. Bytes are searched, never decoded, so binary parts survive (NUL, bare CR).
 */
import { readHeaderBlock, unfoldHeaders } from "./header-block.ts";
import type { SipHeader } from "./types.ts";

export interface MultipartPart {
  readonly headers: readonly SipHeader[];
  readonly body: Buffer;
}

export type MultipartResult =
  | {
      readonly ok: true;
      readonly parts: readonly MultipartPart[];
      /** true when the close-delimiter ("--boundary--") never came; the last part runs to the end */
      readonly missingCloseDelimiter: boolean;
    }
  | {
      readonly ok: false;
      readonly error: { readonly code: "bad-boundary" | "no-boundary"; readonly message: string };
    };

const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;
const SP = 0x20;
const HT = 0x09;
/** RFC 2046 §5.1.1: boundary := 0*69<bchars> bcharsnospace */
const BOUNDARY_RE = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

export function parseMultipart(body: Buffer, boundary: string): MultipartResult {
  if (!BOUNDARY_RE.test(boundary)) {
    return {
      ok: false,
      error: { code: "bad-boundary", message: `bad boundary ${JSON.stringify(boundary.slice(0, 80))}` },
    };
  }
  const dash = Buffer.from(`--${boundary}`, "latin1");
  let at = findDelimiter(body, dash, 0);
  if (at < 0)
    return { ok: false, error: { code: "no-boundary", message: `no --${boundary} line in the body` } };
  const parts: MultipartPart[] = [];
  for (;;) {
    let pos = at + dash.length;
    if (body[pos] === DASH && body[pos + 1] === DASH)
      return { ok: true, parts, missingCloseDelimiter: false };
    while (pos < body.length && (body[pos] === SP || body[pos] === HT)) pos++;
    if (body[pos] === CR) pos++;
    if (body[pos] === LF) pos++;
    const next = findDelimiter(body, dash, pos);
    const partEnd = next < 0 ? body.length : lineBreakStart(body, next);
    parts.push(readPart(body.subarray(pos, Math.max(pos, partEnd))));
    if (next < 0) return { ok: true, parts, missingCloseDelimiter: true };
    at = next;
  }
}

/** A "--boundary" at the start of a line, followed by "--", padding or the line end. */
function findDelimiter(body: Buffer, dash: Buffer, from: number): number {
  let i = from;
  for (;;) {
    i = body.indexOf(dash, i);
    if (i < 0) return -1;
    const lineStart = i === 0 || body[i - 1] === LF;
    const after = body[i + dash.length];
    const ends =
      after === undefined || after === DASH || after === SP || after === HT || after === CR || after === LF;
    if (lineStart && ends) return i;
    i++;
  }
}

/** The CRLF (or LF) before a delimiter belongs to the delimiter. */
function lineBreakStart(body: Buffer, delimiter: number): number {
  if (delimiter === 0) return 0;
  let e = delimiter - 1; // the LF
  if (e > 0 && body[e - 1] === CR) e--;
  return e;
}

/** RFC 2046 §5.1.1 body-part: MIME headers, an empty line, then the content. */
function readPart(part: Buffer): MultipartPart {
  if (part[0] === LF || (part[0] === CR && part[1] === LF)) {
    return { headers: [], body: Buffer.from(part.subarray(part[0] === LF ? 1 : 2)) };
  }
  const block = readHeaderBlock(part, 0, part.length);
  const { headers } = unfoldHeaders(block.lines, "lenient");
  return { headers, body: Buffer.from(part.subarray(block.bodyStart)) };
}
