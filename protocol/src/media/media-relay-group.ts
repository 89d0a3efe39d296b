import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import type { LegDtmfUpdate, LegId, OobMethod } from "./dtmf-relay-config.ts";
import { MediaRelayError } from "./media-relay.ts";
import type { MediaLegStats, MediaRelayOptions } from "./media-relay.ts";
import type {
  FromWorker,
  MediaWorkerData,
  ToWorker,
  WorkerIoReport,
  WorkerRelayOptions,
} from "./media-worker-protocol.ts";
import type { PortSource } from "./port-pool.ts";

/**
 * Calls' media spread over worker threads: each worker is an event loop of its own running
 * MediaRelays (media-worker.ts), so the packets of different calls are relayed in parallel instead
 * of queueing behind one another on one loop (the main thread keeps SIP). `open` takes the same
 * MediaRelayOptions as MediaRelay.open and gives a WorkerMediaRelay with MediaRelay's call-facing
 * methods (localPort, setRemote, digit, updateDtmf, close; stats is async), so
 * `MediaRelay.open({...})` → `MediaRelayGroup.shared().open({...})` is the whole change for a caller.
 *
 * Ports come from the caller's pool in the calling thread and go back to it on close; the callbacks
 * (onSignal, onLog, onNote) run in the calling thread. The workers keep time with the real clock
 * (`opts.clock` is not used: a FakeClock cannot cross threads), on the calling thread's
 * performance.now() scale. A new call goes to the worker with the fewest calls. A worker holds the
 * process open only while it has calls or requests in flight, as the sockets would on one loop.
 */

export interface MediaRelayGroupOptions {
  /** worker threads the calls are spread over (default 2: one per core of the reference box) */
  readonly workers?: number;
  /** the worker module (default: media-worker.ts beside this file, or media-worker.mjs beside a bundle) */
  readonly workerUrl?: URL;
  /**
   * keep V8's memory reducer in the workers (default false: it is switched off, see
   * quietMemoryReducer)
   */
  readonly memoryReducer?: boolean;
}

export const MEDIA_RELAY_GROUP_DEFAULTS = Object.freeze({ workers: 2 });

type Reply = Extract<FromWorker, { op: "reply" }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

interface Callbacks {
  readonly onSignal: MediaRelayOptions["onSignal"];
  readonly onLog: MediaRelayOptions["onLog"];
  readonly onNote: MediaRelayOptions["onNote"];
}

/** The options a worker needs; it would reject the functions, the pool and the clock. */
function forWorker(opts: MediaRelayOptions): WorkerRelayOptions {
  const { pool: _p, clock: _c, onSignal: _s, onLog: _l, onNote: _n, bindAttempts: _b, ...rest } = opts;
  return rest;
}

/**
 * A TypeScript worker module (running from source) needs tsx's loader registered in the worker
 * before it is imported: Node 20 loads a worker's entry before an inherited `--import tsx` takes
 * effect, and `register()` from tsx's API (bin/mvsct.mjs) is not inherited at all.
 */
const TS_BOOT = `const { workerData } = require("node:worker_threads");
import(workerData.tsxApi)
  .then(({ register }) => { register(); return import(workerData.entry); })
  .catch((err) => { process.nextTick(() => { throw err; }); });`;

/**
 * The node options a worker gets: the process's, without those that only make sense for the main
 * script (`node --input-type=module -e CODE`, as a bench or a user's one-liner starts us, would
 * otherwise make every worker fail at once: "--input-type can only be used with string input").
 */
export function workerExecArgv(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    if (a.startsWith("--input-type=")) continue;
    if (a === "--input-type" || a === "-e" || a === "--eval" || a === "-p" || a === "--print") {
      i++; // and its value
      continue;
    }
    if (a.startsWith("--eval=") || a.startsWith("--print=")) continue;
    out.push(a);
  }
  return out;
}

/**
 * A worker with the process's options minus the main-script ones. Given explicitly, execArgv is
 * validated and V8 / per-process flags (--expose-gc, --max-semi-space-size ...) are refused with
 * ERR_WORKER_INVALID_EXEC_ARGV; they already apply to the whole process, so they are dropped and
 * the worker started again. Nothing to drop: execArgv is not passed at all (inherited as is).
 */
