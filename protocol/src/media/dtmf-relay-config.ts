/**
 * Configuration of the DTMF relay (DOMAIN.md §6.5): one entry per call leg, describing what that
 * leg's peer negotiated (the telephone-event PT it declared, the PTs we declared to it) and how
 * digits leave towards it. Defaults are a frozen table (ARCHITECTURE.md rule 2).
 */

/** The two legs of a B2BUA call; digits entering on one leg leave on the other. */
export type LegId = "a" | "b";
export const LEG_IDS: readonly LegId[] = Object.freeze(["a", "b"] as LegId[]);

export function otherLeg(leg: LegId): LegId {
  return leg === "a" ? "b" : "a";
}

/** DTMF carried in SIP: RFC 4730 KPML NOTIFY, SIP INFO (dtmf-relay / dtmf bodies), Cisco unsolicited NOTIFY. */
export type OobMethod = "kpml" | "info" | "notify";
/** "rfc2833" is the name CUCM and IOS use for RFC 4733 telephone-event (RFC 4733 obsoletes RFC 2833). */
export type DtmfMethod = "rfc2833" | OobMethod;
export type EgressMethod = DtmfMethod | "none";

export const DTMF_RELAY_DEFAULTS = Object.freeze({
  /** G.711 / G.729 and their telephone-event (DOMAIN.md §6.4: "Clock rate should match the audio codec") */
  clockRate: 8000,
  /** Cisco ptime (DOMAIN.md §7); also the update interval of generated events (RFC 4733 §2.5.1.2) */
  ptimeMs: 20,
  /** what the MVS handset needs (DOMAIN.md §6.5: "Generated DTMF towards the handset ≥ 100 ms") */
  minDurationMs: 100,
  /** -dBm0 of generated events; RFC 4733 §2.3 volume 0..63, DTMF receivers accept 0..-36 */
  volume: 10,
  /** an ingress event with no packet for this long has lost its end packets (≈ 3 packet intervals) */
  endTimeoutMs: 120,
  /** RFC 4733 §2.5.1.4: the final packet "SHOULD be sent a total of three times" */
  endPackets: 3,
  /** the same digit via KPML/INFO/NOTIFY and RFC 4733 within this window is one digit */
  duplicateWindowMs: 300,
  /** generated events never last longer (duration is 16 bits: 65535 / 8000 ≈ 8.19 s) */
  maxGeneratedDurationMs: 5000,
  /** digits waiting for an egress leg that is still playing a previous one */
  maxQueuedDigits: 32,
  /** JSON log entries kept per call */
  maxLogEntries: 1000,
});

/** Per-leg configuration. The leg's "peer" is the SIP/RTP endpoint on that leg. */
export interface LegDtmfConfig {
  /** how digits are sent TO this leg's peer */
  readonly egressMethod: EgressMethod;
  /**
   * The telephone-event PT this leg's peer declared in its SDP: we send events to it with that PT
   * (DOMAIN.md §6.4: "each side sends using the PT the receiver declared"). null: the peer did not
   * negotiate telephone-event, and no RFC 4733 packet is ever sent on this leg.
   */
  readonly telephoneEventPt: number | null;
  /** PTs that, received from this leg's peer, carry telephone-event (the PT(s) we declared to it) */
  readonly ingressTelephoneEventPts?: readonly number[];
  /**
   * Audio PTs this leg's peer may send (the codecs negotiated on the leg). When given, any other PT
   * is dropped and counted (DOMAIN.md §7: RTP with a PT absent from the receiver's SDP violates
   * RFC 3264); when absent, every PT that is not telephone-event is relayed as audio.
   */
  readonly ingressAudioPts?: readonly number[];
  /** SSRC of everything we send on this leg */
  readonly ssrc: number;
  /** first sequence number we send on this leg (RFC 3550 §5.1: random) */
  readonly initialSequence: number;
  /** first RTP timestamp we send on this leg (RFC 3550 §5.1: random) */
  readonly initialTimestamp: number;
  readonly clockRate?: number;
  readonly ptimeMs?: number;
  /** minimum duration of the events we send on this leg */
  readonly minDurationMs?: number;
  /** duration of events generated from a KPML/INFO/NOTIFY digit that carries none (default: minDurationMs) */
  readonly generatedDurationMs?: number;
  readonly volume?: number;
  /** lost-end timeout for events received from this leg (default max(endTimeoutMs, 3 × ptimeMs)) */
  readonly endTimeoutMs?: number;
}

