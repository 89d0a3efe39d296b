/**
 * CANCEL construction (RFC 3261 §9.1) and the server's decision on a received CANCEL (§9.2).
 */
import type { SipHeader, SipRequest } from "../wire/sip/types.ts";
import { cseqOf, firstHeader, headerLines, makeHeader, topViaText } from "./message-fields.ts";

/**
 * RFC 3261 §9.1: "The Request-URI, Call-ID, To, the numeric part of CSeq, and From header fields
 * in the CANCEL request MUST be identical to those in the request being cancelled, including
 * tags. A CANCEL constructed by a client MUST have only a single Via header field value matching
 * the top Via value in the request being cancelled. ... However, the method part of the CSeq
 * header field MUST have a value of CANCEL." ... "If the request being cancelled contains a Route
 * header field, the CANCEL request MUST include that Route header field's values." ... "The
 * CANCEL request MUST NOT contain any Require or Proxy-Require header fields."
 */
export function buildCancel(request: SipRequest): SipRequest {
  const headers: SipHeader[] = [];
  const push = (name: string, value: string | null): void => {
    if (value !== null) headers.push(makeHeader(name, value));
  };
  push("via", topViaText(request));
  for (const route of headerLines(request, "route")) push("route", route);
  push("to", firstHeader(request, "to"));
  push("from", firstHeader(request, "from"));
  push("max-forwards", firstHeader(request, "max-forwards") ?? "70");
  push("call-id", firstHeader(request, "call-id"));
  const cseq = cseqOf(request);
  push("cseq", cseq === null ? null : `${cseq.seq} CANCEL`);
  push("content-length", "0");
  return {
    kind: "request",
    method: "CANCEL",
    uri: request.uri,
    version: request.version,
    headers,
    body: Buffer.alloc(0),
  };
}

/** What the UAS answers to a CANCEL, given what it found (RFC 3261 §9.2). */
export interface CancelDecision {
  /** status for the CANCEL itself */
  readonly cancelStatus: 200 | 481;
  /** whether the original INVITE must now be answered with 487 (Request Terminated) */
  readonly terminateInvite: boolean;
}

/**
 * RFC 3261 §9.2: "If the UAS did not find a matching transaction for the CANCEL according to the
 * procedure above, it SHOULD respond to the CANCEL with a 481 (Call Leg/Transaction Does Not
 * Exist). If the transaction for the original request still exists, the behavior of the UAS on
 * receiving a CANCEL request depends on whether it has already sent a final response for the
 * original request. If it has, the CANCEL request has no effect on the processing of the original
 * request ... If the original request was an INVITE, the UAS SHOULD immediately respond to the
 * INVITE with a 487 (Request Terminated). ... Regardless of the method of the original request,
 * as long as the CANCEL matched an existing transaction, the UAS answers the CANCEL request
 * itself with a 200 (OK) response."
 *
 * `target` is "none", "pending" (INVITE with no final response yet) or "answered" (a final
 * response was sent, including an accepted INVITE whose 2xx is still being retransmitted).
 */
export function decideCancel(target: "none" | "pending" | "answered"): CancelDecision {
  if (target === "none") return { cancelStatus: 481, terminateInvite: false };
  return { cancelStatus: 200, terminateInvite: target === "pending" };
}