function withExecArgv(make: (execArgv: string[] | undefined) => Worker): Worker {
  let argv = workerExecArgv(process.execArgv);
  if (argv.length === process.execArgv.length) return make(undefined);
  for (;;) {
    try {
      return make(argv);
    } catch (err) {
      const m = /invalid execArgv flags: (.*)$/.exec(err instanceof Error ? err.message : "");
      const bad = new Set(m?.[1]?.split(", ") ?? []);
      const next = argv.filter((a) => !bad.has(a));
      if ((err as { code?: string }).code !== "ERR_WORKER_INVALID_EXEC_ARGV" || next.length === argv.length)
        throw err;
      argv = next;
    }
  }
}

function startWorker(url: URL, data: MediaWorkerData): Worker {
  const opts = (execArgv: string[] | undefined) => (execArgv === undefined ? {} : { execArgv });
  if (!url.pathname.endsWith(".ts"))
    return withExecArgv((a) => new Worker(url, { workerData: data, ...opts(a) }));
  const boot = { ...data, tsxApi: import.meta.resolve("tsx/esm/api"), entry: url.href };
  return withExecArgv((a) => new Worker(TS_BOOT, { eval: true, workerData: boot, ...opts(a) }));
}

/**
 * From source, media-worker.ts beside this file; in a bundle, media-worker.mjs (scripts/build.mjs
 * emits it from media-worker.ts as an entry point of its own) beside the bundle file that holds this
 * code, or one folder up when that file is a split chunk (dist/chunks/*.mjs → dist/media-worker.mjs).
 */
function defaultWorkerUrl(): URL {
  if (import.meta.url.endsWith(".ts")) return new URL("./media-worker.ts", import.meta.url);
  const beside = new URL("./media-worker.mjs", import.meta.url);
  const up = new URL("../media-worker.mjs", import.meta.url);
  return !existsSync(fileURLToPath(beside)) && existsSync(fileURLToPath(up)) ? up : beside;
}

/**
 * V8's memory reducer, once a heap has allocated little for a while (8 s after its last full GC),
 * runs up to three memory-reducing mark-compacts ≈ 0.6 s apart; in a media worker on the native
 * batch path (≈ 25 bytes allocated per packet) that is every ≈ 10 s, and each pause (1-7 ms
 * measured on 2 vCPUs) holds every packet of that worker's calls. Measured at 250 calls (3
 * interleaved runs each, `--no-memory-reducer` on the command line): p99 1,019-1,176 µs vs
 * 1,281-1,477 µs with it, p99.9 3.0-3.5 vs 3.9-7.7 ms. V8 reads the flag when it sets up an
 * isolate's heap, so setting it before the first worker starts covers the workers (and isolates
 * created later in this process); a heap of a few MiB per worker does not need the reducer.
 */
let reducerQuieted = false;
function quietMemoryReducer(): void {
  if (reducerQuieted) return;
  reducerQuieted = true;
  setFlagsFromString("--no-memory-reducer");
}

/** One worker thread and the calls it runs. */
class WorkerHost {
  readonly relays = new Map<number, WorkerMediaRelay>();
  private readonly pending = new Map<number, (r: Reply) => void>();
  private nextReq = 1;
  private referenced = true;
  dead = false;

  constructor(private readonly worker: Worker) {
    worker.on("message", (m: FromWorker) => this.onMessage(m));
    worker.on("error", (err: Error) => this.die(err.message));
    worker.on("exit", (code: number) => this.die(`media worker exited with code ${code}`));
    this.updateRef();
  }

  post(m: ToWorker): void {
    if (!this.dead) this.worker.postMessage(m);
  }

  request(m: DistributiveOmit<Extract<ToWorker, { req: number }>, "req">): Promise<Reply> {
    if (this.dead) {
      return Promise.resolve({
        op: "reply",
        req: 0,
        ok: false,
        error: { code: "error", message: "media worker is gone" },
      });
    }
    const req = this.nextReq++;
    return new Promise((resolve) => {
      this.pending.set(req, resolve);
      this.updateRef();
      this.worker.postMessage({ ...m, req } as ToWorker);
    });
  }

