/**
 * RTP streams -> legs, and RFC 4733 / in-band digits per leg and direction. A stream belongs to the
 * leg whose SDP declared its destination (the receiver, RFC 3264 §5: "the address and port at which
 * it wants to receive"), or, failing that, its source (symmetric RTP). Validity of an event is judged
 * against the RECEIVER's SDP: each side sends with the PT the receiver declared (RFC 3264 §6.1).
 */
import type { SdpMedia } from "../../../protocol/src/wire/sdp/types.ts";
import type { LegState, RtpEventRecord, RtpStream } from "./context.ts";
import type { Direction, DtmfEvent, RtpStreamSummary } from "./model.ts";
import { START_LOST_DURATION_TS, streamLost } from "./rtp-collector.ts";
import { hostPort, round3 } from "./units.ts";

/** RFC 4733 §3.2 DTMF events; 16 is hook flash (RFC 2833 / IANA registry). */
const EVENT_DIGITS = "0123456789*#ABCD";

export function eventDigit(code: number): string {
  return code < 16 ? EVENT_DIGITS[code]! : code === 16 ? "flash" : `event-${code}`;
}

interface MediaEntry {
  st: LegState;
  side: "caller" | "callee";
  fromS: number;
}

export interface StreamPlacement {
  st: LegState;
  receiver: "caller" | "callee";
}

const endsMemo = new WeakMap<RtpStream, { src: string; dst: string }>();

/** A stream's source and destination as "ip:port", built once per stream. */
export function streamEnds(s: RtpStream): { src: string; dst: string } {
  let e = endsMemo.get(s);
  if (e === undefined) {
    e = { src: hostPort(s.srcIp, s.srcPort), dst: hostPort(s.dstIp, s.dstPort) };
    endsMemo.set(s, e);
  }
  return e;
}

export function placeStreams(
  legs: readonly LegState[],
  streams: readonly RtpStream[],
): Map<RtpStream, StreamPlacement> {
  // by declared address, and by (declared address, address the other side declared): the second
  // finds the symmetric-RTP match directly when many legs share one address (an echo server port)
  const index = new Map<string, MediaEntry[]>();
  const pairs = new Map<string, MediaEntry[]>();
  const add = (map: Map<string, MediaEntry[]>, key: string, e: MediaEntry): void => {
    const l = map.get(key);
    if (l === undefined) map.set(key, [e]);
    else l.push(e);
  };
  for (const st of legs)
    for (const m of st.media) {
      const e: MediaEntry = { st, side: m.side, fromS: m.fromS };
      add(index, m.addr, e);
      for (const o of st.media) if (o.side !== m.side) add(pairs, `${m.addr}|${o.addr}`, e);
    }
  const out = new Map<RtpStream, StreamPlacement>();
  for (const s of streams) {
    const { src, dst } = streamEnds(s);
    const byDst = pick(pairs.get(`${dst}|${src}`), s) ?? pick(index.get(dst), s);
    if (byDst !== null) {
      out.set(s, { st: byDst.st, receiver: byDst.side });
      continue;
    }
    const bySrc = pick(pairs.get(`${src}|${dst}`), s) ?? pick(index.get(src), s);
    if (bySrc !== null) out.set(s, { st: bySrc.st, receiver: bySrc.side === "caller" ? "callee" : "caller" });
  }
  return out;
}

/**
 * The declaration in force when the stream started: the latest declared before it, leg still up.
 * Callers look among the symmetric matches first (the leg whose other side declared the stream's
 * other end, RFC 4961), then among every leg that declared the address.
 */
function pick(cands: MediaEntry[] | undefined, s: RtpStream): MediaEntry | null {
  if (cands === undefined) return null;
  let best: MediaEntry | null = null;
  for (const c of cands) {
    if (c.fromS > s.firstS + 1) continue;
    if (c.st.endS + 5 < s.firstS) continue;
    if (best === null || c.fromS >= best.fromS) best = c;
  }
  return best ?? cands[0] ?? null;
}

