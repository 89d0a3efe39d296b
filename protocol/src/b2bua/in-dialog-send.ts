/**
 * A non-INVITE request inside a session's dialog with a body of raw bytes (adapter).
 *
 * InviteSession.request() takes text bodies (encoded UTF-8) and adds no Contact; the Cisco NOTIFY
 * body is 4 binary bytes (wire/dtmf/cisco-notify.ts) and SUBSCRIBE / NOTIFY are target refresh
 * requests of their subscription (RFC 6665 §4.1.2.1, §4.2.1.2: they carry a Contact). This builds
 * the request with the dialog layer's own builder and sends it through the session's UA context.
 * It also keeps a 481/408 to a DTMF request from ending the INVITE session (RFC 6665 §4.1.2.4:
 * a failed SUBSCRIBE ends the subscription usage, not the dialog's other usages).
 */
import type { SipHeader, SipResponse } from "../wire/sip/index.ts";
import { buildInDialogRequest, editHeaders, header } from "../dialog/index.ts";
import type { InviteSession } from "../dialog/index.ts";

export interface InDialogSend {
  readonly method: string;
  readonly headers?: readonly SipHeader[];
  readonly body?: { readonly contentType: string; readonly bytes: Buffer } | null;
  /** add our Contact (SUBSCRIBE, NOTIFY) */
  readonly contact?: boolean;
  /** default 70; a request relaying one received on the other leg carries its value minus one */
  readonly maxForwards?: number;
}

/**
 * Sends the request; `onFinal` gets the final status and response (null, null on timeout or
 * transport error). False when the dialog is gone.
 */
export function sendInDialog(
  session: InviteSession,
  req: InDialogSend,
  onFinal: (status: number | null, response: SipResponse | null) => void = () => undefined,
): boolean {
  const d = session.dialog;
  if (d === null || d.state === "terminated" || session.state === "terminated") return false;
  const ctx = session.ctx;
  const cseq = d.nextLocalSeq(ctx.random);
  const build = (transport: "udp" | "tcp") => {
    const r = buildInDialogRequest(d, req.method, {
      via: ctx.via(transport),
      cseq,
      contact: req.contact === true ? ctx.contact(transport) : null,
      headers: [...(req.headers ?? []), ...ctx.identityHeaders()],
      ...(req.maxForwards === undefined ? {} : { maxForwards: req.maxForwards }),
    });
    const body = req.body ?? null;
    if (body === null) return r;
    return {
      ...editHeaders(
        r,
        ["content-type", "content-length"],
        [header("content-type", body.contentType), header("content-length", String(body.bytes.length))],
      ),
      body: body.bytes,
    };
  };
  let request = build(session.transport);
  const to = session.destination(request);
  if (to === null) return false;
  if (to.transport !== session.transport) request = build(to.transport);
  ctx.sendRequest(request, to, {
    onResponse: (r) => {
      if (r.status >= 200) onFinal(r.status, r);
    },
    onTimeout: () => onFinal(null, null),
    onTransportError: () => onFinal(null, null),
  });
  return true;
}