  /** Keeps the process alive only while this worker has calls or requests in flight. */
  updateRef(): void {
    const busy = this.relays.size + this.pending.size > 0;
    if (busy === this.referenced) return;
    this.referenced = busy;
    if (busy) this.worker.ref();
    else this.worker.unref();
  }

  terminate(): Promise<number> {
    this.dead = true;
    return this.worker.terminate();
  }

  private onMessage(m: FromWorker): void {
    switch (m.op) {
      case "reply": {
        const done = this.pending.get(m.req);
        this.pending.delete(m.req);
        done?.(m);
        this.updateRef();
        return;
      }
      case "signal":
        this.relays.get(m.id)?.callbacks.onSignal?.(m.leg, m.method, m.digit, m.durationMs);
        return;
      case "logs":
        for (const { id, entry } of m.entries) this.relays.get(id)?.callbacks.onLog?.(entry);
        return;
      case "note":
        this.relays.get(m.id)?.callbacks.onNote?.(m.leg, m.code, m.message);
        return;
    }
  }

  /** The worker is gone (a bug): requests in flight fail, its calls' close() only releases ports. */
  private die(message: string): void {
    if (this.dead && this.pending.size === 0) return;
    this.dead = true;
    for (const done of this.pending.values())
      done({ op: "reply", req: 0, ok: false, error: { code: "error", message } });
    this.pending.clear();
  }
}

/** One call's media in a worker: MediaRelay's call-facing methods, over messages. */
export class WorkerMediaRelay {
  private closing: Promise<void> | null = null;

  /** @internal MediaRelayGroup.open makes these */
  constructor(
    private readonly host: WorkerHost,
    private readonly id: number,
    private readonly ports: Readonly<Record<LegId, number>>,
    private readonly pool: PortSource,
    readonly callbacks: Callbacks,
  ) {}

  /** Local RTP port of `leg` (RTCP: port + 1, reserved in the pool). */
  localPort(leg: LegId): number {
    return this.ports[leg];
  }

  /** The peer's RTP address on `leg` from its SDP. */
  setRemote(leg: LegId, address: string, port: number): void {
    if (this.closing === null) this.host.post({ op: "setRemote", id: this.id, leg, address, port });
  }

  /** A digit the B2BUA received in SIP on `leg`. */
  digit(leg: LegId, method: OobMethod, digit: string, durationMs?: number): void {
    if (this.closing === null) this.host.post({ op: "digit", id: this.id, leg, method, digit, durationMs });
  }

  /** Re-negotiated DTMF parameters of `leg`. */
  updateDtmf(leg: LegId, patch: LegDtmfUpdate): void {
    if (this.closing === null) this.host.post({ op: "updateDtmf", id: this.id, leg, patch });
  }

  /** MediaRelay.stats() from the worker; rejects once closed. */
  async stats(): Promise<Record<LegId, MediaLegStats>> {
    const r = await this.host.request({ op: "stats", id: this.id });
    if (!r.ok || r.stats === undefined) throw new Error(r.ok ? "no stats" : r.error.message);
    return r.stats;
  }

  /** Closes both sockets in the worker and gives the ports back. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.host.request({ op: "close", id: this.id }).then(() => {
      this.host.relays.delete(this.id);
      this.pool.release(this.ports.a);
      this.pool.release(this.ports.b);
      this.host.updateRef();
    });
    return this.closing;
  }
}

export class MediaRelayGroup {
  private static sharedGroup: MediaRelayGroup | null = null;
  private readonly hosts: (WorkerHost | null)[];
  private readonly workerUrl: URL;
  private nextId = 1;
  private readonly memoryReducer: boolean;

  constructor(options: MediaRelayGroupOptions = {}) {
    const n = options.workers ?? MEDIA_RELAY_GROUP_DEFAULTS.workers;
    if (!Number.isInteger(n) || n < 1 || n > 64) throw new RangeError(`workers must be 1..64, got ${n}`);
    this.hosts = new Array<WorkerHost | null>(n).fill(null);
    this.workerUrl = options.workerUrl ?? defaultWorkerUrl();
    this.memoryReducer = options.memoryReducer ?? false;
  }

  /** One group per process with the default options, started on first use. */
  static shared(): MediaRelayGroup {
    MediaRelayGroup.sharedGroup ??= new MediaRelayGroup();
    return MediaRelayGroup.sharedGroup;
  }