/** The audio m-line a side had declared when the stream started. */
export function receiverMedia(st: LegState, side: "caller" | "callee", atS: number): SdpMedia | null {
  let best: SdpMedia | null = null;
  for (const u of st.sdps) {
    if (u.side !== side || u.audio === null) continue;
    if (u.tsS <= atS + 1 || best === null) best = u.audio;
  }
  return best;
}

export function directionOf(receiver: "caller" | "callee"): Direction {
  return receiver === "callee" ? "caller->callee" : "callee->caller";
}

export function summarizeStream(
  s: RtpStream,
  rel: (t: number) => number,
  direction: Direction | null,
  recv: SdpMedia | null,
): RtpStreamSummary {
  const pts = ptsOf(s);
  const declared = recv === null ? null : new Set(recv.payloads);
  return {
    from: hostPort(s.srcIp, s.srcPort),
    to: hostPort(s.dstIp, s.dstPort),
    ssrc: `0x${s.ssrc.toString(16).toUpperCase().padStart(8, "0")}`,
    direction,
    packets: s.packets,
    payloadTypes: pts,
    eventPackets: s.eventPackets,
    firstS: round3(rel(s.firstS)),
    lastS: round3(rel(s.lastS)),
    lost: streamLost(s),
    unexpectedPts: declared === null ? [] : pts.filter((p) => !declared.has(p)),
    firstFrame: s.firstFrame,
  };
}

/** The payload types a stream carried, ascending. */
export function ptsOf(s: RtpStream): number[] {
  const out: number[] = [];
  for (let pt = 0; pt < 128; pt++) if (s.ptCounts[pt]! > 0) out.push(pt);
  return out;
}

/** A run of 4-byte payloads that behaves like RFC 4733 even on an undeclared PT. */
function plausibleEvent(r: RtpEventRecord): boolean {
  return r.packets >= 2 || r.endPackets > 0 || r.markerOnFirst;
}

export function rtpEventDigits(
  s: RtpStream,
  recv: SdpMedia | null,
  direction: Direction,
  rel: (t: number) => number,
): DtmfEvent[] {
  const out: DtmfEvent[] = [];
  const te = recv?.telephoneEvent ?? null;
  for (const r of s.events) {
    const onTePt = te !== null && r.pt === te.pt;
    if (!onTePt && !plausibleEvent(r)) continue;
    let invalidReason: string | undefined;
    if (recv === null)
      invalidReason = `no SDP for this stream: telephone-event PT ${r.pt} was never negotiated`;
    else if (te === null) invalidReason = `PT ${r.pt}: the receiver's SDP has no telephone-event`;
    else if (!onTePt)
      invalidReason = `PT ${r.pt} not negotiated (the receiver declared telephone-event/${te.clockRate} on PT ${te.pt})`;
    else if (!te.events.includes(r.event)) invalidReason = `event ${r.event} outside the negotiated events`;
    const clock = te?.clockRate ?? 8000;
    const frames = [r.firstFrame, ...r.endFrames.slice(0, 3)];
    out.push({
      digit: eventDigit(r.event),
      method: "rfc2833",
      direction,
      atS: round3(rel(r.firstS)),
      durationMs: Math.round((r.maxDurationTs / clock) * 1000),
      valid: invalidReason === undefined,
      ...(invalidReason !== undefined ? { invalidReason } : {}),
      pt: r.pt,
      ssrc: `0x${s.ssrc.toString(16).toUpperCase().padStart(8, "0")}`,
      frames,
      ...(!r.markerOnFirst && r.firstDurationTs > START_LOST_DURATION_TS ? { startLost: true } : {}),
      ...(r.endPackets === 0 ? { endLost: true } : {}),
      endPackets: r.endPackets,
    });
  }
  return out;
}

export function inbandDigits(s: RtpStream, direction: Direction, rel: (t: number) => number): DtmfEvent[] {
  return s.inbandDigits.map((d) => ({
    digit: d.digit,
    method: "inband" as const,
    direction,
    atS: round3(rel(d.atS)),
    durationMs: Math.round(d.durationMs),
    valid: true,
    pt: s.inband?.pt,
    ssrc: `0x${s.ssrc.toString(16).toUpperCase().padStart(8, "0")}`,
    frames: d.frames,
  }));
}
