/**
 * The digest computation (RFC 2617 §3.2.2.1-§3.2.2.3, used by SIP per RFC 3261 §22.4).
 *
 *   A1 = unq(username-value) ":" unq(realm-value) ":" passwd                  (algorithm MD5)
 *   A1 = H( unq(username-value) ":" unq(realm-value) ":" passwd )
 *          ":" unq(nonce-value) ":" unq(cnonce-value)                         (algorithm MD5-sess)
 *   A2 = Method ":" digest-uri-value                                          (qop auth or absent)
 *   A2 = Method ":" digest-uri-value ":" H(entity-body)                       (qop auth-int)
 *   request-digest = <"> < KD ( H(A1), unq(nonce-value) ":" nc-value ":" unq(cnonce-value)
 *                                  ":" unq(qop-value) ":" H(A2) ) > <">       (qop present)
 *   request-digest = <"> < KD ( H(A1), unq(nonce-value) ":" H(A2) ) > <">    (qop absent, RFC 2069)
 *   KD(secret, data) = H(concat(secret, ":", data)),  H = MD5, lower-case hex
 *
 * RFC 3261 §22.4: "SIP clients and servers MUST NOT accept or request Basic authentication" and
 * the digest-uri is the Request-URI; the method is the request's method.
 */
import { createHash } from "node:crypto";

/** The algorithms we compute (RFC 2617 §3.2.1 "algorithm"; absent means MD5). */
export type DigestAlgorithm = "MD5" | "MD5-sess";
export type DigestQop = "auth" | "auth-int";

export const DIGEST_ALGORITHMS: ReadonlySet<string> = new Set(["MD5", "MD5-SESS"]);

export function md5Hex(text: string | Buffer): string {
  return createHash("md5").update(text).digest("hex");
}

/** H(A1) from a password, or a precomputed H(username:realm:password) (what a registrar stores). */
export type Secret = { readonly password: string } | { readonly ha1: string };

export interface DigestInput {
  readonly algorithm: DigestAlgorithm;
  readonly username: string;
  readonly realm: string;
  readonly secret: Secret;
  readonly nonce: string;
  readonly method: string;
  readonly uri: string;
  /** null: RFC 2069 compatibility (no qop, nc, cnonce) */
  readonly qop: DigestQop | null;
  /** 8 hex digits, e.g. "00000001" (with qop) */
  readonly nc?: string;
  readonly cnonce?: string;
  /** the entity body (qop=auth-int) */
  readonly body?: Buffer;
}

/** The request-digest (the `response` parameter), lower-case hex. */
export function digestResponse(input: DigestInput): string {
  const base =
    "ha1" in input.secret
      ? input.secret.ha1.toLowerCase()
      : md5Hex(`${input.username}:${input.realm}:${input.secret.password}`);
  const ha1 = input.algorithm === "MD5-sess" ? md5Hex(`${base}:${input.nonce}:${input.cnonce ?? ""}`) : base;
  const a2 =
    input.qop === "auth-int"
      ? `${input.method}:${input.uri}:${md5Hex(input.body ?? Buffer.alloc(0))}`
      : `${input.method}:${input.uri}`;
  const ha2 = md5Hex(a2);
  if (input.qop === null) return md5Hex(`${ha1}:${input.nonce}:${ha2}`);
  return md5Hex(`${ha1}:${input.nonce}:${input.nc ?? ""}:${input.cnonce ?? ""}:${input.qop}:${ha2}`);
}

/** RFC 2617 §3.2.2: nc-value = 8LHEX, "the hexadecimal count of the number of requests". */
export function formatNonceCount(n: number): string {
  return n.toString(16).padStart(8, "0");
}

/** "md5-sess" and friends as our union; null for algorithms we cannot compute (e.g. SHA-256). */
export function parseAlgorithm(value: string | undefined): DigestAlgorithm | null {
  if (value === undefined || value === "") return "MD5";
  const upper = value.toUpperCase();
  if (upper === "MD5") return "MD5";
  if (upper === "MD5-SESS") return "MD5-sess";
  return null;
}