  /** Calls open on each worker (not started yet: 0). */
  callsPerWorker(): number[] {
    return this.hosts.map((h) => h?.relays.size ?? 0);
  }

  /**
   * MediaRelay.open in the worker with the fewest calls: both legs' sockets bound on ports from
   * `opts.pool`. Rejects with MediaRelayError ("no-ports", "bind-failed"); nothing is left allocated then.
   */
  async open(opts: MediaRelayOptions): Promise<WorkerMediaRelay> {
    const host = this.pick();
    const callbacks: Callbacks = { onSignal: opts.onSignal, onLog: opts.onLog, onNote: opts.onNote };
    const failed: number[] = [];
    let lastError = "";
    try {
      for (let attempt = 0; attempt < (opts.bindAttempts ?? 8); attempt++) {
        const a = opts.pool.allocate();
        const b = a === null ? null : opts.pool.allocate();
        if (a === null || b === null) {
          if (a !== null) opts.pool.release(a);
          throw new MediaRelayError("no-ports", "RTP port pool exhausted");
        }
        const id = this.nextId++;
        const relay = new WorkerMediaRelay(host, id, { a, b }, opts.pool, callbacks);
        host.relays.set(id, relay); // before the reply: a digit logged at once finds its call
        const r = await host.request({
          op: "open",
          id,
          ports: [a, b],
          opts: forWorker(opts),
          signal: opts.onSignal !== undefined,
          log: opts.onLog !== undefined,
          note: opts.onNote !== undefined,
        });
        if (r.ok) return relay;
        host.relays.delete(id);
        host.updateRef();
        failed.push(a, b);
        if (r.error.code !== "bind-failed") {
          throw r.error.code === "error"
            ? new Error(r.error.message)
            : new MediaRelayError(r.error.code, r.error.message);
        }
        lastError = r.error.message;
      }
      throw new MediaRelayError("bind-failed", lastError);
    } finally {
      // as MediaRelay.open: ports taken outside the pool go back to the end of the free list
      for (const p of failed) opts.pool.release(p);
    }
  }

  /**
   * Each started worker's I/O path (native batch path or dgram, and why) and, on the native path,
   * its totals (wakes, datagrams, sends, errors, wake durations); null for a worker not started.
   */
  async io(): Promise<(WorkerIoReport | null)[]> {
    return Promise.all(
      this.hosts.map(async (h) => {
        if (h === null || h.dead) return null;
        const r = await h.request({ op: "io" });
        return r.ok && r.io !== undefined ? r.io : null;
      }),
    );
  }

  /** Closes every call and stops the workers. */
  async close(): Promise<void> {
    const hosts = this.hosts.filter((h): h is WorkerHost => h !== null);
    await Promise.all(hosts.flatMap((h) => [...h.relays.values()].map((r) => r.close())));
    await Promise.all(hosts.map((h) => h.terminate()));
    this.hosts.fill(null);
    if (MediaRelayGroup.sharedGroup === this) MediaRelayGroup.sharedGroup = null;
  }

  private pick(): WorkerHost {
    let best: WorkerHost | null = null;
    for (let i = 0; i < this.hosts.length; i++) {
      let h = this.hosts[i] ?? null;
      if (h === null || h.dead) {
        h = this.spawn();
        this.hosts[i] = h;
      }
      if (best === null || h.relays.size < best.relays.size) best = h;
    }
    return best!;
  }

  private spawn(): WorkerHost {
    if (!this.memoryReducer) quietMemoryReducer();
    return new WorkerHost(startWorker(this.workerUrl, { timeOrigin: performance.timeOrigin }));
  }
}
