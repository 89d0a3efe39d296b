/**
 * Digest authentication as a client (RFC 3261 §22.2, §22.3; RFC 2617 §3.2.2).
 *
 * RFC 3261 §22.2: "When a UAC receives a challenge, it SHOULD render to the user the contents of
 * the "realm" parameter ... Once authentication credentials have been supplied ... the UAC
 * re-originates the request with the proper credentials. ... the UAC MUST increment the CSeq".
 * RFC 3261 §22.3: a 407 carries Proxy-Authenticate and is answered with Proxy-Authorization;
 * "If a UAC receives a 401 (Unauthorized) response ... it SHOULD include an Authorization header".
 * "When resubmitting its request in response to a 401 (Unauthorized) or 407 (Proxy
 * Authentication Required) that contains multiple challenges, a UAC MAY include an Authorization
 * value for each WWW-Authenticate value and a Proxy-Authorization value for each
 * Proxy-Authenticate value for which the UAC wishes to supply a credential."
 * RFC 2617 §3.2.2: "If the server's qop directive is ... the nc-value is the hexadecimal count of
 * the number of requests (including the current request) that the client has sent with the nonce
 * value in this request."
 *
 * Loop guard: a challenge for a realm the challenged request already answered, without
 * `stale=true`, means the credentials were refused (RFC 2617 §3.2.1 stale: "If stale is FALSE, or
 * anything other than TRUE, or the stale directive is not present, the username and/or password
 * are invalid, and new values must be obtained"); we then give up instead of retrying forever.
 */
import { randomBytes } from "node:crypto";
import type { SipHeader, SipRequest, SipResponse } from "../wire/sip/index.ts";
import { getHeaders } from "../wire/sip/index.ts";
import { formatAuthParams, parseAuthParams } from "./digest-params.ts";
import type { AuthParamOut, AuthParams } from "./digest-params.ts";
import { digestResponse, formatNonceCount, parseAlgorithm } from "./digest-response.ts";
import type { DigestQop, Secret } from "./digest-response.ts";
import { resubmit } from "./resubmit.ts";

export interface DigestCredentials {
  readonly username: string;
  readonly password: string;
  /** answer only this realm (any realm when absent) */
  readonly realm?: string;
}

export type CredentialLookup = (
  realm: string,
) => { readonly username: string; readonly secret: Secret } | null;

export type AuthorizeFailure =
  | "not-a-challenge"
  | "no-digest-challenge"
  | "no-credentials"
  | "unsupported-algorithm"
  | "unsupported-qop"
  | "credentials-rejected"
  | "bad-request";

export type AuthorizeResult =
  | { readonly ok: true; readonly request: SipRequest }
  | { readonly ok: false; readonly reason: AuthorizeFailure };

export interface DigestClientOptions {
  /** cnonce generator (default 16 random hex digits) */
  readonly cnonce?: () => string;
  /** how many nonces' nc counters are remembered */
  readonly maxNonces?: number;
}

/** Which request header answers which challenge header (RFC 3261 §22.2, §22.3). */
export const CHALLENGE_HEADERS = Object.freeze({
  401: Object.freeze({ challenge: "www-authenticate", answer: "Authorization" }),
  407: Object.freeze({ challenge: "proxy-authenticate", answer: "Proxy-Authorization" }),
});

export class DigestClient {
  private readonly lookup: CredentialLookup;
  private readonly nonceCounts = new Map<string, number>();
  private readonly cnonce: () => string;
  private readonly maxNonces: number;

  constructor(
    credentials: DigestCredentials | readonly DigestCredentials[] | CredentialLookup,
    options: DigestClientOptions = {},
  ) {
    this.lookup = typeof credentials === "function" ? credentials : lookupFrom(credentials);
    this.cnonce = options.cnonce ?? (() => randomBytes(8).toString("hex"));
    this.maxNonces = options.maxNonces ?? 256;
  }

