import { parentPort, workerData } from "node:worker_threads";
import type { Clock } from "../transaction/clock.ts";
import { createRealClock } from "../transaction/clock.ts";
import { MediaRelay, MediaRelayError } from "./media-relay.ts";
import { AUDIO_FAST_PATH_ENV } from "./fast-path.ts";
import type { DtmfLogEntry } from "./dtmf-relay-io.ts";
import type { FromWorker, MediaWorkerData, ReplyError, ToWorker } from "./media-worker-protocol.ts";
import type { PortSource } from "./port-pool.ts";
import { chooseMediaIo } from "./media-io.ts";
import { NativeIo } from "./native-io.ts";

/**
 * A media worker thread (started by MediaRelayGroup): its own event loop running the MediaRelays of
 * the calls the group gave it, on ports the main thread allocated. Everything per packet happens
 * here; the main thread only hears of digits to signal, DTMF log entries and notes.
 */

const port = parentPort;
if (port === null) throw new Error("media-worker.ts runs only as a worker thread (MediaRelayGroup)");
const data = workerData as MediaWorkerData;

/**
 * Real time on the main thread's performance.now() scale (a worker's own starts when it does); on
 * the native path, read once per batch of datagrams (NativeIo.now).
 */
const clockOffsetMs = performance.timeOrigin - data.timeOrigin;
const clock: Clock = ((): Clock => {
  const real = createRealClock();
  return { now: () => NativeIo.now() + clockOffsetMs, setTimer: real.setTimer, clearTimer: real.clearTimer };
})();

/** MVSCT_AUDIO_FAST_PATH=0 keeps all audio in JS (A/B runs); else C forwards it (fast-path.ts) */
const audioFastPath = process.env[AUDIO_FAST_PATH_ENV] === "0" ? {} : { audioFastPath: { clockOffsetMs } };

/** The two ports the main thread allocated for one call; they go back to its pool, not here. */
class HandedPorts implements PortSource {
  private next = 0;
  constructor(private readonly ports: readonly number[]) {}
  allocate(): number | null {
    return this.ports[this.next++] ?? null;
  }
  release(): void {
    // the main thread's pool gets the ports back when the call is closed or failed to open
  }
}

const relays = new Map<number, MediaRelay>();

/**
 * DTMF log entries cross to the main thread in batches, at most LOG_FLUSH_MS after the first one:
 * every message wakes the main thread, and a thread just woken by this one tends to run on this
 * one's CPU at once, preempting it while its calls' packets wait (measured on 2 vCPUs: one log
 * message per digit preempted each media worker ≈ 70 times a second). Any other message (a signal,
 * a note, a reply) first sends the entries waiting, so the main thread sees everything in order.
 */
const LOG_FLUSH_MS = 50;
let logs: { id: number; entry: DtmfLogEntry }[] = [];
let logTimer: NodeJS.Timeout | null = null;

const flushLogs = (): void => {
  if (logTimer !== null) clearTimeout(logTimer);
  logTimer = null;
  if (logs.length === 0) return;
  port.postMessage({ op: "logs", entries: logs } satisfies FromWorker);
  logs = [];
};

const queueLog = (id: number, entry: DtmfLogEntry): void => {
  logs.push({ id, entry });
  if (logTimer === null) {
    logTimer = setTimeout(flushLogs, LOG_FLUSH_MS);
    logTimer.unref();
  }
};

const post = (m: FromWorker): void => {
  flushLogs();
  port.postMessage(m);
};

function replyError(err: unknown): ReplyError {
  if (err instanceof MediaRelayError) return { code: err.code, message: err.message };
  return { code: "error", message: err instanceof Error ? err.message : String(err) };
}

async function handle(m: ToWorker): Promise<void> {
  switch (m.op) {
    case "open": {
      const id = m.id;
      try {
        const relay = await MediaRelay.open({
          ...m.opts,
          pool: new HandedPorts(m.ports),
          clock,
          ...audioFastPath,
          bindAttempts: 1,
          ...(m.signal
            ? {
                onSignal: (leg, method, digit, durationMs) =>
                  post({ op: "signal", id, leg, method, digit, durationMs }),
              }
            : {}),
          ...(m.log ? { onLog: (entry) => queueLog(id, entry) } : {}),
          ...(m.note ? { onNote: (leg, code, message) => post({ op: "note", id, leg, code, message }) } : {}),
        });
        relays.set(id, relay);
        post({ op: "reply", req: m.req, ok: true });
      } catch (err) {
        post({ op: "reply", req: m.req, ok: false, error: replyError(err) });
      }
      return;
    }
    case "setRemote":
      relays.get(m.id)?.setRemote(m.leg, m.address, m.port);
      return;
    case "digit":
      relays.get(m.id)?.digit(m.leg, m.method, m.digit, m.durationMs);
      return;
    case "updateDtmf":
      relays.get(m.id)?.updateDtmf(m.leg, m.patch);
      return;
    case "stats": {
      const relay = relays.get(m.id);
      if (relay === undefined)
        post({ op: "reply", req: m.req, ok: false, error: { code: "error", message: "closed" } });
      else post({ op: "reply", req: m.req, ok: true, stats: relay.stats() });
      return;
    }
    case "io": {
      const choice = chooseMediaIo();
      const native = choice.backend === "native" ? (NativeIo.get()?.stats() ?? null) : null;
      (globalThis as { gc?: () => void }).gc?.(); // V8 flags are process-wide: --expose-gc reaches here
      const heapUsedBytes = process.memoryUsage().heapUsed; // this worker's isolate
      post({ op: "reply", req: m.req, ok: true, io: { choice, native, heapUsedBytes } });
      return;
    }
    case "close": {
      const relay = relays.get(m.id);
      relays.delete(m.id);
      if (relay !== undefined) await relay.close();
      post({ op: "reply", req: m.req, ok: true });
      return;
    }
  }
}

port.on("message", (m: ToWorker) => {
  handle(m).catch((err: unknown) => {
    // only a bug gets here (MediaRelay's methods do not throw on peer input): say so, keep serving
    if ("req" in m) post({ op: "reply", req: m.req, ok: false, error: replyError(err) });
  });
});
