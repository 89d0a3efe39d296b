/**
 * Dialog state (RFC 3261 §12): ID, sequence numbers, URIs, remote target, route set.
 *
 *          1xx with To tag                 2xx
 *   (none) ----------------> early -------------------> confirmed
 *      \                       | non-2xx final / BYE        | BYE
 *       \------ 2xx -----------+----------------------------+--> terminated
 *
 * RFC 3261 §12.1: "A dialog can also be in the "early" state, which occurs when it is created
 * with a provisional response, and then transition to the "confirmed" state when a 2xx final
 * response arrives. For other responses, or if no response arrives at all on that dialog, the
 * early dialog terminates."
 */
import type { SipRequest, SipResponse } from "../wire/sip/index.ts";
import { getHeader, parseSipUri, MAX_CSEQ } from "../wire/sip/index.ts";
import type { DialogId } from "./dialog-id.ts";
import { dialogKey } from "./dialog-id.ts";
import type { RouteSet } from "./route-set.ts";
import { routeSetFrom } from "./route-set.ts";
import { callIdOf, contactUri, cseqOf, tagOf, withoutTag } from "./sip-fields.ts";

export type DialogState = "early" | "confirmed" | "terminated";

export const dialogTransitions: Readonly<Record<DialogState, readonly DialogState[]>> = Object.freeze({
  early: Object.freeze(["confirmed", "terminated"] as const),
  confirmed: Object.freeze(["terminated"] as const),
  terminated: Object.freeze([] as const),
});

export type DialogRole = "uac" | "uas";

export interface DialogFields {
  readonly id: DialogId;
  readonly role: DialogRole;
  readonly state: DialogState;
  /** our From (UAC) / To (UAS) value without tag */
  readonly localUri: string;
  readonly remoteUri: string;
  readonly remoteTarget: string;
  readonly routeSet: RouteSet;
  /** null = "empty" (RFC 3261 §12.1.1: "The local sequence number MUST be empty" at the UAS) */
  readonly localSeq: number | null;
  readonly remoteSeq: number | null;
  /** RFC 3261 §12.1.1: "If the request arrived over TLS, and the Request-URI contained a SIPS URI, the "secure" flag is set to TRUE." */
  readonly secure: boolean;
}

/** Result of the remote CSeq check (RFC 3261 §12.2.2). */
export type RemoteCSeqVerdict = "in-order" | "out-of-order";

export class Dialog {
  readonly id: DialogId;
  readonly key: string;
  readonly role: DialogRole;
  readonly localUri: string;
  readonly remoteUri: string;
  readonly secure: boolean;
  private current: DialogState;
  private target: string;
  private routes: RouteSet;
  private local: number | null;
  private remote: number | null;

  constructor(fields: DialogFields) {
    this.id = fields.id;
    this.key = dialogKey(fields.id);
    this.role = fields.role;
    this.localUri = fields.localUri;
    this.remoteUri = fields.remoteUri;
    this.secure = fields.secure;
    this.current = fields.state;
    this.target = fields.remoteTarget;
    this.routes = fields.routeSet;
    this.local = fields.localSeq;
    this.remote = fields.remoteSeq;
  }

  get state(): DialogState {
    return this.current;
  }
  get remoteTarget(): string {
    return this.target;
  }
  get routeSet(): RouteSet {
    return this.routes;
  }
  get localSeq(): number | null {
    return this.local;
  }
  get remoteSeq(): number | null {
    return this.remote;
  }

  /** A plain snapshot (JSON-friendly) for logs and tests. */
  snapshot(): DialogFields {
    return {
      id: this.id,
      role: this.role,
      state: this.current,
      localUri: this.localUri,
      remoteUri: this.remoteUri,
      remoteTarget: this.target,
      routeSet: this.routes,
      localSeq: this.local,
      remoteSeq: this.remote,
      secure: this.secure,
    };
  }

  transition(to: DialogState): void {
    if (to === this.current) return;
    if (!dialogTransitions[this.current].includes(to))
      throw new Error(`bug: dialog ${this.current} -> ${to}`);
    this.current = to;
  }

  /**
   * RFC 3261 §12.2.1.1: "Requests within a dialog MUST contain strictly monotonically increasing
   * and contiguous CSeq sequence numbers (increasing-by-one) in each direction (excepting ACK and
   * CANCEL of course, whose numbers equal the requests being acknowledged or cancelled)." ... "If
   * the local sequence number is empty, an initial value MUST be chosen" (§8.1.1.5: "less than
   * 2**31").
   */
  nextLocalSeq(random: () => number = Math.random): number {
    this.local = this.local === null ? 1 + Math.floor(random() * 2 ** 30) : this.local + 1;
    if (this.local > MAX_CSEQ) throw new Error("bug: CSeq space exhausted");
    return this.local;
  }

