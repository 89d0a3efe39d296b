import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The batched native UDP path of this thread (protocol/native/udp-batch*.c, built by
 * scripts/build-native.sh into build/native/udp-batch.node). The addon keeps this thread's media
 * sockets in one epoll fd polled by the thread's libuv loop; per wake it drains every ready socket
 * with recvmmsg into ONE shared buffer and calls `onBatch` ONCE with the count. Sends are queued
 * into a second shared buffer and handed to the kernel with one `flush` call (sendmmsg per run of
 * one socket's packets): at the end of a batch, or at the end of the current task (a microtask)
 * for sends outside one (timers, SIP digits). Record layouts: udp-batch.c.
 *
 * Nothing is logged here: `nativeIoStatus()` says whether the path loaded, and why not.
 */

/** What a batch record is delivered to (native-socket.ts). */
export interface NativeReceiver {
  /**
   * `packet`: the payload, a view on `rx` that is reused for the next batch's record at the same
   * place (no allocation per datagram); `offset`: the record's byte offset in `rx` (its header)
   */
  deliver(packet: Uint8Array, offset: number, meta: number): void;
}

export interface NativeIoStats {
  readonly sockets: number;
  /** epoll wakes that found datagrams, datagrams delivered, datagrams truncated */
  readonly wakes: number;
  readonly datagrams: number;
  readonly truncated: number;
  readonly rxErrors: number;
  /** sendmmsg calls, datagrams they sent, datagrams refused (EAGAIN, ICMP errors) */
  readonly txCalls: number;
  readonly txDatagrams: number;
  readonly txErrors: number;
  /** datagrams (of `datagrams`) the audio fast path forwarded in C (fast-path.ts) */
  readonly fastDatagrams: number;
  /** wakes by duration (receive, JS, sends): [i] counts those under 2^i µs (the last: the rest) */
  readonly wakeMicros: readonly number[];
}

interface InitInfo {
  readonly rx: ArrayBuffer;
  readonly tx: ArrayBuffer;
  readonly scratch: ArrayBuffer;
  readonly rxStride: number;
  readonly rxHeader: number;
  readonly rxPayloadMax: number;
  readonly maxRecords: number;
  readonly maxPerSocket: number;
}

/** The addon's functions (udp-batch-api.c, udp-batch-io.c). */
export interface UdpBatchAddon {
  init(onBatch: (count: number) => void): InitInfo;
  /** a bound socket's slot; scratch[0] = its local port; throws Error with `code` (EADDRINUSE, ...) */
  open(address: string, port: number, recvBufferSize: number): number;
  setRemote(slot: number, address: string, port: number): boolean;
  clearRemote(slot: number): void;
  latch(slot: number, recordOffset: number): string | undefined;
  /** 0 or an errno */
  connect(slot: number): number;
  disconnect(slot: number): number;
  flush(bytes: number): number;
  /** scratch[0..3] = errors, truncated, fast-path datagrams received, sent (since the last call) */
  takeCounters(slot: number): void;
  /** audio received on `slot` is forwarded in C to `out` with the FastRoute block; route(slot): off */
  route(slot: number, out?: number, block?: ArrayBuffer): void;
  /** the receive loop's clock, on the performance.now() scale */
  clockSync(performanceNowMs: number): void;
  close(slot: number): void;
  limits(perSocket: number, total: number): void;
  stats(): NativeIoStats;
}

export const NATIVE_ADDON_RELATIVE_PATH = "build/native/udp-batch.node";
const NO_SLOT = 0xffffffff;
/** record header words: slot, length, port | family << 16 | flags << 24 */
export const FLAG_FROM_REMOTE = 1;

/** The folder holding package.json above `from` (source tree, dist/, dist/chunks/, a bench bundle). */
export function packageRoot(from: string): string | null {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, "package.json"))) return dir;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

let loaded: { addon: UdpBatchAddon | null; reason: string } | null = null;

