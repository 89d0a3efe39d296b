/**
 * Builds a response to a request (RFC 3261 §8.2.6). The transaction layer needs this for the
 * 100 (Trying) it generates itself (§17.2.1) and for the 482 / 503 / 481 / 487 / 200-to-CANCEL it
 * hands the core ready-made.
 *
 * RFC 3261 §8.2.6.2: "The From field of the response MUST equal the From header field of the
 * request. The Call-ID header field of the response MUST equal the Call-ID header field of the
 * request. The CSeq header field of the response MUST equal the CSeq field of the request. The Via
 * header field values in the response MUST equal the Via header field values in the request and
 * MUST maintain the same ordering." ... "if the To header field in the request did not contain a
 * tag, the URI in the To header field in the response MUST equal the URI in the To header field;
 * additionally, the UAS MUST add a tag to the To header field in the response (with the exception
 * of the 100 (Trying) response, in which a tag MAY be present)."
 */
import type { SipHeader, SipRequest, SipResponse } from "../wire/sip/index.ts";
import { defaultReason } from "../wire/sip/index.ts";
import { firstHeader, makeHeader, tagOf, withTag } from "./message-fields.ts";

export interface ResponseOptions {
  /** reason phrase; the status code's default when omitted */
  readonly reason?: string;
  /** To tag to add when the request's To has none (ignored when it has one) */
  readonly toTag?: string;
  /** extra headers appended after the mandatory ones (e.g. Retry-After) */
  readonly headers?: readonly SipHeader[];
}

export function buildResponse(
  request: SipRequest,
  status: number,
  options: ResponseOptions = {},
): SipResponse {
  const headers: SipHeader[] = [];
  for (const h of request.headers) if (h.name === "via") headers.push(makeHeader("via", h.value));
  const from = firstHeader(request, "from");
  if (from !== null) headers.push(makeHeader("from", from));
  const to = firstHeader(request, "to");
  if (to !== null) {
    const needsTag = tagOf(request, "to") === null && options.toTag !== undefined;
    headers.push(makeHeader("to", needsTag ? withTag(to, options.toTag!) : to));
  }
  const callId = firstHeader(request, "call-id");
  if (callId !== null) headers.push(makeHeader("call-id", callId));
  const cseq = firstHeader(request, "cseq");
  if (cseq !== null) headers.push(makeHeader("cseq", cseq));
  // RFC 3261 §8.2.6.1: "When a 100 (Trying) response is generated, any Timestamp header field
  // present in the request MUST be copied into this 100 (Trying) response."
  const timestamp = firstHeader(request, "timestamp");
  if (status === 100 && timestamp !== null) headers.push(makeHeader("timestamp", timestamp));
  headers.push(...(options.headers ?? []));
  headers.push(makeHeader("content-length", "0"));
  return {
    kind: "response",
    status,
    reason: options.reason ?? defaultReason(status),
    version: "SIP/2.0",
    headers,
    body: Buffer.alloc(0),
  };
}
