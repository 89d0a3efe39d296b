/**
 * The packet half of the analysis (packet-side.ts) on its own thread, for large captures: reads and
 * decodes the capture, follows the RTP streams, and sends the main thread, in capture order, the
 * SIP candidates (copied, in batches) and the checkpoints with the streams that went quiet. The
 * main thread parses SIP and analyses calls meanwhile (two-threads.ts). It parses only the SIP
 * messages that carry an audio m-line itself, for the in-band detector decision (the one-thread
 * run takes the same decision from the main parse).
 *
 * Protocol (worker -> main, on the MessagePort in workerData, each message followed by a wake-up
 * through Atomics on the shared counter): PacketMessage below.
 */
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { readTransport } from "../pcap/decode.ts";
import type { ReadOutcome, TransportPayload } from "../pcap/types.ts";
import { type ActivePair, PacketSide, type PacketSideOptions } from "./packet-side.ts";
import { SipCollector } from "./sip-collector.ts";
import { pack, type PackedStreams } from "./stream-packing.ts";

export interface SipCandidate {
  frame: number;
  tsS: number;
  proto: "udp" | "tcp";
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  tcpGap: boolean;
  data: Uint8Array;
}

export type PacketMessage =
  | { kind: "sip"; items: SipCandidate[] }
  | { kind: "checkpoint"; nowS: number; t0: number; quiet: PackedStreams; active: ActivePair[] }
  | { kind: "alive" }
  | { kind: "end"; t0: number; outcome: ReadOutcome; rest: PackedStreams }
  | { kind: "fatal"; message: string };

export interface PacketWorkerData {
  path: string;
  opts: PacketSideOptions;
  port: MessagePort;
  /** Int32Array(2) over a SharedArrayBuffer: [0] counts the messages posted, [1] is set when the thread exits */
  signal: SharedArrayBuffer;
}

const BATCH = 512;
/** a message at least this often (packets), so the main thread can tell a live worker from a dead one */
const ALIVE_EVERY = 1 << 18;

function run(data: PacketWorkerData): void {
  const signal = new Int32Array(data.signal);
  const post = (m: PacketMessage, transfer: ArrayBuffer[] = []): void => {
    data.port.postMessage(m, transfer);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  };
  let batch: SipCandidate[] = [];
  const flush = (): void => {
    if (batch.length === 0) return;
    post({ kind: "sip", items: batch });
    batch = [];
  };
  // the in-band decision needs the SDP of what the main thread will parse as SIP
  const sniff = new SipCollector((e) => side.noteSip(e.msg), { retain: false });
  const side: PacketSide = new PacketSide(data.opts, {
    sip(p: TransportPayload): void {
      const bytes = p.data.subarray(p.offset, p.offset + p.length);
      if (data.opts.inband === "auto") {
        if (p.proto === "tcp") sniff.onTcp(p);
        else if (bytes.includes(AUDIO_LINE)) sniff.onUdp(p);
      }
      batch.push({
        frame: p.frame,
        tsS: p.tsS,
        proto: p.proto,
        srcIp: p.srcIp,
        dstIp: p.dstIp,
        srcPort: p.srcPort,
        dstPort: p.dstPort,
        tcpGap: p.tcpGap,
        data: new Uint8Array(bytes),
      });
      if (batch.length >= BATCH) flush();
    },
    checkpoint(nowS, t0, quiet, active): void {
      flush();
      const { packed, transfer } = pack(quiet);
      post({ kind: "checkpoint", nowS, t0, quiet: packed, active }, transfer);
    },
  });
  let packets = 0;
  const outcome = readTransport(
    data.path,
    (p) => {
      side.onPayload(p);
      if (++packets % ALIVE_EVERY === 0) {
        flush();
        post({ kind: "alive" });
      }
    },
    { onFirstFrame: (tsS) => side.onFirstFrame(tsS) },
  );
  const { packed, transfer } = pack(side.finish());
  flush();
  post({ kind: "end", t0: side.t0, outcome, rest: packed }, transfer);
}

const AUDIO_LINE = Buffer.from("m=audio");

if (parentPort !== null && workerData !== null && typeof workerData === "object" && "path" in workerData) {
  const data = workerData as PacketWorkerData;
  process.on("exit", () => {
    // [0] counts messages only; the exit is [1], with a wake-up
    const signal = new Int32Array(data.signal);
    Atomics.store(signal, 1, 1);
    Atomics.notify(signal, 0);
  });
  try {
    run(data);
  } catch (e) {
    data.port.postMessage({ kind: "fatal", message: e instanceof Error ? e.message : String(e) });
    const signal = new Int32Array(data.signal);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  }
}
