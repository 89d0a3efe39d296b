/**
 * The DTMF alphabet: the 16 keys of the 4×4 keypad (ITU-T Q.23), as every DTMF transport in this
 * stack names them (RFC 4733 §3.2 events 0-15, RFC 4730 KPML digits, SIP INFO Signal=).
 * Order is the RFC 4733 event code order: "0"-"9" are events 0-9, "*" 10, "#" 11, "A"-"D" 12-15.
 */
export const DTMF_DIGITS = "0123456789*#ABCD";

export type DtmfDigit =
  "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "*" | "#" | "A" | "B" | "C" | "D";

const DIGIT_SET: ReadonlySet<string> = new Set(DTMF_DIGITS);

export function isDtmfDigit(s: string): s is DtmfDigit {
  return s.length === 1 && DIGIT_SET.has(s);
}

/** "a" -> "A", "5" -> "5", anything outside the alphabet (including "" and "55") -> null. */
export function normalizeDtmfDigit(s: string): DtmfDigit | null {
  const up = s.trim().toUpperCase();
  return isDtmfDigit(up) ? up : null;
}
