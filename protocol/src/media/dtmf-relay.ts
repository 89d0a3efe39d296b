import { parseRtpHeader, type RtpHeader } from "../wire/rtp/header.ts";
import { parseTelephoneEvent, type TelephoneEvent } from "../wire/rfc4733/telephone-event.ts";
import { dtmfDigitForEvent } from "../wire/rfc4733/dtmf-events.ts";
import { normalizeDtmfDigit, type DtmfDigit } from "../wire/dtmf/digits.ts";
import {
  DTMF_RELAY_DEFAULTS,
  LEG_IDS,
  PT_AUDIO,
  PT_DROP,
  otherLeg,
  resolveLeg,
  type DtmfRelayConfig,
  type LegDtmfConfig,
  type LegDtmfUpdate,
  type LegId,
  type OobMethod,
  type ResolvedLeg,
} from "./dtmf-relay-config.ts";
import {
  CollectingSink,
  type DtmfLogEntry,
  type RelayInput,
  type RelayOutput,
  type RelaySink,
} from "./dtmf-relay-io.ts";
import { EgressSpace } from "./egress-space.ts";
import { EgressEvents } from "./egress-events.ts";
import { IngressDigits, type IngressEvent } from "./ingress-digits.ts";
import { DigitRouter, NO_ROUTE, SUPPRESSED } from "./digit-router.ts";

/**
 * The media relay core of the B2BUA (DOMAIN.md §6.5): a pure state machine with no socket, timer or
 * clock inside (ARCHITECTURE.md rule 7). Every call gets `nowMs`; outputs go to a RelaySink.
 *
 * - Audio from leg L leaves on the other leg with its sequence number, timestamp and SSRC moved
 *   into that leg's own RTP space (payload, PT and marker unchanged).
 * - RFC 4733 events are re-emitted on the other leg with the PT that leg's peer declared, or turned
 *   into a KPML/INFO/NOTIFY send; SIP digits become generated RFC 4733 events or SIP sends.
 * - RFC 4733 in → SIP out is sent ONCE per digit, at the END of the event (first E packet or the
 *   lost-end timeout), with the measured duration: the duration is then known, a lost start costs
 *   nothing, and KPML reports on digit completion anyway. The relay latency in the log therefore
 *   includes the digit's own duration for these routes.
 * - SIP in → SIP out is sent at once.
 */

export interface LegCounters {
  /** RTP packets received on the leg, by kind */
  audioIn: number;
  eventIn: number;
  /** shorter than an RTP header, not version 2, or an undecodable telephone-event */
  badIn: number;
  /** RTCP multiplexed on the RTP port (RFC 5761 §4), not relayed */
  rtcpIn: number;
  /** PT not negotiated on the leg (see LegDtmfConfig.ingressAudioPts), dropped */
  unknownPtIn: number;
  /** KPML/INFO/NOTIFY digits received on the leg */
  sipDigitsIn: number;
}

const RTCP_MIN = 192;
const RTCP_MAX = 223;
/** RFC 3550 §6.4.2: an empty RR is 8 bytes */
const RTCP_MIN_LENGTH = 8;
/** RFC 4733 §2.5.1.3: a segment ends when the 16-bit duration is (nearly) exhausted */
const SEGMENT_FULL_TS = 0xff00;
const SEGMENT_SLACK_TS = 0x800;

export class DtmfRelay {
  private readonly raw: Record<LegId, LegDtmfConfig>;
  private readonly legs: Record<LegId, ResolvedLeg>;
  /** the RTP space of what we send on each leg */
  private readonly spaces: Record<LegId, EgressSpace>;
  private readonly egress: Record<LegId, EgressEvents>;
  private readonly ingress: Record<LegId, IngressDigits>;
  private readonly windowMs: number;
  private readonly router: DigitRouter;
  private active = false;
  /** the call's DTMF log so far (see dtmfLogToJsonLines) */
  readonly log: DtmfLogEntry[] = [];
  readonly counters: Record<LegId, LegCounters>;