/** The addon, or null with the reason (loaded once per thread; never throws). */
export function loadAddon(): { addon: UdpBatchAddon | null; reason: string } {
  if (loaded !== null) return loaded;
  const root = packageRoot(dirname(fileURLToPath(import.meta.url)));
  const path = root === null ? null : join(root, NATIVE_ADDON_RELATIVE_PATH);
  if (process.platform !== "linux") loaded = { addon: null, reason: "not Linux" };
  else if (path === null || !existsSync(path))
    loaded = { addon: null, reason: `${NATIVE_ADDON_RELATIVE_PATH} not built (scripts/build-native.sh)` };
  else {
    try {
      loaded = { addon: createRequire(import.meta.url)(path) as UdpBatchAddon, reason: "loaded" };
    } catch (err) {
      loaded = { addon: null, reason: `${path}: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  return loaded;
}

/** This thread's batch engine: the shared buffers, the receivers by slot, the send queue. */
export class NativeIo {
  private static instance: NativeIo | null = null;
  private static failure = "";
  readonly rx: ArrayBuffer;
  readonly rxHeader: number;
  readonly scratch: Uint32Array;
  /** the same buffer as f64s: [2] = the time of the wake being delivered (performance.now() scale) */
  private readonly scratchF64: Float64Array;
  private readonly rxWords: Uint32Array;
  private readonly strideWords: number;
  private readonly txBytes: Uint8Array;
  private readonly txWords: Uint32Array;
  private readonly receivers: (NativeReceiver | undefined)[] = [];
  /** the payload view of each record position, kept while datagrams there keep their length */
  private readonly views: Uint8Array[] = [];
  private txOff = 0;
  private inBatch = false;
  /** performance.now() when the current batch began */
  private batchNowMs = 0;
  private flushQueued = false;
  private readonly flushTask = (): void => {
    this.flushQueued = false;
    this.flush();
  };

  private constructor(
    readonly addon: UdpBatchAddon,
    info: InitInfo,
  ) {
    this.rx = info.rx;
    this.rxHeader = info.rxHeader;
    this.rxWords = new Uint32Array(info.rx);
    this.strideWords = info.rxStride >>> 2;
    this.txBytes = new Uint8Array(info.tx);
    this.txWords = new Uint32Array(info.tx);
    this.scratch = new Uint32Array(info.scratch);
    this.scratchF64 = new Float64Array(info.scratch);
  }

  /** This thread's engine, started on first use; null when the addon is absent or failed. */
  static get(): NativeIo | null {
    if (NativeIo.instance !== null) return NativeIo.instance;
    const { addon, reason } = loadAddon();
    if (addon === null) {
      NativeIo.failure = reason;
      return null;
    }
    try {
      let io: NativeIo | null = null;
      const info = addon.init((count) => io!.onBatch(count));
      io = new NativeIo(addon, info);
      addon.clockSync(performance.now());
      NativeIo.instance = io;
      return io;
    } catch (err) {
      NativeIo.failure = `init: ${err instanceof Error ? err.message : String(err)}`;
      return null;
    }
  }

  /**
   * performance.now(), but inside a batch the time it began: one clock read per wake instead of
   * one per datagram (performance.now() allocates an array each call; at 12,500 datagrams/s that
   * was most of a media worker's garbage, and its scavenges pause every call of the worker). The
   * addon reads that time and the audio fast path uses the same (clockSync keeps the scales one).
   */
  static now(): number {
    const io = NativeIo.instance;
    return io !== null && io.inBatch ? io.batchNowMs : performance.now();
  }

  /** Why `get()` gave null ("" when it did not). */
  static get failureReason(): string {
    return NativeIo.failure;
  }

  register(slot: number, receiver: NativeReceiver): void {
    this.receivers[slot] = receiver;
  }

  unregister(slot: number): void {
    this.receivers[slot] = undefined;
  }

  /** Queues one datagram for `slot`; false when it can never fit (larger than the send buffer). */
  queue(slot: number, bytes: Uint8Array): boolean {
    const len = bytes.length;
    const need = 8 + ((len + 7) & ~7);
    if (need > this.txBytes.length) return false;
    if (this.txOff + need > this.txBytes.length) this.flush();
    const off = this.txOff;
    this.txWords[off >>> 2] = slot;
    this.txWords[(off >>> 2) + 1] = len;
    this.txBytes.set(bytes, off + 8);
    this.txOff = off + need;
    if (!this.inBatch && !this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flushTask);
    }
    return true;
  }

  /** Hands every queued datagram to the kernel now. */
  flush(): void {
    const n = this.txOff;
    if (n === 0) return;
    this.txOff = 0;
    this.addon.flush(n);
  }

  /** Lowers the per-wake limits (tests: batch boundaries); the defaults are the addon's maxima. */
  limits(perSocket: number, total: number): void {
    this.addon.limits(perSocket, total);
  }

  stats(): NativeIoStats {
    return this.addon.stats();
  }

  /**
   * One wake's datagrams. A receiver that throws (a bug) does not stop the batch: the rest is
   * delivered and sent, then the first error is rethrown (the addon passes it to uncaughtException).
   */
  private onBatch(count: number): void {
    const words = this.rxWords;
    const stride = this.strideWords;
    let failed = false;
    let failure: unknown;
    this.batchNowMs = this.scratchF64[2]!;
    this.inBatch = true;
    for (let i = 0, w = 0; i < count; i++, w += stride) {
      const slot = words[w]!;
      if (slot === NO_SLOT) continue;
      const r = this.receivers[slot];
      if (r === undefined) continue;
      const length = words[w + 1]!;
      let view = this.views[i];
      if (view === undefined || view.length !== length) {
        view = new Uint8Array(this.rx, (w << 2) + this.rxHeader, length);
        this.views[i] = view;
      }
      try {
        r.deliver(view, w << 2, words[w + 2]!);
      } catch (err) {
        if (!failed) failure = err;
        failed = true;
      }
    }
    this.inBatch = false;
    this.flush();
    if (failed) throw failure;
  }
}

/** Whether this thread can use the native path, and why not. */
export function nativeIoStatus(): { available: boolean; reason: string } {
  const io = NativeIo.get();
  return io !== null
    ? { available: true, reason: "loaded" }
    : { available: false, reason: NativeIo.failureReason };
}
