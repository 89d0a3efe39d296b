import type { DtmfDigit } from "../../../../protocol/src/wire/dtmf/digits.ts";

/**
 * The DTMF signalling frequencies and keypad (ITU-T Q.23 §2, Figure 1): each key is one tone of the
 * low ("row") group plus one tone of the high ("column") group.
 *
 *              1209 Hz  1336 Hz  1477 Hz  1633 Hz
 *     697 Hz      1        2        3        A
 *     770 Hz      4        5        6        B
 *     852 Hz      7        8        9        C
 *     941 Hz      *        0        #        D
 *
 * Q.23: the frequency tolerance of a sender is ±1.8 %; Q.24 receivers must operate within
 * ±1.5 % and must not operate beyond ±3.5 %.
 */
export const DTMF_ROW_HZ: readonly number[] = Object.freeze([697, 770, 852, 941]);
export const DTMF_COL_HZ: readonly number[] = Object.freeze([1209, 1336, 1477, 1633]);

export const DTMF_KEYPAD: readonly (readonly DtmfDigit[])[] = Object.freeze([
  Object.freeze<DtmfDigit[]>(["1", "2", "3", "A"]),
  Object.freeze<DtmfDigit[]>(["4", "5", "6", "B"]),
  Object.freeze<DtmfDigit[]>(["7", "8", "9", "C"]),
  Object.freeze<DtmfDigit[]>(["*", "0", "#", "D"]),
]);

/** The 8 DTMF tones in filter-bank order: the 4 rows, then the 4 columns. */
export const DTMF_TONES_HZ: readonly number[] = Object.freeze([...DTMF_ROW_HZ, ...DTMF_COL_HZ]);

/** Row and column frequencies of a key, or null for a character outside the keypad. */
export function dtmfToneOf(digit: string): { rowHz: number; colHz: number } | null {
  for (let r = 0; r < 4; r++) {
    const c = DTMF_KEYPAD[r]!.indexOf(digit as DtmfDigit);
    if (c >= 0) return { rowHz: DTMF_ROW_HZ[r]!, colHz: DTMF_COL_HZ[c]! };
  }
  return null;
}