  constructor(config: DtmfRelayConfig) {
    this.raw = { a: config.legs.a, b: config.legs.b };
    this.legs = { a: resolveLeg("a", config.legs.a), b: resolveLeg("b", config.legs.b) };
    const space = (c: ResolvedLeg, state: Float64Array | undefined): EgressSpace =>
      new EgressSpace(c.ssrc, c.initialSequence, c.initialTimestamp, c.clockRate, state);
    this.spaces = {
      a: space(this.legs.a, config.egressState?.a),
      b: space(this.legs.b, config.egressState?.b),
    };
    const onLog = (entry: DtmfLogEntry, sink: RelaySink): void => this.emitLog(entry, sink);
    this.egress = {
      a: new EgressEvents("a", this.legs.a, this.spaces.a, onLog),
      b: new EgressEvents("b", this.legs.b, this.spaces.b, onLog),
    };
    this.ingress = { a: new IngressDigits(), b: new IngressDigits() };
    this.windowMs = config.duplicateWindowMs ?? DTMF_RELAY_DEFAULTS.duplicateWindowMs;
    this.router = new DigitRouter(this.legs, this.egress, config.callId, onLog);
    const counters = (): LegCounters => ({
      audioIn: 0,
      eventIn: 0,
      badIn: 0,
      rtcpIn: 0,
      unknownPtIn: 0,
      sipDigitsIn: 0,
    });
    this.counters = { a: counters(), b: counters() };
  }

  /** One input, its outputs in order (the test-friendly form of onRtp/onDigit/onTick). */
  step(input: RelayInput, nowMs: number): RelayOutput[] {
    const sink = new CollectingSink();
    if (input.kind === "rtp") this.onRtp(input.leg, input.packet, nowMs, sink);
    else if (input.kind === "digit")
      this.onDigit(input.leg, input.method, input.digit, input.durationMs, nowMs, sink);
    else this.onTick(nowMs, sink);
    return sink.outputs;
  }

  /**
   * A UDP payload received on `leg`. Returns true when it was audio (forwarded, rewritten in place,
   * or dropped for its PT): the edge then knows no timer needs re-arming.
   */
  onRtp(leg: LegId, packet: Uint8Array, nowMs: number, sink: RelaySink): boolean {
    if (this.active) this.runDue(nowMs, sink);
    // named loads (.a / .b), not [leg]: a keyed load whose key varies goes megamorphic in V8
    const isA = leg === "a";
    const c = isA ? this.counters.a : this.counters.b;
    if (packet.length < RTCP_MIN_LENGTH || packet[0]! >> 6 !== 2) {
      c.badIn++;
      return false;
    }
    const b1 = packet[1]!;
    if (b1 >= RTCP_MIN && b1 <= RTCP_MAX) {
      c.rtcpIn++;
      return false;
    }
    if (packet.length < 12) {
      c.badIn++;
      return false;
    }
    const out = isA ? "b" : "a";
    const cls = (isA ? this.legs.a : this.legs.b).ingressPtClass[b1 & 0x7f];
    if (cls === PT_AUDIO) {
      c.audioIn++;
      (isA ? this.spaces.b : this.spaces.a).forwardAudio(packet, nowMs);
      sink.rtp(out, packet);
      return true;
    }
    if (cls === PT_DROP) {
      c.unknownPtIn++;
      return true;
    }
    c.eventIn++;
    const h = parseRtpHeader(packet, 0, packet.length);
    if (!h.ok) {
      c.badIn++;
      sink.note(leg, "bad-event-packet", h.message);
      return false;
    }
    const te = parseTelephoneEvent(packet, h.payloadOffset, h.payloadLength);
    const space = this.spaces[out];
    space.beginIngress(h.ssrc, h.sequence, (h.timestamp + (te.ok ? te.durationTs : 0)) >>> 0, nowMs);
    if (te.ok) this.onEvent(leg, h, te, nowMs, sink);
    else {
      c.badIn++;
      sink.note(leg, "bad-event-packet", te.message);
    }
    space.endIngress();
    this.refresh();
    return false;
  }

