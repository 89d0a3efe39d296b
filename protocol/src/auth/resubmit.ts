/**
 * A request sent again as a new transaction after a challenge (401/407) or a 422.
 *
 * RFC 3261 §22.2: "When a UAC resubmits a request with its credentials after receiving a 401
 * (Unauthorized) or 407 (Proxy Authentication Required) response, it MUST increment the CSeq
 * header field value as it would normally when sending an updated request."
 * RFC 3261 §8.1.3.5: "In all of the above cases, the request is retried by creating a new request
 * with the appropriate modifications. This new request constitutes a new transaction and SHOULD
 * have the same value of the Call-ID, To, and From of the previous request, but the CSeq should
 * contain a new sequence number that is one higher than the previous."
 * RFC 3261 §8.1.1.7: a new transaction has a new branch ("The branch ID inserted by an element
 * compliant with this specification MUST always begin with the characters "z9hG4bK"").
 */
import type { SipHeader, SipRequest } from "../wire/sip/index.ts";
import { canonicalHeaderName, getHeader, parseCSeq } from "../wire/sip/index.ts";
import { BRANCH_MAGIC_COOKIE, randomHex } from "../transaction/index.ts";

export interface ResubmitOptions {
  /** the new branch (default: z9hG4bK + 12 random hex digits) */
  readonly branch?: string;
  /** header names (any form) removed before `add` is appended */
  readonly drop?: readonly string[];
  /** headers inserted just before Content-Length (or at the end) */
  readonly add?: readonly SipHeader[];
  /** a new CSeq number (default: the old one + 1) */
  readonly cseq?: number;
}

export function newBranch(): string {
  return `${BRANCH_MAGIC_COOKIE}${randomHex(6)}`;
}

/** The same request with CSeq + 1, a new top-Via branch and the header edits; null when the CSeq is unreadable. */
export function resubmit(request: SipRequest, options: ResubmitOptions = {}): SipRequest | null {
  const cseq = parseCSeq(getHeader(request, "cseq") ?? "");
  if (cseq === null) return null;
  const seq = options.cseq ?? cseq.seq + 1;
  const drop = new Set((options.drop ?? []).map(canonicalHeaderName));
  const branch = options.branch ?? newBranch();
  const headers: SipHeader[] = [];
  let viaDone = false;
  for (const h of request.headers) {
    if (drop.has(h.name)) continue;
    if (h.name === "via" && !viaDone) {
      viaDone = true;
      headers.push({ ...h, value: withBranch(h.value, branch) });
    } else if (h.name === "cseq") headers.push({ ...h, value: `${seq} ${cseq.method}` });
    else headers.push(h);
  }
  const add = options.add ?? [];
  const cl = headers.findIndex((h) => h.name === "content-length");
  headers.splice(cl < 0 ? headers.length : cl, 0, ...add);
  return { ...request, headers };
}

/** Replaces (or adds) the branch parameter of the first via-parm of a Via header value. */
export function withBranch(viaValue: string, branch: string): string {
  const comma = firstTopLevelComma(viaValue);
  const first = comma < 0 ? viaValue : viaValue.slice(0, comma);
  const rest = comma < 0 ? "" : viaValue.slice(comma);
  const replaced = /;\s*branch\s*=\s*[^;,\s]*/i.test(first)
    ? first.replace(/;\s*branch\s*=\s*[^;,\s]*/i, `;branch=${branch}`)
    : `${first.trimEnd()};branch=${branch}`;
  return replaced + rest;
}

function firstTopLevelComma(s: string): number {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "\\" && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === "," && !quoted) return i;
  }
  return -1;
}
