/** The SDP carried by a SIP message: application/sdp, or the application/sdp part of a multipart body. */
import { getHeader, parseContentType } from "../../../protocol/src/wire/sip/headers.ts";
import { parseMultipart } from "../../../protocol/src/wire/sip/multipart.ts";
import type { SipMessage } from "../../../protocol/src/wire/sip/types.ts";
import { parseSdp } from "../../../protocol/src/wire/sdp/parse.ts";
import type { SdpMedia, SessionDescription } from "../../../protocol/src/wire/sdp/types.ts";

/** Parsed once per message: the collector, the leg builder and the ladder all ask. */
const memo = new WeakMap<SipMessage, SessionDescription | null>();

export function sdpOf(msg: SipMessage): SessionDescription | null {
  if (msg.body.length === 0) return null;
  const hit = memo.get(msg);
  if (hit !== undefined) return hit;
  const sdp = sdpOfUncached(msg);
  memo.set(msg, sdp);
  return sdp;
}

function sdpOfUncached(msg: SipMessage): SessionDescription | null {
  const ct = parseContentType(getHeader(msg, "content-type") ?? "application/sdp");
  if (ct === null) return null;
  if (ct.type === "application" && ct.subtype === "sdp") return parse(msg.body);
  if (ct.type === "multipart") {
    const boundary = ct.params["boundary"];
    if (boundary === undefined || boundary === null) return null;
    const mp = parseMultipart(msg.body, boundary.replace(/^"|"$/g, ""));
    if (!("parts" in mp)) return null;
    for (const part of mp.parts) {
      const pct = part.headers.find((h) => h.name === "content-type");
      if (pct !== undefined && /^application\/sdp/i.test(pct.value)) return parse(part.body);
    }
  }
  return null;
}

function parse(body: Buffer): SessionDescription | null {
  const r = parseSdp(body.toString("latin1"));
  return r.ok ? r.sdp : null;
}

/** The first audio m-line (RFC 3264 pairs m-lines by position; audio is what we judge). */
export function audioOf(sdp: SessionDescription | null): SdpMedia | null {
  if (sdp === null) return null;
  return sdp.media.find((m) => m.type === "audio") ?? null;
}
