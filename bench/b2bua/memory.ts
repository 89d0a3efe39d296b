/**
 * bench/b2bua/memory.ts: memory after 100,000 calls must equal memory after 1,000 (issue 3).
 *   node --expose-gc --import tsx bench/b2bua/memory.ts [--calls 100000] [--concurrency 100]
 * Writes out/memory/result.json, then RESULTS.md (write-results.ts).
 *
 * Subject: the media half of a B2BUA call, as the B2BUA will use it: MediaRelay.open (two RTP
 * sockets on 127.0.0.1 from one PortPool, a DtmfRelay) → traffic → close. Per call: 5 PCMU packets
 * each way, an RFC 4733 digit from leg a (5 updates + 3 ends, PT 101 → PT 96 on leg b) and a KPML
 * digit on leg b (generated as RFC 4733 on leg a, paced by the relay's timer on a FakeClock), all
 * over real UDP to two endpoint sockets. Calls run `concurrency` at a time; a call fails when its
 * packets or its two DTMF log entries do not all arrive. At each checkpoint every call is closed,
 * then gc() runs three times with pauses before process.memoryUsage().
 */
import dgram from "node:dgram";
import { mkdirSync, writeFileSync } from "node:fs";
import { execSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { FakeClock } from "../../protocol/src/transaction/clock.ts";
import { NativeIo } from "../../protocol/src/media/native-io.ts";
import { MediaRelay, PortPool } from "../../protocol/src/media/index.ts";
import { buildRtpPacket } from "../../protocol/src/wire/rtp/write.ts";
import { buildTelephoneEvent } from "../../protocol/src/wire/rfc4733/telephone-event.ts";
import type { MemoryPoint, MemoryResult } from "./lib/report-types.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const CALLS = Number(arg("calls", "100000"));
const CONC = Number(arg("concurrency", "100"));
const CHECKPOINTS = [1000, 10_000, 100_000].filter((c) => c <= CALLS);
if (!CHECKPOINTS.includes(CALLS)) CHECKPOINTS.push(CALLS);
const HOST = "127.0.0.1";
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with node --expose-gc");

class Endpoint {
  received = 0;
  private constructor(readonly socket: dgram.Socket) {
    socket.on("message", () => {
      this.received++;
    });
  }
  static open(port: number): Promise<Endpoint> {
    return new Promise((resolve, reject) => {
      const s = dgram.createSocket("udp4");
      s.once("error", reject);
      s.bind(port, HOST, () => {
        s.setRecvBufferSize(4 << 20);
        resolve(new Endpoint(s));
      });
    });
  }
}

const epA = await Endpoint.open(22920);
const epB = await Endpoint.open(22921);
const pool = new PortPool({ min: 23000, max: 24999 });
const clock = new FakeClock(0);
const audio = (seq: number, ssrc: number): Buffer =>
  buildRtpPacket({
    payloadType: 0,
    sequence: seq,
    timestamp: seq * 160,
    ssrc,
    payload: Buffer.alloc(160, 0xd5),
  });
const event = (seq: number, k: number): Buffer =>
  buildRtpPacket({
    payloadType: 101,
    marker: k === 0,
    sequence: seq,
    timestamp: 5 * 160,
    ssrc: 0x1111,
    payload: buildTelephoneEvent({ event: 5, end: k >= 5, volume: 10, durationTs: Math.min(k + 1, 6) * 160 }),
  });
const AUDIO = 5;
const PACKETS_PER_CALL = 2 * AUDIO + 8;

async function until(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) return false;
    await new Promise((r) => setImmediate(r));
  }
  return true;
}

