import { buildRtpPacket } from "../../src/wire/rtp/write.ts";
import { parseRtpHeader } from "../../src/wire/rtp/header.ts";
import { buildTelephoneEvent, parseTelephoneEvent } from "../../src/wire/rfc4733/telephone-event.ts";
import { DtmfRelay } from "../../src/media/dtmf-relay.ts";
import type { DtmfRelayConfig, LegDtmfConfig, LegId, OobMethod } from "../../src/media/dtmf-relay-config.ts";
import type { RelayOutput } from "../../src/media/dtmf-relay-io.ts";

/** SSRCs the peers use and the ones the relay must use on each leg */
export const A_PEER_SSRC = 0x11111111;
export const B_PEER_SSRC = 0x22222222;
export const A_SSRC = 0xaaaa0001;
export const B_SSRC = 0xbbbb0002;

/** Leg a's peer declared telephone-event/101, leg b's peer telephone-event/96 (the SIPp case). */
export function config(
  a: Partial<LegDtmfConfig> = {},
  b: Partial<LegDtmfConfig> = {},
  extra: Partial<DtmfRelayConfig> = {},
): DtmfRelayConfig {
  return {
    legs: {
      a: {
        egressMethod: "rfc2833",
        telephoneEventPt: 101,
        ingressTelephoneEventPts: [101],
        ssrc: A_SSRC,
        initialSequence: 1000,
        initialTimestamp: 100000,
        ...a,
      },
      b: {
        egressMethod: "rfc2833",
        telephoneEventPt: 96,
        ingressTelephoneEventPts: [96],
        ssrc: B_SSRC,
        initialSequence: 5000,
        initialTimestamp: 700000,
        ...b,
      },
    },
    ...extra,
  };
}

/** A 20 ms PCMU packet whose payload bytes all equal the low byte of `seq` (checked on egress). */
export function audio(seq: number, ts: number, ssrc = A_PEER_SSRC, pt = 0): Buffer {
  return buildRtpPacket({
    payloadType: pt,
    sequence: seq & 0xffff,
    timestamp: ts >>> 0,
    ssrc,
    payload: Buffer.alloc(160, seq & 0xff),
  });
}

export interface EvOpts {
  readonly end?: boolean;
  readonly marker?: boolean;
  readonly pt?: number;
  readonly ssrc?: number;
  readonly volume?: number;
}

/** An RFC 4733 telephone-event packet. */
export function ev(seq: number, ts: number, event: number, durationTs: number, o: EvOpts = {}): Buffer {
  return buildRtpPacket({
    payloadType: o.pt ?? 101,
    marker: o.marker ?? false,
    sequence: seq & 0xffff,
    timestamp: ts >>> 0,
    ssrc: o.ssrc ?? A_PEER_SSRC,
    payload: buildTelephoneEvent({ event, end: o.end ?? false, volume: o.volume ?? 10, durationTs }),
  });
}

/**
 * One egress RTP packet as text, decoded with the wire codecs:
 * "b pt=96 M seq=5002 ts=700320 ev=5 E dur=960" (telephone-event) or "b pt=0 seq=5000 ts=700000".
 */
export function describe(leg: LegId, bytes: Uint8Array, tePts: readonly number[] = [96, 101]): string {
  const h = parseRtpHeader(bytes, 0, bytes.length);
  if (!h.ok) return `${leg} undecodable ${h.code}`;
  let s = `${leg} pt=${h.payloadType}${h.marker ? " M" : ""} seq=${h.sequence} ts=${h.timestamp}`;
  if (tePts.includes(h.payloadType)) {
    const te = parseTelephoneEvent(bytes, h.payloadOffset, h.payloadLength);
    s += te.ok ? ` ev=${te.event}${te.end ? " E" : ""} dur=${te.durationTs}` : ` bad-te ${te.code}`;
  }
  return s;
}

export function rtpRows(outputs: readonly RelayOutput[], tePts?: readonly number[]): string[] {
  const rows: string[] = [];
  for (const o of outputs) if (o.kind === "rtp") rows.push(describe(o.leg, o.bytes, tePts));
  return rows;
}

export interface EgressDigit {
  readonly leg: LegId;
  readonly ts: number;
  readonly event: number;
  readonly markers: number;
  readonly ends: number;
  readonly firstHasMarker: boolean;
  readonly durations: readonly number[];
  readonly endDuration: number | null;
  readonly ssrcs: readonly number[];
  readonly pts: readonly number[];
}

