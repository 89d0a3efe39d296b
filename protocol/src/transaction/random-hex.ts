/**
 * Random hex text for tags, branches and Call-IDs from a pooled buffer: one randomFillSync per
 * 4 KiB instead of one `randomBytes()` per identifier (a Buffer allocation and a trip into
 * OpenSSL each; 3 % of a B2BUA's CPU at 500 calls/s, bench/b2bua/NOTES.md).
 *
 * RFC 3261 §19.3: tags "MUST be globally unique and cryptographically random with at least 32 bits
 * of randomness"; §8.1.1.7: the branch "MUST be unique across space and time for all requests sent
 * by the UA". The bytes are still crypto-random (randomFillSync) and each is handed out once.
 */
import { randomBytes, randomFillSync } from "node:crypto";

/** Bytes drawn from the system generator at a time. */
export const RANDOM_POOL_BYTES = 4096;

const pool = Buffer.alloc(RANDOM_POOL_BYTES);
let offset = RANDOM_POOL_BYTES;

/** `bytes` random bytes as 2·bytes lower-case hex digits. */
export function randomHex(bytes: number): string {
  if (!Number.isInteger(bytes) || bytes < 1) throw new RangeError(`bug: randomHex(${bytes})`);
  if (bytes > RANDOM_POOL_BYTES / 4) return randomBytes(bytes).toString("hex");
  if (offset + bytes > RANDOM_POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const text = pool.toString("hex", offset, offset + bytes);
  offset += bytes;
  return text;
}
