import { dtmfDigitForEvent, dtmfEventForDigit, FLASH_EVENT } from "../rfc4733/dtmf-events.ts";
import {
  parseTelephoneEvent,
  TELEPHONE_EVENT_LENGTH,
  writeTelephoneEvent,
} from "../rfc4733/telephone-event.ts";
import type { DtmfDigit } from "./digits.ts";

/**
 * Cisco "NOTIFY-based out-of-band DTMF relay" (IOS `dtmf-relay sip-notify`, proprietary). Cisco
 * IOS SIP configuration guide, "SIP NOTIFY-Based Out-of-Band Method":
 *
 * - negotiated by a Call-Info header in the INVITE and the 18x/200:
 *     Call-Info: <sip:address>;method="NOTIFY;Event=telephone-event;Duration=msec"
 *   (Duration: the interval between NOTIFYs for one digit, `notify telephone-event max-duration`,
 *   500-3000 ms, default 2000; both sides use the lower value);
 * - each digit is sent as NOTIFY with `Event: telephone-event` and a 4-byte body "similar to the
 *   DTMF message format described in RFC 2833" (Content-Type audio/telephone-event):
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     event     |E|R|  unused   |       duration (ms)           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *   event 0-9, A-D, #, * and flash (RFC 2833 codes); E "If E is set to a value of 1, the NOTIFY
 *   message contains the end of the DTMF event"; "unused corresponds to the volume field";
 *   duration "Duration of this DTMF event, in milliseconds" (not RTP timestamp units as in RTP).
 * - the first NOTIFY goes out at key-down with E=0 and the negotiated duration; an end NOTIFY
 *   (E=1) carries the real duration.
 */
export const CISCO_NOTIFY_EVENT_PACKAGE = "telephone-event";
export const CISCO_NOTIFY_CONTENT_TYPE = "audio/telephone-event";

export type CiscoNotifyErrorCode = "bad-length" | "hook-flash" | "unknown-event";

export type CiscoNotifyResult =
  | {
      readonly ok: true;
      readonly digit: DtmfDigit;
      readonly event: number;
      readonly end: boolean;
      readonly durationMs: number;
    }
  | { readonly ok: false; readonly error: { readonly code: CiscoNotifyErrorCode; readonly message: string } };

/** Reads the 4-byte body of a Cisco `Event: telephone-event` NOTIFY. Never throws. */
export function parseCiscoNotifyBody(body: Uint8Array): CiscoNotifyResult {
  if (body.length !== TELEPHONE_EVENT_LENGTH) {
    return fail("bad-length", `body of ${body.length} bytes, expected 4`);
  }
  const te = parseTelephoneEvent(body, 0, body.length);
  if (!te.ok) return fail("bad-length", te.message);
  const digit = dtmfDigitForEvent(te.event);
  if (digit === null) {
    return te.event === FLASH_EVENT
      ? fail("hook-flash", "event 16 is a hook flash")
      : fail("unknown-event", `event ${te.event} is not a DTMF key`);
  }
  return { ok: true, digit, event: te.event, end: te.end, durationMs: te.durationTs };
}

function fail(code: CiscoNotifyErrorCode, message: string): CiscoNotifyResult {
  return { ok: false, error: { code, message } };
}

/** The 4-byte NOTIFY body for `digit`; duration in ms, 0-65535. Throws RangeError on bad input (caller bug). */
export function writeCiscoNotifyBody(digit: DtmfDigit, end: boolean, durationMs: number): Buffer {
  const event = dtmfEventForDigit(digit);
  if (event === null) throw new RangeError(`not a DTMF digit: ${JSON.stringify(digit)}`);
  const out = Buffer.alloc(TELEPHONE_EVENT_LENGTH);
  writeTelephoneEvent(out, 0, { event, end, volume: 0, durationTs: durationMs });
  return out;
}

/**
 * Finds the sip-notify capability in a Call-Info header value (several comma-separated entries are
 * allowed, RFC 3261 §20.9): `<sip:10.0.0.1:5060>;method="NOTIFY;Event=telephone-event;Duration=500"`.
 * Returns the Duration in ms (null when the entry has none), or null when no entry advertises it.
 */
export function parseCiscoCallInfoNotify(headerValue: string): { durationMs: number | null } | null {
  for (const entry of splitOutsideQuotes(headerValue, ",")) {
    for (const param of splitOutsideQuotes(entry.replace(/^[^>]*>/, ""), ";")) {
      const kv = /^\s*method\s*=\s*"?([^"]*)"?\s*$/i.exec(param);
      if (!kv) continue;
      const parts = kv[1]!.split(";").map((p) => p.trim());
      if (parts[0]?.toUpperCase() !== "NOTIFY") continue;
      let isTelephoneEvent = false;
      let durationMs: number | null = null;
      for (const p of parts.slice(1)) {
        const m = /^([A-Za-z]+)\s*=\s*(.*)$/.exec(p);
        if (!m) continue;
        const key = m[1]!.toLowerCase();
        if (key === "event" && m[2]!.trim().toLowerCase() === CISCO_NOTIFY_EVENT_PACKAGE)
          isTelephoneEvent = true;
        if (key === "duration" && /^\d{1,9}$/.test(m[2]!.trim())) durationMs = Number(m[2]!.trim());
      }
      if (isTelephoneEvent) return { durationMs };
    }
  }
  return null;
}

/** `<sip:gw>;method="NOTIFY;Event=telephone-event;Duration=500"` for a Call-Info header. */
export function writeCiscoCallInfoNotify(uri: string, durationMs: number): string {
  if (!Number.isInteger(durationMs) || durationMs < 0) throw new RangeError(`bad duration ${durationMs}`);
  return `<${uri}>;method="NOTIFY;Event=${CISCO_NOTIFY_EVENT_PACKAGE};Duration=${durationMs}"`;
}

/** Splits on `sep` outside double quotes and angle brackets. */
function splitOutsideQuotes(s: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"' && s[i - 1] !== "\\") quoted = !quoted;
    else if (!quoted && c === "<") depth++;
    else if (!quoted && c === ">" && depth > 0) depth--;
    else if (!quoted && depth === 0 && c === sep) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}