  /** A digit received in SIP on `leg` (KPML NOTIFY, INFO, Cisco NOTIFY). */
  onDigit(
    leg: LegId,
    method: OobMethod,
    digitText: string,
    durationMs: number | undefined,
    nowMs: number,
    sink: RelaySink,
  ): void {
    if (this.active) this.runDue(nowMs, sink);
    const digit = normalizeDtmfDigit(digitText);
    if (digit === null) {
      sink.note(
        leg,
        "bad-digit",
        `${method} digit ${JSON.stringify(digitText.slice(0, 20))} is not 0-9 * # A-D`,
      );
      return;
    }
    this.counters[leg].sipDigitsIn++;
    const tr = this.ingress[leg];
    const dup = tr.takeDuplicate(digit, method, nowMs, this.windowMs);
    if (dup !== null) {
      sink.note(leg, "duplicate-suppressed", `${method} digit ${digit} already received by ${dup.method}`);
      return;
    }
    tr.remember(
      { digit, method, startMs: nowMs, lastMs: nowMs, ended: true, matched: false },
      nowMs,
      this.windowMs,
    );
    this.router.route(leg, digit, method, null, null, durationMs, nowMs, sink);
    this.refresh();
  }

  /** Time passes: lost-end timeouts, extension updates, repeated end packets, queued digits. */
  onTick(nowMs: number, sink: RelaySink): void {
    for (const leg of LEG_IDS) {
      const ev = this.ingress[leg].current;
      if (ev !== null && !ev.ended && nowMs - ev.lastMs >= this.legs[leg].endTimeoutMs) {
        this.finishIngress(ev, "timeout", nowMs, sink);
      }
      this.ingress[leg].prune(nowMs, this.windowMs);
    }
    this.egress.a.tick(nowMs, sink);
    this.egress.b.tick(nowMs, sink);
    this.refresh();
  }

  /** When onTick must next run; null when no event is in progress (the edge then arms no timer). */
  nextTickMs(): number | null {
    let t: number | null = null;
    for (const leg of LEG_IDS) {
      const ev = this.ingress[leg].current;
      if (ev !== null && !ev.ended) {
        const due = ev.lastMs + this.legs[leg].endTimeoutMs;
        if (t === null || due < t) t = due;
      }
      const e = this.egress[leg].nextDueMs();
      if (e !== null && (t === null || e < t)) t = e;
    }
    return t;
  }

  /** Re-negotiation (a re-INVITE, the answer to a delayed offer): PTs and methods may change. */
  updateLeg(leg: LegId, patch: LegDtmfUpdate): void {
    this.raw[leg] = { ...this.raw[leg], ...patch };
    const resolved = resolveLeg(leg, this.raw[leg]);
    this.legs[leg] = resolved;
    this.egress[leg].cfg = resolved;
    if (resolved.egressMethod !== "rfc2833" || resolved.telephoneEventPt === null) this.egress[leg].abort();
    this.refresh();
  }

  /** What a packet with each PT (0..127) received on `leg` is: PT_AUDIO, PT_EVENT, PT_DROP. */
  ingressPtClasses(leg: LegId): Uint8Array {
    return this.legs[leg].ingressPtClass;
  }

  /** Packets sent on `leg` so far (audio and events). */
  sentOn(leg: LegId): number {
    return this.spaces[leg].sent;
  }

  private runDue(nowMs: number, sink: RelaySink): void {
    const due = this.nextTickMs();
    if (due !== null && due <= nowMs) this.onTick(nowMs, sink);
  }

  private refresh(): void {
    this.active = this.nextTickMs() !== null;
  }

