/**
 * What one B2BUA call needs from the B2BUA: the user agent both legs live on, the policy, the next
 * hop, the media factory (real sockets by default, a fake in tests) and where to report.
 */
import type { Clock } from "../transaction/index.ts";
import type { TransportAddress } from "../transport/index.ts";
import type { UserAgent } from "../dialog/index.ts";
import type { DtmfLogEntry, LegDtmfUpdate, LegId, OobMethod, RelayNoteCode } from "../media/index.ts";
import type { DtmfDigit } from "../wire/dtmf/index.ts";
import type { B2buaPolicy } from "./b2bua-policy.ts";
import type { B2buaCall } from "./call.ts";

/** The media half of a call (MediaRelay fits). */
export interface CallMedia {
  localPort(leg: LegId): number;
  setRemote(leg: LegId, address: string, port: number): void;
  digit(leg: LegId, method: OobMethod, digit: string, durationMs?: number): void;
  updateDtmf(leg: LegId, patch: LegDtmfUpdate): void;
  close(): Promise<void>;
}

export interface MediaRequest {
  readonly callId: string;
  readonly onSignal: (leg: LegId, method: OobMethod, digit: DtmfDigit, durationMs: number) => void;
  readonly onLog: (entry: DtmfLogEntry) => void;
  readonly onNote: (leg: LegId, code: RelayNoteCode, message: string) => void;
}

/** Opens a call's media; rejects when no RTP port can be had. */
export type MediaFactory = (request: MediaRequest) => Promise<CallMedia>;

export type B2buaEvent =
  | { readonly kind: "call-started"; readonly callId: string; readonly from: string; readonly to: string }
  | { readonly kind: "call-answered"; readonly callId: string; readonly codec: string }
  | { readonly kind: "call-ended"; readonly callId: string; readonly reason: string }
  | {
      readonly kind: "call-refused";
      readonly callId: string;
      readonly status: number;
      readonly reason: string;
    }
  | { readonly kind: "note"; readonly callId: string; readonly leg: LegId | null; readonly message: string };

export interface CallContext {
  readonly ua: UserAgent;
  readonly clock: Clock;
  readonly policy: B2buaPolicy;
  readonly nextHop: TransportAddress;
  /** the host in Warning headers (RFC 3261 §20.43 warn-agent) */
  readonly warnAgent: string;
  /** the IP in our SDP (where the RTP sockets are bound) */
  readonly rtpAddress: string;
  readonly openMedia: MediaFactory;
  readonly dtmfLog: (entry: DtmfLogEntry) => void;
  readonly event: (e: B2buaEvent) => void;
  /** the call has ended and released everything */
  readonly finished: (callId: string) => void;
  /** leg b's INVITE went out with this Call-ID */
  readonly legBStarted: (legBCallId: string, call: B2buaCall) => void;
}