  /**
   * The challenged request re-originated with credentials (CSeq + 1, same Call-ID/From/To, new
   * branch), or why it cannot be.
   */
  authorize(challenged: SipRequest, response: SipResponse): AuthorizeResult {
    if (response.status !== 401 && response.status !== 407) return { ok: false, reason: "not-a-challenge" };
    const names = CHALLENGE_HEADERS[response.status];
    const challenges = getHeaders(response, names.challenge)
      .map(parseAuthParams)
      .filter((c): c is AuthParams => c !== null && c.scheme.toLowerCase() === "digest");
    if (challenges.length === 0) return { ok: false, reason: "no-digest-challenge" };
    const previous = new Set(
      getHeaders(challenged, names.answer)
        .map(parseAuthParams)
        .map((p) => p?.params["realm"])
        .filter((r): r is string => r !== undefined),
    );
    const answers: SipHeader[] = [];
    const answered = new Set<string>();
    let failure: AuthorizeFailure = "no-credentials";
    for (const c of challenges) {
      const realm = c.params["realm"] ?? "";
      if (previous.has(realm) && c.params["stale"]?.toLowerCase() !== "true") {
        failure = "credentials-rejected";
        continue;
      }
      const built = this.answer(challenged, c);
      if (!built.ok) {
        if (failure === "no-credentials") failure = built.reason;
        continue;
      }
      answers.push({ name: names.answer.toLowerCase(), raw: names.answer, value: built.value });
      answered.add(realm);
    }
    if (answers.length === 0) return { ok: false, reason: failure };
    const kept = challenged.headers.filter(
      (h) =>
        h.name !== names.answer.toLowerCase() ||
        !answered.has(parseAuthParams(h.value)?.params["realm"] ?? ""),
    );
    const base: SipRequest = { ...challenged, headers: kept };
    const request = resubmit(base, { add: answers });
    return request === null ? { ok: false, reason: "bad-request" } : { ok: true, request };
  }

  /** The credentials value for one Digest challenge, or a failure reason. */
  private answer(
    request: SipRequest,
    challenge: AuthParams,
  ):
    | { readonly ok: true; readonly value: string }
    | { readonly ok: false; readonly reason: AuthorizeFailure } {
    const fail = (reason: AuthorizeFailure) => ({ ok: false, reason }) as const;
    const p = challenge.params;
    const realm = p["realm"] ?? "";
    const nonce = p["nonce"];
    if (nonce === undefined) return fail("no-digest-challenge");
    const algorithm = parseAlgorithm(p["algorithm"]);
    if (algorithm === null) return fail("unsupported-algorithm");
    const creds = this.lookup(realm);
    if (creds === null) return fail("no-credentials");
    const qop = chooseQop(p["qop"]);
    if (qop === undefined) return fail("unsupported-qop");
    const cnonce = qop !== null || algorithm === "MD5-sess" ? this.cnonce() : undefined;
    const nc = qop === null ? undefined : formatNonceCount(this.nextCount(nonce));
    const response = digestResponse({
      algorithm,
      username: creds.username,
      realm,
      secret: creds.secret,
      nonce,
      method: request.method,
      uri: request.uri,
      qop,
      ...(nc === undefined ? {} : { nc }),
      ...(cnonce === undefined ? {} : { cnonce }),
      body: request.body,
    });
    const out: AuthParamOut[] = [
      { name: "username", value: creds.username, quoted: true },
      { name: "realm", value: realm, quoted: true },
      { name: "nonce", value: nonce, quoted: true },
      { name: "uri", value: request.uri, quoted: true },
      { name: "response", value: response, quoted: true },
    ];
    if (p["algorithm"] !== undefined) out.push({ name: "algorithm", value: p["algorithm"], quoted: false });
    if (cnonce !== undefined) out.push({ name: "cnonce", value: cnonce, quoted: true });
    if (p["opaque"] !== undefined) out.push({ name: "opaque", value: p["opaque"], quoted: true });
    if (qop !== null)
      out.push({ name: "qop", value: qop, quoted: false }, { name: "nc", value: nc!, quoted: false });
    return { ok: true, value: formatAuthParams("Digest", out) };
  }

  private nextCount(nonce: string): number {
    const n = (this.nonceCounts.get(nonce) ?? 0) + 1;
    this.nonceCounts.delete(nonce);
    this.nonceCounts.set(nonce, n);
    if (this.nonceCounts.size > this.maxNonces) {
      const oldest = this.nonceCounts.keys().next().value;
      if (oldest !== undefined) this.nonceCounts.delete(oldest);
    }
    return n;
  }
}

/**
 * RFC 2617 §3.2.1 qop-options: "a quoted string of one or more tokens indicating the "quality of
 * protection" values supported by the server". We prefer "auth"; null = absent (RFC 2069 mode);
 * undefined = present but nothing we support.
 */
export function chooseQop(qopOptions: string | undefined): DigestQop | null | undefined {
  if (qopOptions === undefined) return null;
  const offered = qopOptions.split(",").map((s) => s.trim().toLowerCase());
  if (offered.includes("auth")) return "auth";
  if (offered.includes("auth-int")) return "auth-int";
  return undefined;
}

function lookupFrom(credentials: DigestCredentials | readonly DigestCredentials[]): CredentialLookup {
  const list: readonly DigestCredentials[] = Array.isArray(credentials)
    ? (credentials as readonly DigestCredentials[])
    : [credentials as DigestCredentials];
  return (realm) => {
    const c = list.find((x) => x.realm === undefined || x.realm === realm);
    return c === undefined ? null : { username: c.username, secret: { password: c.password } };
  };
}
