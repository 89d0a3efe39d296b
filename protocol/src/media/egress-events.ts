import type { DtmfDigit } from "../wire/dtmf/digits.ts";
import { DTMF_RELAY_DEFAULTS, type LegId, type ResolvedLeg } from "./dtmf-relay-config.ts";
import type { DtmfLogEntry, RelaySink } from "./dtmf-relay-io.ts";
import type { EgressSpace } from "./egress-space.ts";
import type { IngressEvent } from "./ingress-digits.ts";

/**
 * The RFC 4733 events one egress leg sends (DOMAIN.md §6.2 and §6.5), one at a time:
 *
 * - RFC 4733 §2.5.1.2: every packet of an event carries the event's start timestamp; the first has
 *   the marker bit; the duration field grows with the time elapsed since the event began.
 * - §2.5.1.4: the final packet has E set and "SHOULD be sent a total of three times".
 * - A relayed event follows its ingress event packet by packet (the duration is preserved) and its
 *   end packets follow the ingress retransmissions, with tick() filling in the ones that are lost.
 * - An event shorter than the leg's minimum is extended by updates every ptime until it reaches it
 *   (DOMAIN.md §6.5: generated DTMF ≥ 100 ms); a generated event (from KPML/INFO/NOTIFY) is paced
 *   by tick() from duration 0 to its full duration.
 * - A digit arriving while the previous one is still being extended waits in a queue and starts one
 *   ptime after the previous one's last end packet (events never overlap on the wire).
 */

export interface EgressEvent {
  readonly digit: DtmfDigit;
  readonly code: number;
  readonly volume: number;
  /** relayed: the ingress event it follows; null: generated from a SIP digit */
  readonly src: IngressEvent | null;
  /** ingress clock rate of `src` */
  readonly srcClockRate: number;
  /** generated: total duration (egress clock) */
  readonly generatedDurationTs: number;
  readonly logBase: Omit<DtmfLogEntry, "egress" | "latencyMs">;
  started: boolean;
  ts: number;
  sentDurationTs: number;
  /** -1 until the end is known */
  finalDurationTs: number;
  endsSent: number;
  /** -1: driven by ingress packets, not by tick() */
  nextDueMs: number;
}

export function newEgressEvent(
  digit: DtmfDigit,
  code: number,
  volume: number,
  src: IngressEvent | null,
  srcClockRate: number,
  generatedDurationTs: number,
  logBase: Omit<DtmfLogEntry, "egress" | "latencyMs">,
): EgressEvent {
  return {
    digit,
    code,
    volume,
    src,
    srcClockRate,
    generatedDurationTs,
    logBase,
    started: false,
    ts: 0,
    sentDurationTs: -1,
    finalDurationTs: -1,
    endsSent: 0,
    nextDueMs: -1,
  };
}

const END_PACKETS = DTMF_RELAY_DEFAULTS.endPackets;

/** 32-bit serial comparison (RFC 1982): `a` is `b` or after it */
function tsAtOrAfter(a: number, b: number): boolean {
  return (a - b) >>> 0 < 0x80000000;
}
const MAX_DURATION_TS = 0xffff;

export class EgressEvents {
  current: EgressEvent | null = null;
  private queue: EgressEvent[] = [];
  private queueDueMs = -1;
  /** timestamp and end (timestamp + duration) of the last finished event; -1 before the first */
  private lastTs = -1;
  private lastEndTs = -1;

  constructor(
    readonly leg: LegId,
    public cfg: ResolvedLeg,
    private readonly space: EgressSpace,
    private readonly onLog: (entry: DtmfLogEntry, sink: RelaySink) => void,
  ) {}

  /** Queues or starts an event; false when the queue is full. */
  submit(ev: EgressEvent, nowMs: number, sink: RelaySink): boolean {
    const cur = this.current;
    if (cur !== null && this.queue.length === 0 && cur.finalDurationTs >= 0 && cur.endsSent > 0) {
      // the previous event is only repeating its end packet: send the rest now and go on
      while (this.current === cur) this.sendEnd(cur, nowMs, sink);
    }
    if (this.current === null && this.queue.length === 0) {
      this.start(ev, nowMs, sink, true);
      return true;
    }
    if (this.queue.length >= DTMF_RELAY_DEFAULTS.maxQueuedDigits) return false;
    this.queue.push(ev);
    return true;
  }

  /** The ingress event behind `ev` got a longer duration, its end, or a retransmitted end. */
  onIngress(
    ev: EgressEvent,
    what: "update" | "end" | "end-repeat" | "end-synth",
    nowMs: number,
    sink: RelaySink,
  ): void {
    if (ev !== this.current) return;
    if (what === "update") {
      if (ev.finalDurationTs < 0) {
        const d = this.scaled(ev);
        if (d > ev.sentDurationTs) this.send(ev, false, false, d, sink);
      }
    } else if (what === "end-repeat") {
      if (ev.finalDurationTs >= 0 && ev.endsSent > 0 && ev.endsSent < END_PACKETS) {
        ev.nextDueMs = nowMs + this.endPaceMs();
        this.sendEnd(ev, nowMs, sink);
      }
    } else {
      this.finalize(ev, nowMs, what === "end" ? this.endPaceMs() : this.cfg.ptimeMs, sink);
    }
  }