/** `--no-fast-path`: every audio packet through JS */
const FAST_PATH = !process.argv.includes("--no-fast-path");
let failed = 0;
async function batch(n: number, first: number): Promise<void> {
  const logs = new Uint8Array(n);
  const relays: MediaRelay[] = [];
  for (let i = 0; i < n; i++) {
    relays.push(
      await MediaRelay.open({
        pool,
        bindAddress: HOST,
        clock,
        callId: `mem-${first + i}`,
        // the audio fast path as the media workers run it (route blocks, C-side references per call);
        // its clock scale only matters to timestamps, not to what a call leaves behind
        ...(FAST_PATH ? { audioFastPath: { clockOffsetMs: 0 } } : {}),
        legs: {
          a: {
            dtmf: { egressMethod: "rfc2833", telephoneEventPt: 101, ingressTelephoneEventPts: [101] },
            remote: { address: HOST, port: 22920 },
          },
          b: {
            dtmf: { egressMethod: "rfc2833", telephoneEventPt: 96, ingressTelephoneEventPts: [96] },
            remote: { address: HOST, port: 22921 },
          },
        },
        onLog: () => {
          logs[i]!++;
        },
      }),
    );
  }
  const a0 = epA.received;
  const b0 = epB.received;
  for (let i = 0; i < n; i++) {
    const r = relays[i]!;
    for (let k = 0; k < AUDIO; k++) {
      epA.socket.send(audio(k, 0x1111), r.localPort("a"), HOST);
      epB.socket.send(audio(k, 0x2222), r.localPort("b"), HOST);
    }
    for (let k = 0; k < 8; k++) epA.socket.send(event(AUDIO + k, k), r.localPort("a"), HOST);
  }
  const rx = (): number => relays.reduce((s, r) => s + r.stats().a.rx + r.stats().b.rx, 0);
  await until(() => rx() === n * PACKETS_PER_CALL, 3000);
  for (const r of relays) r.digit("b", "kpml", "9");
  for (let t = 0; t < 30; t++) clock.advance(20); // 600 ms of relay ticks: events end, ends ×3 sent
  const tx = relays.reduce((s, r) => s + r.stats().a.tx + r.stats().b.tx, 0);
  await until(() => epA.received - a0 + (epB.received - b0) >= tx, 3000);
  for (let i = 0; i < n; i++) {
    const st = relays[i]!.stats();
    if (logs[i] !== 2 || st.a.rx + st.b.rx !== PACKETS_PER_CALL) failed++;
  }
  if (epA.received - a0 + (epB.received - b0) !== tx) failed++;
  await Promise.all(relays.map((r) => r.close()));
}

async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 100));
    gc!();
  }
}

const points: MemoryPoint[] = [];
const t0 = performance.now();
let done = 0;
for (const cp of CHECKPOINTS) {
  while (done < cp) {
    const n = Math.min(CONC, cp - done);
    await batch(n, done);
    done += n;
  }
  await settle();
  const m = process.memoryUsage();
  const p: MemoryPoint = {
    calls: done,
    heapUsedKiB: Math.round(m.heapUsed / 1024),
    rssKiB: Math.round(m.rss / 1024),
    externalKiB: Math.round(m.external / 1024),
    arrayBuffersKiB: Math.round(m.arrayBuffers / 1024),
    activeHandles: process.getActiveResourcesInfo().length,
    portsInUse: pool.inUse,
    elapsedS: +((performance.now() - t0) / 1000).toFixed(1),
  };
  points.push(p);
  console.log(JSON.stringify(p));
}

const here = dirname(fileURLToPath(import.meta.url));
const result: MemoryResult = {
  subject: `MediaRelay + PortPool + DtmfRelay lifecycle (protocol/src/media), one MediaRelay per call${FAST_PATH ? `, audio fast path on (${NativeIo.get()?.stats().fastDatagrams ?? 0} datagrams forwarded in C)` : ""}`,
  date: new Date().toISOString(),
  node: process.version,
  load: execSync("uptime").toString().trim(),
  concurrency: CONC,
  packetsPerCall: PACKETS_PER_CALL,
  digitsPerCall: 2,
  points,
  failedCalls: failed,
  command: `node --expose-gc --import tsx bench/b2bua/memory.ts --calls ${CALLS} --concurrency ${CONC}`,
};
mkdirSync(join(here, "out", "memory"), { recursive: true });
writeFileSync(join(here, "out", "memory", "media.json"), JSON.stringify(result, null, 2));
epA.socket.close();
epB.socket.close();
console.log(`failed calls: ${failed}`);
