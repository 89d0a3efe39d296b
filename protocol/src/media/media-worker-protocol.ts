import type { DtmfDigit } from "../wire/dtmf/digits.ts";
import type { LegDtmfUpdate, LegId, OobMethod } from "./dtmf-relay-config.ts";
import type { DtmfLogEntry, RelayNoteCode } from "./dtmf-relay-io.ts";
import type { MediaLegStats, MediaRelayErrorCode, MediaRelayOptions } from "./media-relay.ts";
import type { MediaIoChoice } from "./media-io.ts";
import type { NativeIoStats } from "./native-io.ts";

/**
 * The messages between a MediaRelayGroup (main thread) and its media workers (media-worker.ts).
 * Everything here is structured-clone data: the ports come from the main thread's pool, the
 * callbacks stay in the main thread and the worker reports through `signal` / `log` / `note`.
 * No packet ever crosses: each worker owns its calls' sockets.
 */

/** What a worker needs of MediaRelayOptions (no pool, clock or callbacks: those stay in the main thread). */
export type WorkerRelayOptions = Omit<
  MediaRelayOptions,
  "pool" | "clock" | "onSignal" | "onLog" | "onNote" | "bindAttempts"
>;

/** The data a media worker starts with (`workerData`). */
export interface MediaWorkerData {
  /** the main thread's performance.timeOrigin: the worker's clock reads on the same scale */
  readonly timeOrigin: number;
}

/** A worker's I/O path: what a socket opened now would get, and the native path's totals when it runs. */
export interface WorkerIoReport {
  readonly choice: MediaIoChoice;
  readonly native: NativeIoStats | null;
  /** the worker isolate's heapUsed, after a full GC when the process runs with --expose-gc */
  readonly heapUsedBytes: number;
}

export type ToWorker =
  | {
      readonly op: "open";
      readonly req: number;
      readonly id: number;
      /** leg a's and leg b's RTP port, allocated by the main thread */
      readonly ports: readonly [number, number];
      readonly opts: WorkerRelayOptions;
      /** which callbacks the main thread listens to (no message for the others) */
      readonly signal: boolean;
      readonly log: boolean;
      readonly note: boolean;
    }
  | {
      readonly op: "setRemote";
      readonly id: number;
      readonly leg: LegId;
      readonly address: string;
      readonly port: number;
    }
  | {
      readonly op: "digit";
      readonly id: number;
      readonly leg: LegId;
      readonly method: OobMethod;
      readonly digit: string;
      readonly durationMs: number | undefined;
    }
  | { readonly op: "updateDtmf"; readonly id: number; readonly leg: LegId; readonly patch: LegDtmfUpdate }
  | { readonly op: "stats"; readonly req: number; readonly id: number }
  | { readonly op: "io"; readonly req: number }
  | { readonly op: "close"; readonly req: number; readonly id: number };

export type ReplyError = { readonly code: MediaRelayErrorCode | "error"; readonly message: string };

export type FromWorker =
  | {
      readonly op: "reply";
      readonly req: number;
      readonly ok: true;
      readonly stats?: Record<LegId, MediaLegStats>;
      readonly io?: WorkerIoReport;
    }
  | { readonly op: "reply"; readonly req: number; readonly ok: false; readonly error: ReplyError }
  | {
      readonly op: "signal";
      readonly id: number;
      readonly leg: LegId;
      readonly method: OobMethod;
      readonly digit: DtmfDigit;
      readonly durationMs: number;
    }
  /** DTMF log entries of this worker's calls, in order, sent together (media-worker.ts says why) */
  | {
      readonly op: "logs";
      readonly entries: readonly { readonly id: number; readonly entry: DtmfLogEntry }[];
    }
  | {
      readonly op: "note";
      readonly id: number;
      readonly leg: LegId;
      readonly code: RelayNoteCode;
      readonly message: string;
    };
