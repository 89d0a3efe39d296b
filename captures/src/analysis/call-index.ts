/**
 * What the analysis must know about every Call-ID still open, updated as each SIP message streams
 * by: when it was last active, whether it ended, and the cheap facts correlate.ts links legs by
 * (Cisco-Guid, Session-ID, related Call-IDs, the INVITE's addresses, numbers and time, media
 * addresses). The segmenter uses it to tell which ended calls can no longer be tied to a call
 * still in progress, so they can be analysed and dropped from memory.
 */
import { getHeader } from "../../../protocol/src/wire/sip/headers.ts";
import { parseSipUri } from "../../../protocol/src/wire/sip/uri.ts";
import type { SipRequest } from "../../../protocol/src/wire/sip/types.ts";
import type { SipEvent } from "./context.ts";
import { boundarySubstrings, HOP_WINDOW_S, sameNumber, sessionUuids } from "./correlate.ts";
import { eventPackage } from "./sip-dtmf.ts";
import { userOf } from "./legs.ts";
import { audioOf, sdpOf } from "./sdp-of.ts";
import { hostPort } from "./units.ts";

export interface InviteFacts {
  tsS: number;
  frame: number;
  /** sent without a To tag (a dialog-creating INVITE, not a re-INVITE seen first) */
  initial: boolean;
  cseq: number;
  src: string;
  dst: string;
  requestUser: string | null;
  fromUser: string | null;
  toUser: string | null;
  guid: string | null;
  sessionUuids: string[];
  /** X-Call-ID-style headers naming another leg */
  namedCallIds: string[];
}

export interface CallEntry {
  callId: string;
  firstTsS: number;
  lastTsS: number;
  invite: InviteFacts | null;
  /** BYE, a CANCEL before the answer, or a final failure of the initial INVITE seen */
  ended: boolean;
  answered: boolean;
  /** time of the BYE/CANCEL that ended it (correlate.ts's endS), +Infinity while none */
  endS: number;
  /** media addresses "ip:port" declared in SDP, with the first time each was declared */
  media: Map<string, number>;
  /** a KPML SUBSCRIBE outside any dialog names the leg it watches (RFC 4730 §5.2 call-id param) */
  kpmlTarget: string | null;
  /** Call-ID substrings on delimiter boundaries (correlate.ts), computed when first needed */
  related: string[] | null;
}

/**
 * Failures a caller answers by sending the INVITE again in the same Call-ID with CSeq + 1, perhaps
 * after a person typed a password: 401/407 (RFC 3261 §22.2) and 422 (RFC 4028 §6). They do not end
 * the leg.
 */
const RETRIED_IN_SAME_CALL_ID: ReadonlySet<number> = new Set([401, 407, 422]);

export class CallIndex {
  readonly entries = new Map<string, CallEntry>();

  onSip(e: SipEvent): void {
    let c = this.entries.get(e.callId);
    if (c === undefined) {
      c = {
        callId: e.callId,
        firstTsS: e.tsS,
        lastTsS: e.tsS,
        invite: null,
        ended: false,
        answered: false,
        endS: Infinity,
        media: new Map(),
        kpmlTarget: null,
        related: null,
      };
      this.entries.set(e.callId, c);
    }
    if (e.tsS > c.lastTsS) c.lastTsS = e.tsS;
    const m = e.msg;
    if (m.kind === "request") {
      if (m.method === "INVITE" && (c.invite === null || (!c.invite.initial && e.toTag === null)))
        c.invite = inviteFacts(e, m);
      else if (m.method === "BYE" || (m.method === "CANCEL" && !c.answered)) {
        // legs.ts: the first BYE, or a CANCEL before the answer, ends the leg
        if (!c.ended) c.endS = e.tsS;
        c.ended = true;
      } else if (m.method === "SUBSCRIBE" && c.kpmlTarget === null) {
        const ev = eventPackage(m);
        const target = ev?.pkg === "kpml" ? ev.params["call-id"] : undefined;
        if (target !== undefined) c.kpmlTarget = target;
      }
    } else if (e.cseqMethod === "INVITE" && c.invite !== null && e.cseqNum === c.invite.cseq) {
      if (m.status >= 200 && m.status < 300) c.answered = true;
      else if (m.status >= 300 && c.invite.initial && !RETRIED_IN_SAME_CALL_ID.has(m.status)) c.ended = true;
    }
    if (m.body.length > 0) {
      const a = audioOf(sdpOf(m));
      if (a !== null && a.connection !== null && a.port !== 0) {
        const addr = hostPort(a.connection, a.port);
        if (!c.media.has(addr)) c.media.set(addr, e.tsS);
      }
    }
  }

  delete(callId: string): void {
    this.entries.delete(callId);
  }
}

function inviteFacts(e: SipEvent, req: SipRequest): InviteFacts {
  const named: string[] = [];
  for (const h of ["x-call-id", "x-cid", "x-original-call-id", "x-orig-call-id"]) {
    const v = getHeader(req, h);
    if (v !== undefined) named.push(v.trim());
  }
  return {
    tsS: e.tsS,
    frame: e.frame,
    initial: e.toTag === null,
    cseq: e.cseqNum,
    src: e.src,
    dst: e.dst,
    requestUser: parseSipUri(req.uri)?.user ?? null,
    fromUser: userOf(getHeader(req, "from")),
    toUser: userOf(getHeader(req, "to")),
    guid: getHeader(req, "cisco-guid")?.trim().toLowerCase() || null,
    sessionUuids: sessionUuids(getHeader(req, "session-id")),
    namedCallIds: named,
  };
}

export function relatedIds(c: CallEntry): string[] {
  if (c.related === null) c.related = [...boundarySubstrings(c.callId), ...(c.invite?.namedCallIds ?? [])];
  return c.related;
}

/**
 * Could correlate.ts tie these two INVITE legs together by the B2BUA-hop or the media rule? Both
 * rules need the legs to overlap in time; `b` is the later one. Mirrors correlate.ts, except that
 * it does not pick the nearest predecessor (so it may say yes where correlate says no: safe).
 */
export function mayLinkByHopOrMedia(a: CallEntry, b: CallEntry): boolean {
  const ai = a.invite;
  const bi = b.invite;
  if (ai === null || bi === null) return false;
  const sharesMedia = (): boolean => {
    for (const addr of a.media.keys()) if (b.media.has(addr)) return true;
    return false;
  };
  const overlap = ai.tsS <= b.endS && bi.tsS <= a.endS;
  if (!overlap) return false;
  const hop = (x: CallEntry, y: CallEntry, xi: InviteFacts, yi: InviteFacts): boolean => {
    // y leaves the address x arrived at, within the hop window of x's INVITE, while x is up
    if (yi.src !== xi.dst) return false;
    const dt = yi.tsS - xi.tsS;
    if (dt < 0 || dt > HOP_WINDOW_S || yi.tsS > x.endS) return false;
    return (
      sameNumber(xi.requestUser, yi.requestUser) ||
      sameNumber(xi.toUser, yi.toUser) ||
      sameNumber(xi.fromUser, yi.fromUser) ||
      sharesMedia()
    );
  };
  if (hop(a, b, ai, bi) || hop(b, a, bi, ai)) return true;
  const sameHop = ai.src === bi.src && ai.dst === bi.dst;
  return !sameHop && sharesMedia();
}
