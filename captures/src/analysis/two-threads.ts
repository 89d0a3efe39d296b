/**
 * A large capture on two threads: packet-worker.ts reads, decodes and follows the RTP while this
 * thread parses SIP and analyses the calls that are over, both in capture order. The results are
 * the same as one thread's (analyze.ts runs the same two halves in one loop). Synchronous for the
 * caller: this thread takes the worker's messages with receiveMessageOnPort and sleeps on an
 * Atomics counter in between.
 */
import { existsSync } from "node:fs";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import type { AnalysisSide, StreamedOutcome } from "./analyze.ts";
import type { PacketMessage, PacketWorkerData } from "./packet-worker.ts";
import { unpack } from "./stream-packing.ts";
import type { TransportPayload } from "../pcap/types.ts";
import type { PacketSideOptions } from "./packet-side.ts";

/** The worker sends at least every 2^18 packets; this long without a message means it is stuck. */
const SILENCE_LIMIT_MS = 60_000;
/** how often to look whether the worker exited without a word */
const LOOK_EVERY_MS = 500;
const PROFILE = process.env["MVSCT_PROFILE"] === "1";

function workerSpec(): { url: URL; execArgv: string[] } {
  const here = import.meta.url;
  // from source (tsx) the worker is the .ts file and needs tsx's loader; from the esbuild bundle
  // this code sits in a chunk (dist/chunks/) and the worker entry is dist/packet-worker.mjs
  const candidates = here.endsWith(".ts")
    ? [new URL("./packet-worker-boot.mjs", here)]
    : [new URL("../packet-worker.mjs", here), new URL("./packet-worker.mjs", here)];
  // a worker whose file is missing would fail where this thread, blocked in Atomics.wait, cannot
  // hear it: look first
  const url = candidates.find((u) => existsSync(u));
  if (url === undefined)
    throw new Error(`the capture reader thread's code is missing (${candidates[0]!.pathname})`);
  return { url, execArgv: [] };
}

export function runOnTwoThreads(
  path: string,
  opts: PacketSideOptions,
  side: AnalysisSide,
  file: string,
): StreamedOutcome {
  const { port1, port2 } = new MessageChannel();
  const signal = new SharedArrayBuffer(8);
  const counter = new Int32Array(signal);
  const data: PacketWorkerData = { path, opts, port: port2, signal };
  const spec = workerSpec();
  const worker = new Worker(spec.url, { workerData: data, transferList: [port2], execArgv: spec.execArgv });
  let seen = 0;
  let silentMs = 0;
  let waitedMs = 0;
  try {
    for (;;) {
      const got = receiveMessageOnPort(port1);
      if (got === undefined) {
        const posted = Atomics.load(counter, 0);
        if (posted > seen) {
          // posted but not yet on this side of the port: a moment's wait
          Atomics.wait(counter, 0, posted, 1);
          continue;
        }
        if (Atomics.load(counter, 1) === 1) throw new Error("the capture reader thread exited");
        const w0 = PROFILE ? performance.now() : 0;
        const r = Atomics.wait(counter, 0, seen, LOOK_EVERY_MS);
        if (PROFILE) waitedMs += performance.now() - w0;
        if (r === "timed-out" && (silentMs += LOOK_EVERY_MS) >= SILENCE_LIMIT_MS)
          throw new Error(`the capture reader thread stopped answering (${SILENCE_LIMIT_MS / 1000} s)`);
        continue;
      }
      silentMs = 0;
      seen++;
      const m = got.message as PacketMessage;
      switch (m.kind) {
        case "sip":
          for (const it of m.items) {
            const p: TransportPayload = {
              ...it,
              data: Buffer.from(it.data.buffer, it.data.byteOffset, it.data.byteLength),
              offset: 0,
              length: it.data.byteLength,
            };
            side.sip(p);
          }
          break;
        case "checkpoint":
          side.checkpoint(m.nowS, m.t0, unpack(m.quiet), m.active);
          break;
        case "alive":
          break;
        case "end":
          if (PROFILE)
            process.stderr.write(
              `mvsct profile: the analysis thread waited ${waitedMs.toFixed(0)} ms for the reader\n`,
            );
          return side.end(m.outcome, m.t0, unpack(m.rest), file);
        case "fatal":
          throw new Error(`capture reader thread: ${m.message}`);
      }
    }
  } finally {
    port1.close();
    void worker.terminate();
  }
}