  private onEvent(leg: LegId, h: RtpHeader, te: TelephoneEvent, nowMs: number, sink: RelaySink): void {
    const tr = this.ingress[leg];
    let ev = tr.current;
    if (!tr.isCurrent(h.ssrc, h.timestamp, te.event)) {
      if (tr.isFinished(h.ssrc, h.timestamp, te.event)) return; // late or retransmitted: already relayed
      if (ev !== null && this.isNextSegment(ev, h, te)) {
        tr.retireKey(ev.ssrc, ev.ts, ev.code);
        ev.segmentBaseTs += (h.timestamp - ev.ts) >>> 0;
        ev.ts = h.timestamp;
      } else {
        const digit = dtmfDigitForEvent(te.event);
        if (digit === null) {
          tr.retireKey(h.ssrc, h.timestamp, te.event);
          sink.note(leg, "non-dtmf-event", `RFC 4733 event ${te.event} is not a DTMF digit; not relayed`);
          return;
        }
        if (ev !== null) {
          if (!ev.ended) this.finishIngress(ev, "superseded", nowMs, sink);
          tr.retireKey(ev.ssrc, ev.ts, ev.code);
        }
        this.startIngress(leg, h, te, digit, nowMs, sink);
        return;
      }
    }
    ev = tr.current!;
    ev.lastMs = nowMs;
    const d = ev.segmentBaseTs + te.durationTs;
    const route = ev.route;
    if (!ev.ended) {
      ev.volume = te.volume;
      const longer = d > ev.durationTs;
      if (longer) ev.durationTs = d;
      if (te.end) this.finishIngress(ev, "end", nowMs, sink);
      else if (longer && route.kind === "rfc2833")
        this.egress[otherLeg(leg)].onIngress(route.egress, "update", nowMs, sink);
    } else if (te.end && ev.endReason === "end" && route.kind === "rfc2833") {
      this.egress[otherLeg(leg)].onIngress(route.egress, "end-repeat", nowMs, sink);
    }
  }

  /** RFC 4733 §2.5.1.3: the next segment of a long event has the same code and starts where the last one ended. */
  private isNextSegment(ev: IngressEvent, h: RtpHeader, te: TelephoneEvent): boolean {
    if (ev.ended || ev.ssrc !== h.ssrc || ev.code !== te.event) return false;
    const segment = ev.durationTs - ev.segmentBaseTs;
    const gap = (h.timestamp - ev.ts) >>> 0;
    return segment >= SEGMENT_FULL_TS && Math.abs(gap - segment) <= SEGMENT_SLACK_TS;
  }

  private startIngress(
    leg: LegId,
    h: RtpHeader,
    te: TelephoneEvent,
    digit: DtmfDigit,
    nowMs: number,
    sink: RelaySink,
  ): void {
    const tr = this.ingress[leg];
    const ev: IngressEvent = {
      leg,
      digit,
      method: "rfc2833",
      startMs: nowMs,
      lastMs: nowMs,
      ended: false,
      matched: false,
      ssrc: h.ssrc,
      ts: h.timestamp,
      code: te.event,
      pt: h.payloadType,
      segmentBaseTs: 0,
      durationTs: te.durationTs,
      volume: te.volume,
      endReason: null,
      route: NO_ROUTE,
    };
    tr.current = ev;
    const dup = tr.takeDuplicate(digit, "rfc2833", nowMs, this.windowMs);
    if (dup !== null) {
      ev.matched = true;
      ev.route = SUPPRESSED;
      sink.note(leg, "duplicate-suppressed", `RFC 4733 digit ${digit} already received by ${dup.method}`);
    } else {
      tr.remember(ev, nowMs, this.windowMs);
      ev.route = this.router.route(leg, digit, "rfc2833", h.payloadType, ev, undefined, nowMs, sink);
    }
    if (te.end) this.finishIngress(ev, "end", nowMs, sink);
  }

  private finishIngress(
    ev: IngressEvent,
    reason: "end" | "timeout" | "superseded",
    nowMs: number,
    sink: RelaySink,
  ): void {
    ev.ended = true;
    ev.endReason = reason;
    ev.lastMs = nowMs;
    if (reason === "timeout") {
      sink.note(
        ev.leg,
        "end-timeout",
        `RFC 4733 digit ${ev.digit}: no end packet, ended after ${nowMs - ev.startMs} ms`,
      );
    }
    this.router.finish(ev, reason, nowMs, sink);
  }

  private emitLog(entry: DtmfLogEntry, sink: RelaySink): void {
    if (this.log.length < DTMF_RELAY_DEFAULTS.maxLogEntries) this.log.push(entry);
    sink.log(entry);
  }
}
