/**
 * Stateless server nonces: the issue time and 8 random bytes, signed with an HMAC, so the server
 * keeps no per-challenge state and can still tell its own fresh nonces from forged or old ones.
 *
 * RFC 2617 §3.2.1 nonce: "A server-specified data string which should be uniquely generated each
 * time a 401 response is made ... The contents of the nonce are implementation dependent ... For
 * example, the nonce might be constructed as the base 64 encoding of
 *     time-stamp H(time-stamp ":" ETag ":" private-key)
 * where time-stamp is a server-generated time or other non-repeating value ... With a nonce of
 * this form a server would recalculate the hash portion after receiving the client authentication
 * header and reject the request if it did not match the nonce from that header or if the
 * time-stamp value is not recent enough."
 *
 *   nonce = base64url( issuedAtMs (8 octets, big-endian) | random (8 octets) )
 *           "." base64url( HMAC-SHA256(key, payload | realm) truncated to 12 octets )
 *
 * Replay within the lifetime is not detected (no state): nc values are not remembered.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const PAYLOAD_BYTES = 16;
const MAC_BYTES = 12;

export type NonceCheck = "fresh" | "expired" | "invalid";

export class NonceIssuer {
  constructor(
    private readonly key: Buffer,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {
    if (key.length < 16) throw new RangeError("bug: nonce key shorter than 16 bytes");
  }

  issue(realm: string): string {
    const payload = Buffer.alloc(PAYLOAD_BYTES);
    payload.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(this.now()))), 0);
    randomBytes(8).copy(payload, 8);
    return `${payload.toString("base64url")}.${this.mac(payload, realm).toString("base64url")}`;
  }

  check(nonce: string, realm: string): NonceCheck {
    const dot = nonce.indexOf(".");
    if (dot < 0) return "invalid";
    const payload = Buffer.from(nonce.slice(0, dot), "base64url");
    const mac = Buffer.from(nonce.slice(dot + 1), "base64url");
    if (payload.length !== PAYLOAD_BYTES || mac.length !== MAC_BYTES) return "invalid";
    if (!timingSafeEqual(mac, this.mac(payload, realm))) return "invalid";
    const age = this.now() - Number(payload.readBigUInt64BE(0));
    return age < 0 || age > this.ttlMs ? "expired" : "fresh";
  }

  private mac(payload: Buffer, realm: string): Buffer {
    return createHmac("sha256", this.key).update(payload).update(realm).digest().subarray(0, MAC_BYTES);
  }
}
