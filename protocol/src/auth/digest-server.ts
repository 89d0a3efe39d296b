/**
 * Digest authentication as a server: a UAS or registrar challenging requests (RFC 3261 §22.1,
 * §22.4; RFC 2617 §3.2.1, §3.2.2.5).
 *
 * RFC 3261 §22.1: "When a UAS receives a request from a UAC, the UAS MAY authenticate the
 * originator before the request is processed. If no credentials (in the Authorization header
 * field) are provided in the request, the UAS can challenge the originator to provide credentials
 * by rejecting the request with a 401 (Unauthorized) status code."
 * RFC 3261 §22.4: "the realm string alone SHOULD define the protection domain" ... "Since RFC 2543
 * is based on HTTP Digest as defined in RFC 2069, SIP servers supporting RFC 2617 MUST ensure
 * they are backwards compatible with RFC 2069" (so credentials without qop are accepted).
 * RFC 2617 §3.2.2.5: "The server ... checks the value of the request-uri ... if they do not match,
 * the server SHOULD return 400 Bad Request" -> "uri-mismatch".
 * RFC 2617 §3.2.1 stale: "indicating that the previous request from the client was rejected
 * because the nonce value was stale. If stale is TRUE, the client may wish to simply retry the
 * request with a new encrypted response, without reprompting the user" -> stale only when the
 * digest itself was right.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { SipRequest, SipResponse } from "../wire/sip/index.ts";
import { getHeaders } from "../wire/sip/index.ts";
import { buildResponse } from "../transaction/index.ts";
import { formatAuthParams, parseAuthParams } from "./digest-params.ts";
import type { AuthParamOut } from "./digest-params.ts";
import { digestResponse, parseAlgorithm } from "./digest-response.ts";
import type { DigestAlgorithm, Secret } from "./digest-response.ts";
import { NonceIssuer } from "./nonce.ts";

export interface DigestServerOptions {
  /** e.g. "ccmsipline" (CUCM's default SIP realm, DOMAIN.md §9.7) */
  readonly realm: string;
  /** HMAC key for nonces (default: 32 random bytes, i.e. nonces die with the process) */
  readonly key?: Buffer;
  /** nonce lifetime (default 5 minutes) */
  readonly nonceTtlMs?: number;
  /** time source for nonce issue/expiry (default Date.now) */
  readonly now?: () => number;
  readonly algorithm?: DigestAlgorithm;
  /** challenge with qop="auth" (default true) */
  readonly qop?: boolean;
  /** 407 / Proxy-Authenticate / Proxy-Authorization instead of 401 / WWW-Authenticate / Authorization */
  readonly proxy?: boolean;
  /** To tag for the challenge responses (default random) */
  readonly newTag?: () => string;
}

/** The password (or stored H(A1)) for a user of the realm, or null when unknown. */
export type SecretLookup = (username: string, realm: string) => Secret | null;

export type DigestRejection =
  | "no-credentials"
  | "malformed-credentials"
  | "wrong-algorithm"
  | "bad-nonce"
  | "stale-nonce"
  | "uri-mismatch"
  | "unknown-user"
  | "bad-response";

export type DigestVerdict =
  { readonly ok: true; readonly username: string } | { readonly ok: false; readonly reason: DigestRejection };

/** What to answer for each rejection: a fresh challenge (stale or not), or 400 / 403. */
export const REJECTION_ANSWERS: Readonly<Record<DigestRejection, { status: number; stale: boolean }>> =
  Object.freeze({
    "no-credentials": { status: 0, stale: false },
    "malformed-credentials": { status: 400, stale: false },
    "wrong-algorithm": { status: 0, stale: false },
    "bad-nonce": { status: 0, stale: false },
    "stale-nonce": { status: 0, stale: true },
    "uri-mismatch": { status: 400, stale: false },
    "unknown-user": { status: 403, stale: false },
    "bad-response": { status: 0, stale: false },
  });

export class DigestServer {
  readonly realm: string;
  private readonly nonces: NonceIssuer;
  private readonly algorithm: DigestAlgorithm;
  private readonly qop: boolean;
  private readonly status: 401 | 407;
  private readonly challengeHeader: string;
  private readonly credentialsHeader: string;
  private readonly newTag: () => string;