  /**
   * RFC 3261 §12.2.2: "If the remote sequence number is empty, it MUST be set to the value of the
   * sequence number in the CSeq header field value in the request. If the remote sequence number
   * was not empty, but the sequence number of the request is lower than the remote sequence
   * number, the request is out of order and MUST be rejected with a 500 (Server Internal Error)
   * response. If the remote sequence number was not empty, and the sequence number of the request
   * is greater than the remote sequence number, the request is in order." A new request with the
   * same number (retransmissions are absorbed by the transaction layer) breaks "strictly
   * increasing" and is treated as out of order. ACK and CANCEL are not checked (§12.2.1.1).
   */
  acceptRemoteSeq(seq: number, method: string): RemoteCSeqVerdict {
    if (method === "ACK" || method === "CANCEL") return "in-order";
    if (this.remote !== null && seq <= this.remote) return "out-of-order";
    this.remote = seq;
    return "in-order";
  }

  /**
   * RFC 3261 §12.2.1.2: "When a UAC receives a 2xx response to a target refresh request, it MUST
   * replace the dialog's remote target URI with the URI from the Contact header field in that
   * response, if present." §12.2.2: "When a UAS receives a target refresh request, it MUST
   * replace the dialog's remote target URI with the URI from the Contact header field in that
   * request, if present."
   */
  refreshTarget(message: SipRequest | SipResponse): void {
    const c = contactUri(message);
    if (c !== null) this.target = c;
  }

  /**
   * RFC 3261 §13.2.2.4: an early dialog confirmed by a 2xx: "the route set MUST be recomputed
   * based on the 2xx response ... Only the remote target URI can be updated" afterwards.
   */
  confirmWith(response: SipResponse): void {
    this.routes = routeSetFrom(response, "uac");
    this.refreshTarget(response);
    this.transition("confirmed");
  }
}

export type DialogCreation =
  { readonly ok: true; readonly dialog: Dialog } | { readonly ok: false; readonly reason: string };

/**
 * RFC 3261 §12.1.2 (UAC), from the request we sent and a 2xx or 1xx-with-To-tag response:
 * "The route set MUST be set to the list of URIs in the Record-Route header field from the
 * response, taken in reverse order ... The remote target MUST be set to the URI from the Contact
 * header field of the response. The local sequence number MUST be set to the value of the
 * sequence number in the CSeq header field of the request. The remote sequence number MUST be
 * empty ... The call identifier component of the dialog ID MUST be set to the value of the
 * Call-ID in the request. The local tag component of the dialog ID MUST be set to the tag in the
 * From field in the request, and the remote tag component of the dialog ID MUST be set to the tag
 * in the To field of the response."
 */
export function createUacDialog(request: SipRequest, response: SipResponse): DialogCreation {
  const callId = callIdOf(request);
  const localTag = tagOf(request, "from");
  const remoteTag = tagOf(response, "to");
  const cseq = cseqOf(request);
  if (callId === null || localTag === null || cseq === null)
    return { ok: false, reason: "request lacks Call-ID, From tag or CSeq" };
  if (remoteTag === null) return { ok: false, reason: "response has no To tag" };
  const target = contactUri(response);
  // RFC 3261 §12.1.2: a 1xx or 2xx to INVITE establishing a dialog "MUST contain a Contact"; the
  // Request-URI is kept as the remote target when it is missing (lenient).
  return {
    ok: true,
    dialog: new Dialog({
      id: { callId, localTag, remoteTag },
      role: "uac",
      state: response.status >= 200 ? "confirmed" : "early",
      localUri: withoutTag(getHeader(request, "from") ?? ""),
      remoteUri: withoutTag(getHeader(request, "to") ?? ""),
      remoteTarget: target ?? request.uri,
      routeSet: routeSetFrom(response, "uac"),
      localSeq: cseq.seq,
      remoteSeq: null,
      secure: isSips(request.uri),
    }),
  };
}

/**
 * RFC 3261 §12.1.1 (UAS), from the request and the To tag we put in our response: "The route set
 * MUST be set to the list of URIs in the Record-Route header field from the request, taken in
 * order ... The remote target MUST be set to the URI from the Contact header field of the
 * request. The remote sequence number MUST be set to the value of the sequence number in the CSeq
 * header field of the request. The local sequence number MUST be empty. The call identifier
 * component of the dialog ID MUST be set to the value of the Call-ID in the request. The local
 * tag component of the dialog ID MUST be set to the tag in the To field in the response to the
 * request (which always includes a tag), and the remote tag component of the dialog ID MUST be
 * set to the tag from the From field in the request."
 */
export function createUasDialog(
  request: SipRequest,
  localTag: string,
  state: "early" | "confirmed",
): DialogCreation {
  const callId = callIdOf(request);
  const remoteTag = tagOf(request, "from");
  const cseq = cseqOf(request);
  const target = contactUri(request);
  if (callId === null || remoteTag === null || cseq === null)
    return { ok: false, reason: "request lacks Call-ID, From tag or CSeq" };
  if (target === null) return { ok: false, reason: "request has no Contact" };
  return {
    ok: true,
    dialog: new Dialog({
      id: { callId, localTag, remoteTag },
      role: "uas",
      state,
      localUri: withoutTag(getHeader(request, "to") ?? ""),
      remoteUri: withoutTag(getHeader(request, "from") ?? ""),
      remoteTarget: target,
      routeSet: routeSetFrom(request, "uas"),
      localSeq: null,
      remoteSeq: cseq.seq,
      secure: false,
    }),
  };
}

function isSips(uri: string): boolean {
  return parseSipUri(uri)?.scheme === "sips";
}