  /** Sends what is due at `nowMs` (late ticks catch up) and starts a queued event when its turn comes. */
  tick(nowMs: number, sink: RelaySink): void {
    for (let guard = 0; guard < 10_000; guard++) {
      const ev = this.current;
      if (ev === null || ev.nextDueMs < 0 || ev.nextDueMs > nowMs) break;
      const due = ev.nextDueMs;
      ev.nextDueMs = due + this.cfg.ptimeMs;
      if (ev.sentDurationTs < ev.finalDurationTs) {
        const d = Math.min(ev.sentDurationTs + this.cfg.ptimeTs, ev.finalDurationTs);
        if (d === ev.finalDurationTs) this.sendEnd(ev, due, sink);
        else this.send(ev, false, false, d, sink);
      } else {
        this.sendEnd(ev, due, sink);
      }
    }
    if (this.current === null && this.queue.length > 0 && nowMs >= this.queueDueMs) {
      this.start(this.queue.shift()!, nowMs, sink, false);
    }
  }

  /** When tick() has something to do; null when only ingress packets (or nothing) drive this leg. */
  nextDueMs(): number | null {
    const cur = this.current;
    if (cur !== null) return cur.nextDueMs >= 0 ? cur.nextDueMs : null;
    return this.queue.length > 0 ? this.queueDueMs : null;
  }

  busy(): boolean {
    return this.current !== null || this.queue.length > 0;
  }

  /** Drops everything (the leg lost telephone-event in a re-negotiation). */
  abort(): void {
    this.current = null;
    this.queue = [];
  }

  private start(ev: EgressEvent, nowMs: number, sink: RelaySink, live: boolean): void {
    const src = ev.src;
    ev.started = true;
    // A live relayed event keeps its own timestamp, mapped like the audio around it; a queued or
    // generated one starts "now" in this leg's timestamp space.
    let ts = live && src !== null ? this.space.mapTs(src.ts - src.segmentBaseTs) : this.space.nowTs(nowMs);
    // Events never overlap (RFC 4733 §2.5.1.2: a new event gets a new timestamp): after the
    // previous event's end, whatever the ingress timestamps say.
    if (this.lastEndTs >= 0 && !tsAtOrAfter(ts, this.lastEndTs)) {
      const now = this.space.nowTs(nowMs);
      ts = tsAtOrAfter(now, this.lastEndTs) ? now : this.lastEndTs;
      if (ts === this.lastTs) ts = (ts + 1) >>> 0; // the previous event had duration 0
    }
    ev.ts = ts;
    this.current = ev;
    this.send(ev, true, false, src !== null ? this.scaled(ev) : 0, sink);
    this.onLog(
      {
        ...ev.logBase,
        egress: { leg: this.leg, method: "rfc2833", pt: this.cfg.telephoneEventPt },
        latencyMs: nowMs - ev.logBase.atMs,
      },
      sink,
    );
    if (src === null) {
      ev.finalDurationTs = ev.generatedDurationTs;
      ev.nextDueMs = nowMs + this.cfg.ptimeMs;
    } else if (src.ended) {
      this.finalize(ev, nowMs, src.endReason === "end" ? this.endPaceMs() : this.cfg.ptimeMs, sink);
    }
  }

  /**
   * The end of the ingress event is known: send the first end packet now if the event is long
   * enough, else extend it by updates every ptime (tick) until it reaches the minimum.
   */
  private finalize(ev: EgressEvent, nowMs: number, paceMs: number, sink: RelaySink): void {
    if (ev.finalDurationTs >= 0) return;
    const d = this.scaled(ev);
    ev.finalDurationTs = Math.min(MAX_DURATION_TS, Math.max(d, this.cfg.minDurationTs, ev.sentDurationTs));
    if (d >= ev.finalDurationTs) {
      ev.nextDueMs = nowMs + paceMs;
      this.sendEnd(ev, nowMs, sink);
    } else {
      ev.nextDueMs = nowMs + this.cfg.ptimeMs;
    }
  }

  /**
   * Fallback pace of the 2nd and 3rd end packets of a relayed event: a little over the ingress
   * update interval, so the ingress retransmissions drive them when they arrive.
   */
  private endPaceMs(): number {
    return Math.round(this.cfg.ptimeMs * 1.5);
  }

  private scaled(ev: EgressEvent): number {
    const src = ev.src!;
    const d =
      ev.srcClockRate === this.cfg.clockRate
        ? src.durationTs
        : Math.round((src.durationTs * this.cfg.clockRate) / ev.srcClockRate);
    return Math.min(MAX_DURATION_TS, d);
  }

  private sendEnd(ev: EgressEvent, nowMs: number, sink: RelaySink): void {
    this.send(ev, false, true, ev.finalDurationTs, sink);
    ev.endsSent++;
    if (ev.endsSent >= END_PACKETS) {
      this.current = null;
      this.lastTs = ev.ts;
      this.lastEndTs = (ev.ts + ev.finalDurationTs) >>> 0;
      if (this.queue.length > 0) this.queueDueMs = nowMs + this.cfg.ptimeMs;
    }
  }

  private send(ev: EgressEvent, marker: boolean, end: boolean, durationTs: number, sink: RelaySink): void {
    const pt = this.cfg.telephoneEventPt;
    if (pt === null) throw new Error(`bug: RFC 4733 event queued on leg ${this.leg} without telephone-event`);
    ev.sentDurationTs = durationTs;
    sink.rtp(
      this.leg,
      this.space.eventPacket({
        payloadType: pt,
        marker,
        timestamp: ev.ts,
        event: ev.code,
        end,
        volume: ev.volume,
        durationTs,
      }),
    );
  }
}