  constructor(options: DigestServerOptions) {
    this.realm = options.realm;
    this.nonces = new NonceIssuer(
      options.key ?? randomBytes(32),
      options.nonceTtlMs ?? 300_000,
      options.now ?? Date.now,
    );
    this.algorithm = options.algorithm ?? "MD5";
    this.qop = options.qop ?? true;
    this.status = options.proxy === true ? 407 : 401;
    this.challengeHeader = options.proxy === true ? "Proxy-Authenticate" : "WWW-Authenticate";
    this.credentialsHeader = options.proxy === true ? "proxy-authorization" : "authorization";
    this.newTag = options.newTag ?? (() => randomBytes(6).toString("hex"));
  }

  /** The 401/407 carrying a fresh challenge (RFC 2617 §3.2.1). */
  challenge(request: SipRequest, stale = false): SipResponse {
    const params: AuthParamOut[] = [
      { name: "realm", value: this.realm, quoted: true },
      { name: "nonce", value: this.nonces.issue(this.realm), quoted: true },
      { name: "algorithm", value: this.algorithm, quoted: false },
    ];
    if (this.qop) params.push({ name: "qop", value: "auth", quoted: true });
    if (stale) params.push({ name: "stale", value: "TRUE", quoted: false });
    const header = {
      name: this.challengeHeader.toLowerCase(),
      raw: this.challengeHeader,
      value: formatAuthParams("Digest", params),
    };
    return buildResponse(request, this.status, { toTag: this.newTag(), headers: [header] });
  }

  /** Checks the request's credentials for our realm. */
  verify(request: SipRequest, lookup: SecretLookup): DigestVerdict {
    const ours = getHeaders(request, this.credentialsHeader)
      .map(parseAuthParams)
      .find((c) => c !== null && c.scheme.toLowerCase() === "digest" && c.params["realm"] === this.realm);
    if (ours === undefined || ours === null) return { ok: false, reason: "no-credentials" };
    const p = ours.params;
    const { username, nonce, uri, response } = p;
    if (username === undefined || nonce === undefined || uri === undefined || response === undefined)
      return { ok: false, reason: "malformed-credentials" };
    const algorithm = parseAlgorithm(p["algorithm"]);
    if (algorithm !== this.algorithm) return { ok: false, reason: "wrong-algorithm" };
    const qop = p["qop"]?.toLowerCase();
    if (qop !== undefined && qop !== "auth" && qop !== "auth-int")
      return { ok: false, reason: "malformed-credentials" };
    if (qop !== undefined && (p["nc"] === undefined || p["cnonce"] === undefined))
      return { ok: false, reason: "malformed-credentials" };
    const nonceState = this.nonces.check(nonce, this.realm);
    if (nonceState === "invalid") return { ok: false, reason: "bad-nonce" };
    if (uri !== request.uri) return { ok: false, reason: "uri-mismatch" };
    const secret = lookup(username, this.realm);
    if (secret === null) return { ok: false, reason: "unknown-user" };
    const expected = digestResponse({
      algorithm,
      username,
      realm: this.realm,
      secret,
      nonce,
      method: request.method,
      uri,
      qop: (qop as "auth" | "auth-int" | undefined) ?? null,
      ...(p["nc"] === undefined ? {} : { nc: p["nc"] }),
      ...(p["cnonce"] === undefined ? {} : { cnonce: p["cnonce"] }),
      body: request.body,
    });
    const given = Buffer.from(response.toLowerCase(), "latin1");
    const want = Buffer.from(expected, "latin1");
    if (given.length !== want.length || !timingSafeEqual(given, want))
      return { ok: false, reason: "bad-response" };
    if (nonceState === "expired") return { ok: false, reason: "stale-nonce" };
    return { ok: true, username };
  }

  /**
   * verify() plus the response to send when it fails: a challenge (stale=TRUE for an expired
   * nonce), 400 for malformed credentials or a wrong uri, 403 for an unknown user.
   */
  authenticate(
    request: SipRequest,
    lookup: SecretLookup,
  ):
    | { readonly ok: true; readonly username: string }
    | { readonly ok: false; readonly reason: DigestRejection; readonly response: SipResponse } {
    const verdict = this.verify(request, lookup);
    if (verdict.ok) return verdict;
    const answer = REJECTION_ANSWERS[verdict.reason];
    const response =
      answer.status === 0
        ? this.challenge(request, answer.stale)
        : buildResponse(request, answer.status, { toTag: this.newTag() });
    return { ok: false, reason: verdict.reason, response };
  }
}
