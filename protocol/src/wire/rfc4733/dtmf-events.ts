import { DTMF_DIGITS, normalizeDtmfDigit, type DtmfDigit } from "../dtmf/digits.ts";

/**
 * RFC 4733 §3.2 (DTMF named events):
 *
 *   Event  encoding (decimal)
 *   0--9   0--9
 *   *      10
 *   #      11
 *   A--D   12--15
 *
 * Event 16 (hook flash) comes from RFC 2833's event table and the IANA telephone-event registry;
 * RFC 4733's DTMF table stops at 15. Accept it on receipt (DOMAIN §6.1: flag it), but it is not a digit.
 */
export const DTMF_EVENT_BY_DIGIT: Readonly<Record<DtmfDigit, number>> = Object.freeze(
  Object.fromEntries([...DTMF_DIGITS].map((d, i) => [d, i])) as Record<DtmfDigit, number>,
);

/** index = event code 0-15 */
export const DTMF_DIGIT_BY_EVENT: readonly DtmfDigit[] = Object.freeze([...DTMF_DIGITS] as DtmfDigit[]);

export const DTMF_EVENT_MAX = 15;
export const FLASH_EVENT = 16;

/** 0-15 -> its digit; anything else (flash 16, tones, out of range) -> null */
export function dtmfDigitForEvent(event: number): DtmfDigit | null {
  return Number.isInteger(event) && event >= 0 && event <= DTMF_EVENT_MAX
    ? DTMF_DIGIT_BY_EVENT[event]!
    : null;
}

/** "5" -> 5, "*" -> 10, "a" -> 12; not a DTMF key -> null */
export function dtmfEventForDigit(digit: string): number | null {
  const d = normalizeDtmfDigit(digit);
  return d === null ? null : DTMF_EVENT_BY_DIGIT[d];
}
