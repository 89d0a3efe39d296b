import { dtmfEventForDigit } from "../rfc4733/dtmf-events.ts";
import { isDtmfDigit, type DtmfDigit } from "./digits.ts";
import { parseDtmfSignal } from "./signal.ts";

/**
 * DTMF in SIP INFO bodies (RFC 2976 INFO; the bodies are de-facto formats, not IETF standards):
 *
 *   Content-Type: application/dtmf-relay        Content-Type: application/dtmf
 *
 *   Signal=5                                    5
 *   Duration=160
 *
 * `application/dtmf-relay` (Cisco, also Asterisk/FreeSWITCH/pjsip): "key=value" lines; Duration
 * is in milliseconds (Cisco IOS SIP configuration guide, "SIP INFO Messages": "Signal= 1 /
 * Duration= 160 ... duration, 160 milliseconds"); spaces around "=" occur on the wire.
 * `application/dtmf`: the key alone, or its event number. Signals are read by parseDtmfSignal.
 */
export const DTMF_RELAY_CONTENT_TYPE = "application/dtmf-relay";
export const DTMF_CONTENT_TYPE = "application/dtmf";

export type DtmfInfoErrorCode = "unsupported-content-type" | "no-signal" | "bad-signal" | "hook-flash";

export type DtmfInfoResult =
  | {
      readonly ok: true;
      readonly digit: DtmfDigit;
      /** RFC 4733 event code of the digit (0-15) */
      readonly event: number;
      /** Duration= in ms, or null when absent or unreadable (application/dtmf never has one) */
      readonly durationMs: number | null;
    }
  | { readonly ok: false; readonly error: { readonly code: DtmfInfoErrorCode; readonly message: string } };

/** Reads an INFO body; `contentType` is the Content-Type header value (parameters are ignored). */
export function parseDtmfInfoBody(contentType: string, body: Uint8Array): DtmfInfoResult {
  const type = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
  if (type === DTMF_CONTENT_TYPE) return fromSignal(text, null);
  if (type !== DTMF_RELAY_CONTENT_TYPE) {
    return fail(
      "unsupported-content-type",
      `not a DTMF INFO body: ${JSON.stringify(contentType.slice(0, 80))}`,
    );
  }
  let signal: string | null = null;
  let durationMs: number | null = null;
  for (const line of text.split(/\r\n|\r|\n/)) {
    const kv = /^\s*([A-Za-z-]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (!kv) continue;
    const key = kv[1]!.toLowerCase();
    if (key === "signal" && signal === null) signal = kv[2]!;
    else if (key === "duration" && durationMs === null && /^\d{1,9}$/.test(kv[2]!))
      durationMs = Number(kv[2]);
  }
  if (signal === null) return fail("no-signal", "application/dtmf-relay body without a Signal= line");
  return fromSignal(signal, durationMs);
}

function fromSignal(signal: string, durationMs: number | null): DtmfInfoResult {
  const s = parseDtmfSignal(signal);
  if (!s.ok) return fail(s.code, s.message);
  return { ok: true, digit: s.digit, event: dtmfEventForDigit(s.digit)!, durationMs };
}

function fail(code: DtmfInfoErrorCode, message: string): DtmfInfoResult {
  return { ok: false, error: { code, message } };
}

/** "Signal=5\r\nDuration=160\r\n" for Content-Type application/dtmf-relay. Throws on a non-digit (caller bug). */
export function writeDtmfRelayBody(digit: DtmfDigit, durationMs: number): string {
  if (!isDtmfDigit(digit)) throw new RangeError(`not a DTMF digit: ${JSON.stringify(digit)}`);
  if (!Number.isInteger(durationMs) || durationMs < 0) throw new RangeError(`bad duration ${durationMs}`);
  return `Signal=${digit}\r\nDuration=${durationMs}\r\n`;
}

/** The application/dtmf body: the key alone. */
export function writeDtmfBody(digit: DtmfDigit): string {
  if (!isDtmfDigit(digit)) throw new RangeError(`not a DTMF digit: ${JSON.stringify(digit)}`);
  return digit;
}
