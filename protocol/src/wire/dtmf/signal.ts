import { dtmfDigitForEvent, FLASH_EVENT } from "../rfc4733/dtmf-events.ts";
import { normalizeDtmfDigit, type DtmfDigit } from "./digits.ts";

export type SignalResult =
  | { readonly ok: true; readonly digit: DtmfDigit }
  | { readonly ok: false; readonly code: "bad-signal" | "hook-flash"; readonly message: string };

/**
 * A DTMF signal as gateways write it in SIP bodies: the key itself ("5", "*", "#", "a"/"A"), or its
 * RFC 4733 event number ("10" for *, "11" for #, "12"-"15" for A-D) as some gateways send.
 * Hook flash (event 16, or "!" as some dtmf-relay senders write it) is reported as `hook-flash`.
 */
export function parseDtmfSignal(text: string): SignalResult {
  const s = text.trim();
  const digit = normalizeDtmfDigit(s);
  if (digit !== null) return { ok: true, digit };
  if (/^\d{1,3}$/.test(s)) {
    const event = Number(s);
    const fromEvent = dtmfDigitForEvent(event);
    if (fromEvent !== null) return { ok: true, digit: fromEvent };
    if (event === FLASH_EVENT)
      return { ok: false, code: "hook-flash", message: `signal ${s} is a hook flash` };
  }
  if (s === "!") return { ok: false, code: "hook-flash", message: "signal ! is a hook flash" };
  return { ok: false, code: "bad-signal", message: `not a DTMF signal: ${JSON.stringify(s.slice(0, 40))}` };
}