/** The fields that may change during a call (a re-INVITE, a delayed-offer answer). */
export type LegDtmfUpdate = Partial<Omit<LegDtmfConfig, "ssrc" | "initialSequence" | "initialTimestamp">>;

export interface DtmfRelayConfig {
  readonly legs: Readonly<Record<LegId, LegDtmfConfig>>;
  /** copied into every log entry */
  readonly callId?: string;
  readonly duplicateWindowMs?: number;
  /**
   * where each leg's egress RTP space keeps its state (EgressSpace SPACE slots): the native audio
   * fast path (fast-path.ts) shares it; default: the relay's own
   */
  readonly egressState?: Readonly<Partial<Record<LegId, Float64Array>>>;
}

/** A LegDtmfConfig with every default filled in and derived values in RTP timestamp units. */
export interface ResolvedLeg {
  readonly egressMethod: EgressMethod;
  readonly telephoneEventPt: number | null;
  /** index = PT 0..127: what a packet with that PT received on this leg is (PT_AUDIO, PT_EVENT, PT_DROP) */
  readonly ingressPtClass: Uint8Array;
  readonly ssrc: number;
  readonly initialSequence: number;
  readonly initialTimestamp: number;
  readonly clockRate: number;
  readonly ptimeMs: number;
  readonly ptimeTs: number;
  readonly minDurationMs: number;
  readonly minDurationTs: number;
  readonly generatedDurationMs: number;
  readonly volume: number;
  readonly endTimeoutMs: number;
}

export const PT_AUDIO = 0;
export const PT_EVENT = 1;
export const PT_DROP = 2;

function checkInt(name: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`${name} must be an integer in ${min}..${max}, got ${v}`);
  }
  return v;
}

/** Fills defaults and checks ranges. Throws RangeError: a bad config here is the caller's bug. */
export function resolveLeg(leg: LegId, c: LegDtmfConfig): ResolvedLeg {
  const d = DTMF_RELAY_DEFAULTS;
  const p = `legs.${leg}.`;
  const ingressPtClass = new Uint8Array(128).fill(c.ingressAudioPts === undefined ? PT_AUDIO : PT_DROP);
  for (const pt of c.ingressAudioPts ?? [])
    ingressPtClass[checkInt(`${p}ingressAudioPts`, pt, 0, 127)] = PT_AUDIO;
  for (const pt of c.ingressTelephoneEventPts ?? [])
    ingressPtClass[checkInt(`${p}ingressTelephoneEventPts`, pt, 0, 127)] = PT_EVENT;
  const clockRate = checkInt(`${p}clockRate`, c.clockRate ?? d.clockRate, 1000, 192000);
  const ptimeMs = checkInt(`${p}ptimeMs`, c.ptimeMs ?? d.ptimeMs, 5, 200);
  const minDurationMs = checkInt(`${p}minDurationMs`, c.minDurationMs ?? d.minDurationMs, 0, 2000);
  return {
    egressMethod: c.egressMethod,
    telephoneEventPt:
      c.telephoneEventPt === null ? null : checkInt(`${p}telephoneEventPt`, c.telephoneEventPt, 0, 127),
    ingressPtClass,
    ssrc: checkInt(`${p}ssrc`, c.ssrc, 0, 0xffffffff),
    initialSequence: checkInt(`${p}initialSequence`, c.initialSequence, 0, 0xffff),
    initialTimestamp: checkInt(`${p}initialTimestamp`, c.initialTimestamp, 0, 0xffffffff),
    clockRate,
    ptimeMs,
    ptimeTs: Math.round((ptimeMs * clockRate) / 1000),
    minDurationMs,
    minDurationTs: Math.min(0xffff, Math.round((minDurationMs * clockRate) / 1000)),
    generatedDurationMs: checkInt(
      `${p}generatedDurationMs`,
      c.generatedDurationMs ?? minDurationMs,
      0,
      d.maxGeneratedDurationMs,
    ),
    volume: checkInt(`${p}volume`, c.volume ?? d.volume, 0, 63),
    endTimeoutMs: checkInt(
      `${p}endTimeoutMs`,
      c.endTimeoutMs ?? Math.max(d.endTimeoutMs, 3 * ptimeMs),
      10,
      10_000,
    ),
  };
}
