/**
 * SIP messages -> legs. A leg is one INVITE dialog usage, keyed by Call-ID (copies of the same
 * message seen on several hops of a proxy are one leg). Tracks offer/answer (early offer in the
 * INVITE, delayed offer in the 2xx with the answer in the ACK, RFC 3261 §13.2.1 / RFC 3264),
 * re-INVITE and UPDATE media changes, the answer time, ACK, and who ended the leg first.
 */
import { getHeader, getHeaders, parseNameAddr } from "../../../protocol/src/wire/sip/headers.ts";
import { parseSipUri } from "../../../protocol/src/wire/sip/uri.ts";
import { negotiatedAudio } from "../../../protocol/src/wire/sdp/offer-answer.ts";
import type { SipRequest } from "../../../protocol/src/wire/sip/types.ts";
import type { LegState, SdpUse, SipEvent } from "./context.ts";
import type { CodecRef, Leg } from "./model.ts";
import { audioOf, sdpOf } from "./sdp-of.ts";
import { hostPort, round3 } from "./units.ts";

export interface LegBuildResult {
  legs: LegState[];
  /** Call-IDs with no INVITE: method -> count */
  otherSip: Record<string, number>;
  /** events of Call-IDs without INVITE, for out-of-dialog SUBSCRIBE/NOTIFY matching */
  orphanEvents: SipEvent[];
}

export function buildLegs(
  events: SipEvent[],
  rel: (t: number) => number,
  captureEndS: number,
): LegBuildResult {
  const byCallId = new Map<string, SipEvent[]>();
  for (const e of events) {
    let l = byCallId.get(e.callId);
    if (l === undefined) byCallId.set(e.callId, (l = []));
    l.push(e);
  }
  const legs: LegState[] = [];
  const otherSip: Record<string, number> = {};
  const orphanEvents: SipEvent[] = [];
  for (const [callId, evs] of byCallId) {
    const invite =
      evs.find((e) => e.msg.kind === "request" && e.msg.method === "INVITE" && e.toTag === null) ??
      evs.find((e) => e.msg.kind === "request" && e.msg.method === "INVITE");
    if (invite === undefined || callId === "") {
      for (const e of evs) {
        const m = e.msg.kind === "request" ? e.msg.method : `${e.cseqMethod} response`;
        otherSip[m] = (otherSip[m] ?? 0) + 1;
        orphanEvents.push(e);
      }
      continue;
    }
    legs.push(buildLeg(callId, evs, invite, rel, captureEndS));
  }
  legs.sort((a, b) => a.invite.frame - b.invite.frame);
  return { legs, otherSip, orphanEvents };
}

/** The user part of a From/To value (name-addr or bare URI). */
export function userOf(uriText: string | undefined): string | null {
  if (uriText === undefined) return null;
  const na = parseNameAddr(uriText);
  const u = parseSipUri(na?.uri ?? uriText);
  return u?.user ?? null;
}

