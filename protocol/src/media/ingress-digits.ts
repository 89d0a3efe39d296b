import type { DtmfDigit } from "../wire/dtmf/digits.ts";
import type { DtmfMethod, LegId, OobMethod } from "./dtmf-relay-config.ts";
import type { EgressEvent } from "./egress-events.ts";

/**
 * What one leg has sent us: its RFC 4733 event in progress, the keys of its finished events (so a
 * late or retransmitted packet never starts a second digit), and its recent digits by every method
 * (so a digit sent both as KPML and RFC 4733 — CUCM's "OOB and RFC 2833" — is relayed once).
 *
 * RFC 4733 §2.5.1.2/§2.5.2: all packets of one event carry the same RTP timestamp; the receiver
 * tells events apart by (SSRC, timestamp, event code) — DOMAIN.md §6.3.
 */

/** Where an ingress digit goes; fixed when the digit starts. */
export type DigitRoute =
  | { readonly kind: "rfc2833"; readonly egress: EgressEvent }
  | { readonly kind: "oob"; readonly method: OobMethod }
  | { readonly kind: "none" }
  | { readonly kind: "suppressed" };

/** A digit seen on the ingress leg, by any method (the duplicate detector's record). */
export interface DigitRecord {
  readonly digit: DtmfDigit;
  readonly method: DtmfMethod;
  readonly startMs: number;
  /** last packet (RFC 4733) or the request (SIP) */
  lastMs: number;
  /** false while an RFC 4733 event is still running */
  ended: boolean;
  /** already paired with a digit of another method */
  matched: boolean;
}

/** An RFC 4733 event being received. */
export interface IngressEvent extends DigitRecord {
  readonly leg: LegId;
  readonly ssrc: number;
  /** timestamp of the current segment (RFC 4733 §2.5.1.3: long events are split into segments) */
  ts: number;
  readonly code: number;
  readonly pt: number;
  /** duration of the segments before the current one */
  segmentBaseTs: number;
  /** longest duration seen, segments included, ingress clock */
  durationTs: number;
  volume: number;
  endReason: "end" | "timeout" | "superseded" | null;
  route: DigitRoute;
}

const FINISHED_KEYS = 16;
const MAX_RECORDS = 64;

export class IngressDigits {
  current: IngressEvent | null = null;
  /** ring of finished (ssrc, ts, code) keys */
  private readonly finishedSsrc = new Float64Array(FINISHED_KEYS);
  private readonly finishedTs = new Float64Array(FINISHED_KEYS).fill(-1);
  private readonly finishedCode = new Int16Array(FINISHED_KEYS);
  private finishedNext = 0;
  private records: DigitRecord[] = [];

  isCurrent(ssrc: number, ts: number, code: number): boolean {
    const c = this.current;
    return c !== null && c.ssrc === ssrc && c.ts === ts && c.code === code;
  }

  isFinished(ssrc: number, ts: number, code: number): boolean {
    for (let i = 0; i < FINISHED_KEYS; i++) {
      if (this.finishedTs[i] === ts && this.finishedSsrc[i] === ssrc && this.finishedCode[i] === code)
        return true;
    }
    return false;
  }

  /** Remembers a key as finished (a retired event, or a non-DTMF event to ignore). */
  retireKey(ssrc: number, ts: number, code: number): void {
    const i = this.finishedNext;
    this.finishedSsrc[i] = ssrc;
    this.finishedTs[i] = ts;
    this.finishedCode[i] = code;
    this.finishedNext = (i + 1) % FINISHED_KEYS;
  }

  /**
   * The oldest unpaired digit of the same key sent by another method that is still running or
   * ended within `windowMs`; it is marked paired. null: `digit` is new.
   */
  takeDuplicate(digit: DtmfDigit, method: DtmfMethod, nowMs: number, windowMs: number): DigitRecord | null {
    for (const r of this.records) {
      if (r.matched || r.digit !== digit || r.method === method) continue;
      if (r.ended && nowMs - r.lastMs > windowMs) continue;
      r.matched = true;
      return r;
    }
    return null;
  }

  remember(r: DigitRecord, nowMs: number, windowMs: number): void {
    this.prune(nowMs, windowMs);
    if (this.records.length >= MAX_RECORDS) this.records.shift();
    this.records.push(r);
  }

  /** Drops records that can no longer pair. */
  prune(nowMs: number, windowMs: number): void {
    if (this.records.length === 0) return;
    this.records = this.records.filter((r) => !r.ended || nowMs - r.lastMs <= windowMs);
  }

  /** Records still held (tests check nothing accumulates). */
  recordCount(): number {
    return this.records.length;
  }
}