/**
 * Groups the egress telephone-event packets of one leg into events by RTP timestamp (RFC 4733
 * §2.5.1.2: one timestamp per event), in order of first appearance.
 */
export function egressEvents(outputs: readonly RelayOutput[], leg: LegId, tePt: number): EgressDigit[] {
  const byTs = new Map<
    number,
    { event: number; packets: { m: boolean; e: boolean; dur: number; ssrc: number; pt: number }[] }
  >();
  for (const o of outputs) {
    if (o.kind !== "rtp" || o.leg !== leg) continue;
    const h = parseRtpHeader(o.bytes, 0, o.bytes.length);
    if (!h.ok || h.payloadType !== tePt) continue;
    const te = parseTelephoneEvent(o.bytes, h.payloadOffset, h.payloadLength);
    if (!te.ok) throw new Error("relay emitted an undecodable telephone-event");
    let g = byTs.get(h.timestamp);
    if (g === undefined) {
      g = { event: te.event, packets: [] };
      byTs.set(h.timestamp, g);
    }
    if (g.event !== te.event) throw new Error(`two events share timestamp ${h.timestamp}`);
    g.packets.push({ m: h.marker, e: te.end, dur: te.durationTs, ssrc: h.ssrc, pt: h.payloadType });
  }
  return [...byTs].map(([ts, g]) => {
    const ends = g.packets.filter((p) => p.e);
    return {
      leg,
      ts,
      event: g.event,
      markers: g.packets.filter((p) => p.m).length,
      ends: ends.length,
      firstHasMarker: g.packets[0]!.m,
      durations: g.packets.map((p) => p.dur),
      endDuration: ends.length > 0 ? ends[0]!.dur : null,
      ssrcs: [...new Set(g.packets.map((p) => p.ssrc))],
      pts: [...new Set(g.packets.map((p) => p.pt))],
    };
  });
}

const DIGITS = "0123456789*#ABCD";
export function digitsOf(events: readonly EgressDigit[]): string {
  return events.map((e) => DIGITS[e.event] ?? "?").join("");
}

/**
 * Drives the pure relay like the socket edge does: before each input, ticks fire at every
 * `nextTickMs()` that falls due (each at its due time, as a timer would).
 */
export class Driver {
  readonly relay: DtmfRelay;
  readonly out: RelayOutput[] = [];
  now = 0;

  constructor(cfg: DtmfRelayConfig) {
    this.relay = new DtmfRelay(cfg);
  }

  at(t: number): this {
    for (let guard = 0; guard < 100_000; guard++) {
      const due = this.relay.nextTickMs();
      if (due === null || due > t) break;
      this.now = Math.max(this.now, due);
      this.out.push(...this.relay.step({ kind: "tick" }, this.now));
    }
    this.now = Math.max(this.now, t);
    return this;
  }

  rtp(t: number, leg: LegId, packet: Uint8Array): this {
    this.at(t);
    this.out.push(...this.relay.step({ kind: "rtp", leg, packet }, this.now));
    return this;
  }

  digit(t: number, leg: LegId, method: OobMethod, digit: string, durationMs?: number): this {
    this.at(t);
    const input =
      durationMs === undefined
        ? ({ kind: "digit", leg, method, digit } as const)
        : ({ kind: "digit", leg, method, digit, durationMs } as const);
    this.out.push(...this.relay.step(input, this.now));
    return this;
  }

  /** Runs ticks until nothing is pending. */
  idle(): this {
    for (let guard = 0; guard < 100_000; guard++) {
      const due = this.relay.nextTickMs();
      if (due === null) return this;
      this.at(due);
    }
    throw new Error("relay never goes idle");
  }

  rows(tePts?: readonly number[]): string[] {
    return rtpRows(this.out, tePts);
  }

  kinds(kind: RelayOutput["kind"]): RelayOutput[] {
    return this.out.filter((o) => o.kind === kind);
  }
}

/** The packets of one RFC 4733 digit as a well-behaved sender emits them (start M, updates every 20 ms, end ×3). */
export function digitPackets(
  firstSeq: number,
  ts: number,
  event: number,
  durationTs: number,
  o: EvOpts = {},
): Buffer[] {
  const out: Buffer[] = [];
  let seq = firstSeq;
  for (let d = 160; d < durationTs; d += 160) out.push(ev(seq++, ts, event, d, { ...o, marker: d === 160 }));
  for (let i = 0; i < 3; i++) out.push(ev(seq++, ts, event, durationTs, { ...o, end: true, marker: false }));
  return out;
}
