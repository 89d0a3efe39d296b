/**
 * A request outside any dialog (OPTIONS, REGISTER, MESSAGE ...) with the digest retry of
 * RFC 3261 §22.2: "When a UAC resubmits a request with its credentials after receiving a 401
 * (Unauthorized) or 407 (Proxy Authentication Required) response, it MUST increment the CSeq
 * header field value as it would normally when sending an updated request" (auth/resubmit.ts:
 * same Call-ID, From tag and To, new branch). DigestClient refuses to answer the same realm twice
 * unless the nonce was stale, so a wrong password ends with the second 401 (no loop).
 * RFC 3261 §8.1.1: To, From, CSeq, Call-ID, Max-Forwards and Via in every request; §10.2.1:
 * REGISTER carries the Contact to bind.
 */
import type { SipHeader, SipRequest, SipResponse } from "../wire/sip/index.ts";
import type { TransportAddress } from "../transport/index.ts";
import { DigestClient } from "../auth/index.ts";
import type { CredentialLookup, DigestCredentials } from "../auth/index.ts";
import { viaValue } from "./in-dialog-request.ts";
import { header, withBody } from "./sip-fields.ts";
import type { UaContext } from "./ua-context.ts";

export interface OutOfDialogRequest {
  readonly method: string;
  readonly target: string;
  /** From value without tag */
  readonly from: string;
  readonly to?: string;
  readonly headers?: readonly SipHeader[];
  readonly body?: { readonly contentType: string; readonly text: string } | null;
  readonly nextHop?: TransportAddress;
  readonly credentials?: DigestCredentials | readonly DigestCredentials[] | CredentialLookup;
}

/** Sends the request to `to`; `onFinal` gets the last final response, or null on timeout / transport error. */
export function sendOutOfDialog(
  ctx: UaContext,
  to: TransportAddress,
  opts: OutOfDialogRequest,
  onFinal: (response: SipResponse | null) => void,
): SipRequest {
  const headers: SipHeader[] = [
    header("via", viaValue(ctx.via(to.transport))),
    header("max-forwards", "70"),
    header("from", `${opts.from};tag=${ctx.newTag()}`),
    header("to", opts.to ?? `<${opts.target}>`),
    header("call-id", ctx.newCallId()),
    header("cseq", `1 ${opts.method}`),
    header("contact", `<${ctx.contact(to.transport)}>`),
    ...ctx.identityHeaders(),
    ...(opts.headers ?? []),
  ];
  const base: SipRequest = {
    kind: "request",
    method: opts.method,
    uri: opts.target,
    version: "SIP/2.0",
    headers,
    body: Buffer.alloc(0),
  };
  const first = withBody(base, opts.body ?? null);
  const auth = opts.credentials === undefined ? null : new DigestClient(opts.credentials);
  const send = (request: SipRequest): void => {
    ctx.sendRequest(request, to, {
      onResponse: (r) => {
        if (r.status < 200) return;
        if ((r.status === 401 || r.status === 407) && auth !== null) {
          const next = auth.authorize(request, r);
          if (next.ok) return send(next.request);
        }
        onFinal(r);
      },
      onTimeout: () => onFinal(null),
      onTransportError: () => onFinal(null),
    });
  };
  send(first);
  return first;
}