function buildLeg(
  callId: string,
  evs: SipEvent[],
  invite: SipEvent,
  rel: (t: number) => number,
  captureEndS: number,
): LegState {
  const req = invite.msg as SipRequest;
  const callerTag = invite.fromTag;
  const st: LegState = {
    leg: {
      callId,
      caller: invite.src,
      callee: invite.dst,
      requestUser: parseSipUri(req.uri)?.user ?? null,
      fromUser: userOf(getHeader(req, "from")),
      toUser: userOf(getHeader(req, "to")),
      transport: invite.proto,
      inviteAtS: round3(rel(invite.tsS)),
      finalStatus: null,
      codec: null,
      telephoneEventPt: null,
      callerTelephoneEventPt: null,
      calleeTelephoneEventPt: null,
      offerIn: null,
      answeredAtS: null,
      dtmf: [],
      bye: null,
      ciscoGuid: getHeader(req, "cisco-guid") ?? null,
      sessionId: getHeader(req, "session-id") ?? null,
      firstFrame: invite.frame,
      ackSeen: false,
    } satisfies Leg,
    events: evs,
    invite,
    callerTag,
    calleeTag: null,
    callerAddrs: new Set([invite.src]),
    calleeAddrs: new Set([invite.dst]),
    sdps: [],
    offer: null,
    answer: null,
    okFrames: [],
    ackFrames: [],
    media: [],
    endS: captureEndS,
    streams: [],
    rejectedFrame: null,
    dtmfSignalling: [],
    allowEvents: { caller: new Set(), callee: new Set() },
    callInfoNotify: { caller: false, callee: false },
    streamSummaries: [],
    rtpEvents: [],
  };
  const leg = st.leg;
  const inviteCseq = invite.cseqNum;
  let answeredTs: number | null = null;
  let finalSeen = false;
  const pending = new Map<string, { idx: number }>();

  for (const e of evs) {
    const m = e.msg;
    // Which side sent it: a request carries its sender's tag in From; a response echoes the From of
    // the request it answers, so its sender is the other side (RFC 3261 §8.2.6.2, §12.2.1.1).
    const fromCaller = e.fromTag === callerTag || (callerTag === null && e.src === invite.src);
    const side: "caller" | "callee" =
      m.kind === "request" ? (fromCaller ? "caller" : "callee") : fromCaller ? "callee" : "caller";
    (side === "caller" ? st.callerAddrs : st.calleeAddrs).add(e.src);
    for (const v of getHeaders(m, "allow-events"))
      (side === "caller" ? st.allowEvents.caller : st.allowEvents.callee).add(v.trim().toLowerCase());
    const callInfo = getHeaders(m, "call-info").join(",");
    if (/method\s*=\s*"?NOTIFY;\s*Event\s*=\s*telephone-event/i.test(callInfo)) {
      if (side === "caller") st.callInfoNotify.caller = true;
      else st.callInfoNotify.callee = true;
    }
    if (m.kind === "response" && side === "callee" && st.calleeTag === null && e.toTag !== null)
      st.calleeTag = e.toTag;

    const sdp = sdpOf(m);
    if (sdp !== null) {
      const use: SdpUse = {
        side,
        frame: e.frame,
        tsS: e.tsS,
        sdp,
        audio: audioOf(sdp),
        carriedBy: m.kind === "request" ? m.method : `${m.status}`,
      };
      st.sdps.push(use);
      if (use.audio !== null && use.audio.connection !== null && use.audio.port !== 0) {
        st.media.push({ side, addr: hostPort(use.audio.connection, use.audio.port), fromS: e.tsS });
      }
      if (
        (e.cseqNum === inviteCseq && e.cseqMethod === "INVITE") ||
        (m.kind === "request" && m.method === "ACK" && e.cseqNum === inviteCseq)
      ) {
        if (st.offer === null) {
          st.offer = use;
          leg.offerIn = m.kind === "request" && m.method === "INVITE" ? "invite" : "2xx";
        } else if (st.answer === null && use.side !== st.offer.side) st.answer = use;
      }
    }

    if (m.kind === "response" && e.cseqMethod === "INVITE" && e.cseqNum === inviteCseq) {
      if (m.status >= 200 && !finalSeen) {
        finalSeen = true;
        leg.finalStatus = m.status;
        if (m.status >= 300) st.rejectedFrame = e.frame;
      }
      if (m.status >= 200 && m.status < 300) {
        st.okFrames.push(e.frame);
        if (answeredTs === null) {
          answeredTs = e.tsS;
          leg.answeredAtS = round3(rel(e.tsS));
        }
      }
    }
    if (m.kind === "request" && m.method === "ACK" && e.cseqNum === inviteCseq && answeredTs !== null) {
      st.ackFrames.push(e.frame);
      leg.ackSeen = true;
    }
    if (
      m.kind === "request" &&
      (m.method === "BYE" || (m.method === "CANCEL" && leg.answeredAtS === null)) &&
      leg.bye === null
    ) {
      const reason = getHeader(m, "reason") ?? null;
      leg.bye = {
        sender: side,
        method: m.method === "BYE" ? "BYE" : "CANCEL",
        afterAnswerS: answeredTs === null ? null : round3(e.tsS - answeredTs),
        reason,
        frame: e.frame,
        atS: round3(rel(e.tsS)),
      };
      st.endS = e.tsS;
    }
    if (m.kind === "request" && (m.method === "SUBSCRIBE" || m.method === "NOTIFY" || m.method === "INFO")) {
      const ev = getHeader(m, "event")?.split(";")[0]?.trim().toLowerCase() ?? null;
      pending.set(`${e.cseqNum} ${m.method} ${side}`, { idx: st.dtmfSignalling.length });
      st.dtmfSignalling.push({
        method: m.method,
        event: ev,
        frame: e.frame,
        status: null,
        statusFrame: null,
        sender: side,
      });
    }
    if (
      m.kind === "response" &&
      (e.cseqMethod === "SUBSCRIBE" || e.cseqMethod === "NOTIFY" || e.cseqMethod === "INFO") &&
      m.status >= 200
    ) {
      const reqSide = side === "caller" ? "callee" : "caller";
      const p = pending.get(`${e.cseqNum} ${e.cseqMethod} ${reqSide}`);
      if (p !== undefined) {
        const sig = st.dtmfSignalling[p.idx]!;
        if (sig.status === null) {
          sig.status = m.status;
          sig.statusFrame = e.frame;
        }
      }
    }
  }

  // Offer/answer result of the initial exchange.
  const offerAudio = st.offer?.audio ?? null;
  const answerAudio = st.answer?.audio ?? null;
  const callerSdp = st.offer?.side === "caller" ? offerAudio : answerAudio;
  const calleeSdp = st.offer?.side === "caller" ? answerAudio : offerAudio;
  leg.callerTelephoneEventPt = callerSdp?.telephoneEvent?.pt ?? null;
  leg.calleeTelephoneEventPt = calleeSdp?.telephoneEvent?.pt ?? null;
  if (offerAudio !== null && answerAudio !== null) {
    const n = negotiatedAudio(offerAudio, answerAudio);
    if (!n.rejected && n.codec !== null) leg.codec = codecRef(n.codec);
    if (!n.rejected && n.telephoneEvent !== null) leg.telephoneEventPt = n.telephoneEvent.answerPt;
  }
  leg.kpmlAdvertised = {
    caller: st.allowEvents.caller.has("kpml"),
    callee: st.allowEvents.callee.has("kpml"),
  };
  return st;
}

function codecRef(c: { pt: number; name: string; clockRate: number }): CodecRef {
  return { pt: c.pt, name: c.name, clockRate: c.clockRate };
}
