/**
 * RFC 3261 §12: "A dialog is identified at each UA with a dialog ID, which consists of a Call-ID
 * value, a local tag and a remote tag. The dialog ID at each UA involved in the dialog is not the
 * same. Specifically, the local tag at one UA is identical to the remote tag at the peer UA."
 * RFC 3261 §12.2.2 (UAS): the request's To tag is our local tag, its From tag the remote one;
 * §12.1.2 (UAC): the response's From tag is ours, its To tag the remote one.
 */
import type { SipMessage } from "../wire/sip/index.ts";
import { callIdOf, tagOf } from "./sip-fields.ts";

export interface DialogId {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
}

/** A map key. Call-ID is case-sensitive (RFC 3261 §20.8); tags compare case-sensitively here too. */
export function dialogKey(id: DialogId): string {
  return `${id.callId}\u0000${id.localTag}\u0000${id.remoteTag}`;
}

/** The dialog a received request belongs to (we are its UAS), or null when it has no To tag. */
export function dialogIdOfRequest(request: SipMessage): DialogId | null {
  const callId = callIdOf(request);
  const localTag = tagOf(request, "to");
  const remoteTag = tagOf(request, "from");
  if (callId === null || localTag === null || remoteTag === null) return null;
  return { callId, localTag, remoteTag };
}

/** The dialog a received response belongs to (we sent the request), or null when it has no To tag. */
export function dialogIdOfResponse(response: SipMessage): DialogId | null {
  const callId = callIdOf(response);
  const localTag = tagOf(response, "from");
  const remoteTag = tagOf(response, "to");
  if (callId === null || localTag === null || remoteTag === null) return null;
  return { callId, localTag, remoteTag };
}
