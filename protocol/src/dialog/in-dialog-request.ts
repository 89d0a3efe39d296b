/**
 * Requests inside a dialog (RFC 3261 §12.2.1.1) and the ACK for a 2xx (RFC 3261 §13.2.2.4).
 *
 * RFC 3261 §12.2.1.1: "The URI in the To field of the request MUST be set to the remote URI from
 * the dialog state. The tag in the To header field of the request MUST be set to the remote tag
 * of the dialog ID. The From URI of the request MUST be set to the local URI from the dialog
 * state. The tag in the From header field of the request MUST be set to the local tag of the
 * dialog ID. ... The Call-ID of the request MUST be set to the Call-ID of the dialog." Request-URI
 * and Route per route-set.ts. "A UAC SHOULD include a Contact header field in any target refresh
 * requests within a dialog".
 * RFC 3261 §13.2.2.4: "The header fields of the ACK are constructed in the same way as for any
 * request sent within a dialog (see Section 12) with the exception of the CSeq and the header
 * fields related to authentication. The sequence number of the CSeq header field MUST be the same
 * as the INVITE being acknowledged, but the CSeq method MUST be ACK. The ACK MUST contain the same
 * credentials as the INVITE. If the 2xx contains an offer (based on the rules above), the ACK
 * MUST carry an answer in its body."
 */
import type { SipHeader, SipRequest } from "../wire/sip/index.ts";
import { getHeaders } from "../wire/sip/index.ts";
import type { Dialog } from "./dialog.ts";
import { requestTarget } from "./route-set.ts";
import { header, withBody } from "./sip-fields.ts";

export interface ViaSpec {
  readonly transport: "UDP" | "TCP";
  /** host as it goes into a URI (IPv6 in brackets) */
  readonly host: string;
  readonly port: number;
  readonly branch: string;
  /** RFC 3581 §3: "the client MUST insert an rport parameter ... with no value" to ask for symmetric responses */
  readonly rport: boolean;
}

/** RFC 3261 §20.42: `SIP/2.0/UDP host:port;branch=...` (+ `;rport`). */
export function viaValue(v: ViaSpec): string {
  return `SIP/2.0/${v.transport} ${v.host}:${v.port};branch=${v.branch}${v.rport ? ";rport" : ""}`;
}

/** RFC 3261 §8.1.1.6: "The Max-Forwards header field ... SHOULD be 70." */
export const DEFAULT_MAX_FORWARDS = 70;

export interface Body {
  readonly contentType: string;
  readonly text: string;
}

export interface InDialogRequestOptions {
  readonly via: ViaSpec;
  readonly cseq: number;
  /** Contact URI for target refresh requests (INVITE, UPDATE, SUBSCRIBE, NOTIFY, REFER) */
  readonly contact?: string | null;
  readonly body?: Body | null;
  /** extra headers, after the mandatory ones */
  readonly headers?: readonly SipHeader[];
  /** RFC 3261 §8.1.1.6: "SHOULD be 70" */
  readonly maxForwards?: number;
}

export function buildInDialogRequest(
  dialog: Dialog,
  method: string,
  opts: InDialogRequestOptions,
): SipRequest {
  const target = requestTarget(dialog.routeSet, dialog.remoteTarget);
  const headers: SipHeader[] = [header("via", viaValue(opts.via))];
  for (const r of target.routes) headers.push(header("route", r));
  headers.push(
    header("max-forwards", String(opts.maxForwards ?? DEFAULT_MAX_FORWARDS)),
    header("from", `${dialog.localUri};tag=${dialog.id.localTag}`),
    header("to", `${dialog.remoteUri};tag=${dialog.id.remoteTag}`),
    header("call-id", dialog.id.callId),
    header("cseq", `${opts.cseq} ${method}`),
  );
  if (opts.contact !== undefined && opts.contact !== null)
    headers.push(header("contact", `<${opts.contact}>`));
  headers.push(...(opts.headers ?? []));
  const request: SipRequest = {
    kind: "request",
    method,
    uri: target.requestUri,
    version: "SIP/2.0",
    headers,
    body: Buffer.alloc(0),
  };
  return withBody(request, opts.body ?? null);
}

/** The ACK for a 2xx to `invite`, built by the UAC core (not the transaction layer). */
export function buildAck2xx(
  dialog: Dialog,
  invite: SipRequest,
  opts: {
    readonly via: ViaSpec;
    readonly inviteSeq: number;
    readonly body?: Body | null;
    readonly maxForwards?: number;
  },
): SipRequest {
  const credentials = [
    ...getHeaders(invite, "authorization").map((v) => header("authorization", v)),
    ...getHeaders(invite, "proxy-authorization").map((v) => header("proxy-authorization", v)),
  ];
  return buildInDialogRequest(dialog, "ACK", {
    via: opts.via,
    cseq: opts.inviteSeq,
    headers: credentials,
    body: opts.body ?? null,
    ...(opts.maxForwards === undefined ? {} : { maxForwards: opts.maxForwards }),
  });
}
