import type { DtmfDigit } from "../wire/dtmf/digits.ts";
import type { DtmfMethod, EgressMethod, LegId, OobMethod } from "./dtmf-relay-config.ts";

/**
 * What goes into and comes out of the DTMF relay step (ARCHITECTURE.md rule 7: the step is pure;
 * sockets, SIP and the clock are the caller's). Inputs are plain data; outputs are delivered to a
 * `RelaySink` (the socket edge implements one, `DtmfRelay.step` collects them into an array).
 */

export type RelayInput =
  /** one UDP payload received on `leg`'s RTP socket; the relay owns `packet` from now on (audio is rewritten in place) */
  | { readonly kind: "rtp"; readonly leg: LegId; readonly packet: Uint8Array }
  /** a digit the B2BUA received in SIP on `leg` (KPML NOTIFY, INFO, Cisco NOTIFY) */
  | {
      readonly kind: "digit";
      readonly leg: LegId;
      readonly method: OobMethod;
      readonly digit: string;
      readonly durationMs?: number;
    }
  /** time passes (the edge calls it at `nextTickMs()`) */
  | { readonly kind: "tick" };

export type RelayNoteCode =
  /** the same digit arrived by two methods within the window and was relayed once */
  | "duplicate-suppressed"
  /** an RFC 4733 event lost its end packets; the end was synthesized */
  | "end-timeout"
  /** RFC 4733 event outside 0-15 (hook flash 16, tones): not a DTMF digit, not relayed */
  | "non-dtmf-event"
  /** a telephone-event packet whose header or payload does not decode */
  | "bad-event-packet"
  /** a KPML/INFO/NOTIFY digit that is not one of 0-9 * # A-D */
  | "bad-digit"
  /** the egress leg is set to rfc2833 but did not negotiate telephone-event */
  | "no-telephone-event"
  /** too many digits waiting for the egress leg */
  | "queue-full";

/** One line of the per-call DTMF log (JSON lines): one object per digit received. */
export interface DtmfLogEntry {
  readonly callId?: string;
  readonly digit: DtmfDigit;
  /** time the digit started on the ingress leg (first packet or SIP request seen) */
  readonly atMs: number;
  readonly ingress: { readonly leg: LegId; readonly method: DtmfMethod; readonly pt: number | null };
  /** method "none": the digit was not relayed (the egress leg has no DTMF method or no telephone-event) */
  readonly egress: { readonly leg: LegId; readonly method: EgressMethod; readonly pt: number | null };
  /** first egress packet/send minus `atMs`; null when not relayed */
  readonly latencyMs: number | null;
}

export type RelayOutput =
  | { readonly kind: "rtp"; readonly leg: LegId; readonly bytes: Uint8Array }
  | {
      readonly kind: "signal";
      readonly leg: LegId;
      readonly method: OobMethod;
      readonly digit: DtmfDigit;
      readonly durationMs: number;
    }
  | { readonly kind: "log"; readonly entry: DtmfLogEntry }
  | { readonly kind: "note"; readonly leg: LegId; readonly code: RelayNoteCode; readonly message: string };

/** Receives the relay's outputs as they are produced (no per-packet allocation on the audio path). */
export interface RelaySink {
  /** send `bytes` on `leg`'s RTP socket to the leg's peer */
  rtp(leg: LegId, bytes: Uint8Array): void;
  /** the B2BUA turns this into KPML NOTIFY / INFO / Cisco NOTIFY on `leg` */
  signal(leg: LegId, method: OobMethod, digit: DtmfDigit, durationMs: number): void;
  log(entry: DtmfLogEntry): void;
  note(leg: LegId, code: RelayNoteCode, message: string): void;
}

/** A sink that collects outputs in order (what `DtmfRelay.step` returns). */
export class CollectingSink implements RelaySink {
  readonly outputs: RelayOutput[] = [];
  rtp(leg: LegId, bytes: Uint8Array): void {
    this.outputs.push({ kind: "rtp", leg, bytes });
  }
  signal(leg: LegId, method: OobMethod, digit: DtmfDigit, durationMs: number): void {
    this.outputs.push({ kind: "signal", leg, method, digit, durationMs });
  }
  log(entry: DtmfLogEntry): void {
    this.outputs.push({ kind: "log", entry });
  }
  note(leg: LegId, code: RelayNoteCode, message: string): void {
    this.outputs.push({ kind: "note", leg, code, message });
  }
}

/** The log as JSON lines (one object per line, newline-terminated). */
export function dtmfLogToJsonLines(entries: readonly DtmfLogEntry[]): string {
  let out = "";
  for (const e of entries) out += JSON.stringify(e) + "\n";
  return out;
}
