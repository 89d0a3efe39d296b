/**
 * CSeq (RFC 3261 §20.16, §25.1): CSeq = "CSeq" HCOLON 1*DIGIT LWS Method
 * RFC 3261 §8.1.1.5: "The sequence number MUST be expressible as a 32-bit unsigned integer and
 * MUST be less than 2**31."
 */
import { isToken, parseUint } from "./grammar.ts";

export interface CSeq {
  readonly seq: number;
  readonly method: string;
}

/** Largest sequence number a request may carry (RFC 3261 §8.1.1.5: less than 2**31). */
export const MAX_CSEQ = 2 ** 31 - 1;
/** Largest value that is still a 32-bit unsigned integer; parseCSeq accepts up to this. */
const MAX_UINT32 = 2 ** 32 - 1;

/** `"0009 INVITE"` -> { seq: 9, method: "INVITE" }; null when malformed or beyond 2**32-1. */
export function parseCSeq(value: string): CSeq | null {
  const m = /^([0-9]+)[ \t]+(\S+)$/.exec(value.trim());
  if (m === null || !isToken(m[2]!)) return null;
  const seq = parseUint(m[1]!, MAX_UINT32);
  return seq === null ? null : { seq, method: m[2]! };
}
