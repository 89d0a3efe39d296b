/**
 * A whole single-leg call for the rule tests, healthy unless told otherwise: INVITE with an offer
 * (PCMU/PCMA + telephone-event/101 0-15), 100/180, 200 with the answer (PCMU + 101), ACK, G.711 both
 * ways, BYE. Each option changes one thing; the RTP senders are returned for key presses.
 */
import { CaptureBuilder, ep, type Endpoint } from "./capture-builder.ts";
import { PCMA, PCMU, sdpBody, type SdpSpec } from "./sdp-body.ts";
import { SipLeg, type Side } from "./sip-leg.ts";
import { RtpSender } from "./rtp-sender.ts";

export interface CallOptions {
  cap?: CaptureBuilder;
  callId?: string;
  caller?: Endpoint;
  callee?: Endpoint;
  callerMedia?: Endpoint;
  calleeMedia?: Endpoint;
  callerUser?: string;
  calleeUser?: string;
  /** INVITE time, seconds from the capture start */
  startS?: number;
  offer?: Partial<SdpSpec>;
  /** null: the final response carries no SDP */
  answer?: Partial<SdpSpec> | null;
  inviteHeaders?: readonly string[];
  /** headers of the final response (e.g. Allow-Events: kpml, Warning: 305 ...) */
  answerHeaders?: readonly string[];
  finalStatus?: number;
  finalReason?: string;
  /** seconds from the INVITE to the final response (default 0.5) */
  answerDelayS?: number;
  /** the 2xx is retransmitted at these offsets from the first one (RFC 3261 §13.3.1.4) */
  okRetransmitsS?: readonly number[];
  ack?: boolean;
  /** seconds of G.711 both ways after answer (default: until the BYE, at most 3 s); 0 = none */
  audioS?: number;
  bye?: { from: Side; afterAnswerS: number; headers?: readonly string[] } | null;
}

export interface Call {
  cap: CaptureBuilder;
  leg: SipLeg;
  /** caller -> callee media, callee -> caller media */
  callerRtp: RtpSender;
  calleeRtp: RtpSender;
  answerAtS: number;
}

export function call(o: CallOptions = {}): Call {
  const cap = o.cap ?? new CaptureBuilder();
  const caller = o.caller ?? ep("10.0.0.1", 5060);
  const callee = o.callee ?? ep("10.0.0.2", 5060);
  const callerMedia = o.callerMedia ?? ep(caller.ip, 20000);
  const calleeMedia = o.calleeMedia ?? ep(callee.ip, 30000);
  const leg = new SipLeg(cap, {
    callId: o.callId ?? "call-1@test",
    caller,
    callee,
    ...(o.callerUser !== undefined ? { callerUser: o.callerUser } : {}),
    ...(o.calleeUser !== undefined ? { calleeUser: o.calleeUser } : {}),
  });
  const t0 = o.startS ?? 0;
  const offer: SdpSpec = {
    ip: callerMedia.ip,
    port: callerMedia.port,
    codecs: [PCMU, PCMA],
    te: { pt: 101 },
    ...o.offer,
  };
  leg.invite(t0, sdpBody(offer), o.inviteHeaders ?? []);
  leg.respond(t0 + 0.01, 100, "Trying");
  leg.respond(t0 + 0.02, 180, "Ringing");
  const answerAtS = t0 + (o.answerDelayS ?? 0.5);
  const status = o.finalStatus ?? 200;
  const answer =
    o.answer === null
      ? null
      : ({
          ip: calleeMedia.ip,
          port: calleeMedia.port,
          codecs: [PCMU],
          te: { pt: 101 },
          ...o.answer,
        } as SdpSpec);
  const final = {
    headers: o.answerHeaders ?? [],
    ...(answer !== null && status < 300 ? { body: sdpBody(answer) } : {}),
  };
  leg.respond(answerAtS, status, o.finalReason ?? (status === 200 ? "OK" : "Error"), final);
  for (const dt of o.okRetransmitsS ?? []) leg.respond(answerAtS + dt, status, "OK", final);
  const ok = status >= 200 && status < 300;
  if (o.ack ?? true) leg.ack(answerAtS + 0.03);
  const ssrcBase = (o.callId ?? "call-1@test").length * 0x10000;
  // both sides send the answer's first codec (RFC 3264 §6.1)
  const audioPt = answer?.codecs[0]?.pt ?? 0;
  const callerRtp = new RtpSender(cap, callerMedia, calleeMedia, { ssrc: 0x1a000000 + ssrcBase, audioPt });
  const calleeRtp = new RtpSender(cap, calleeMedia, callerMedia, {
    ssrc: 0x5e000000 + ssrcBase,
    ts0: 900_000,
    audioPt,
  });
  const bye = o.bye === undefined ? { from: "caller" as const, afterAnswerS: 4 } : o.bye;
  if (ok) {
    const audioS = o.audioS ?? Math.min(3, bye?.afterAnswerS ?? 3);
    if (audioS > 0) {
      callerRtp.audio(answerAtS + 0.05, answerAtS + 0.05 + audioS);
      calleeRtp.audio(answerAtS + 0.05, answerAtS + 0.05 + audioS);
    }
    if (bye !== null) leg.bye(answerAtS + bye.afterAnswerS, bye.from, bye.headers ?? []);
  }
  return { cap, leg, callerRtp, calleeRtp, answerAtS };
}
