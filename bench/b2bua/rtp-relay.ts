/**
 * bench/b2bua/rtp-relay.ts: the RTP load generator of the relay benchmark (one Node process).
 * N calls, each two G.711 µ-law streams (caller→callee, callee→caller), 172-byte packets every
 * `ptime` ms with phases spread over the frame, plus RFC 4733 digits. Set up per call through the ng
 * protocol (offer with the caller SDP, answer with the callee SDP) against rtpengine or against
 * relay-host.ts (our MediaRelay), or sent directly between the two endpoints ("direct", the baseline).
 *
 *   node --import tsx bench/b2bua/rtp-relay.ts --mode relay|direct --ng 127.0.0.1:22901 \
 *        --calls 250 --secs 10 [--ptime 20] [--digit-every-ms 4000] [--label x]
 * Prints one JSON line.
 *
 * Audio payload (160 bytes, relayed unchanged by both relays):
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                        stream id                              |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |          send time, performance.now() in ms (float64)         |
 *   |                                                               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                 0xD5 filler (µ-law silence-ish) ...           |
 * A relay may rewrite SSRC/seq/timestamp (ours does, per leg); the stream id in the payload says
 * which stream an audio packet belongs to, and the SSRC seen with it maps event packets.
 *
 * A digit (every `digit-every-ms` per stream, phases spread) replaces 8 audio packets: 5 updates
 * (M on the first, durations 1..5 × ptime) then the end packet 3 times (RFC 4733 §2.5.1.4), each
 * with a new sequence number, one RTP timestamp for the event. Latency is measured on audio only.
 */
import dgram from "node:dgram";
import { writeFileSync } from "node:fs";
import { NgClient } from "./lib/ng-client.ts";
import { endpointSdp, readSdp } from "./lib/sdp-lite.ts";
import { percentileSorted } from "./lib/stats.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const IP = "127.0.0.1";
const MODE = arg("mode", "relay");
const [ngHost, ngPortS] = arg("ng", "127.0.0.1:22901").split(":") as [string, string];
const CALLS = Number(arg("calls", "250"));
const SECS = Number(arg("secs", "10"));
const PTIME = Number(arg("ptime", "20"));
const DIGIT_EVERY_MS = Number(arg("digit-every-ms", "4000"));
const TE_A = Number(arg("te-a", "101"));
const TE_B = Number(arg("te-b", "101"));
const [PORT_A, PORT_B, PORT_CTL] = arg("ports", "22910,22911,22912").split(",").map(Number) as [
  number,
  number,
  number,
];
const LABEL = arg("label", "");
/** diagnostics: write "send time ms, latency µs, stream" of every audio packet to this file */
const DUMP_LAT = arg("dump-lat", "");
const AUDIO_PT = 0;
const PKT = 172;
const TS_PER_PKT = 8 * PTIME;
const EVENT_SLOTS = 8;

function openSock(port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket("udp4");
    s.once("error", reject);
    s.bind(port, IP, () => {
      s.off("error", reject);
      s.setRecvBufferSize(4 << 20);
      s.setSendBufferSize(4 << 20);
      resolve(s);
    });
  });
}

const sockA = await openSock(PORT_A);
const sockB = await openSock(PORT_B);
const ng = MODE === "direct" ? null : await NgClient.open(IP, PORT_CTL, ngHost, Number(ngPortS));

// streams: 2c = caller (A) → callee (B), 2c+1 = callee → caller
const NS = 2 * CALLS;
const dst = new Uint16Array(NS);
const callIds: string[] = [];
const tSetup0 = performance.now();
if (ng === null) {
  for (let c = 0; c < CALLS; c++) {
    dst[2 * c] = PORT_B;
    dst[2 * c + 1] = PORT_A;
  }
} else {
  const pong = await ng.request({ command: "ping" });
  if (pong["result"] !== "pong") throw new Error(`ng ping: ${JSON.stringify(pong)}`);
  const setup = async (c: number): Promise<void> => {
    const callId = `bench-${process.pid}-${c}`;
    callIds[c] = callId;
    const common = { "call-id": callId, "from-tag": `ft${c}`, replace: ["origin", "session-connection"] };
    const off = await ng.request({
      command: "offer",
      ...common,
      sdp: endpointSdp(IP, PORT_A, TE_A),
      ICE: "remove",
    });
    const offSdp = typeof off["sdp"] === "string" ? readSdp(off["sdp"]) : null;
    if (off["result"] !== "ok" || offSdp === null) throw new Error(`offer: ${JSON.stringify(off)}`);
    const ans = await ng.request({
      command: "answer",
      ...common,
      "to-tag": `tt${c}`,
      sdp: endpointSdp(IP, PORT_B, TE_B),
      ICE: "remove",
    });
    const ansSdp = typeof ans["sdp"] === "string" ? readSdp(ans["sdp"]) : null;
    if (ans["result"] !== "ok" || ansSdp === null) throw new Error(`answer: ${JSON.stringify(ans)}`);
    dst[2 * c] = ansSdp.port; // caller sends to the caller-facing port (in the answer SDP)
    dst[2 * c + 1] = offSdp.port; // callee sends to the callee-facing port (in the offer SDP)
  };
  const IN_FLIGHT = 8;
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < CALLS) await setup(next++);
    }),
  );
}
const setupMs = performance.now() - tSetup0;

const SLOTS = Math.floor((SECS * 1000) / PTIME); // packets per stream
const TOTAL = SLOTS * NS;
const DIGIT_EVERY_SLOTS = Math.max(EVENT_SLOTS + 1, Math.round(DIGIT_EVERY_MS / PTIME));
const seq = new Uint16Array(NS);
const evStartSlot = new Int32Array(NS).fill(-1);
const audioSent = new Uint32Array(NS);
const audioRecv = new Uint32Array(NS);
let digitsSent = 0;
let digitsRecv = 0;
let eventPktsSent = 0;
let eventPktsRecv = 0;
let misrouted = 0;
let bad = 0;
const lastEndTs = new Float64Array(NS).fill(-1);
const ssrcToStream = new Map<number, number>();
const lat = new Float64Array(TOTAL); // µs
const latSentAt = DUMP_LAT === "" ? null : new Float64Array(TOTAL);
const latStream = DUMP_LAT === "" ? null : new Uint32Array(TOTAL);
let nlat = 0;

function onPacket(m: Buffer, atB: boolean): void {
  if (m.length < 12 || m[0]! >> 6 !== 2) {
    bad++;
    return;
  }
  const pt = m[1]! & 0x7f;
  const ssrc = m.readUInt32BE(8);
  if (pt === AUDIO_PT) {
    if (m.length < 24) {
      bad++;
      return;
    }
    const id = m.readUInt32BE(12);
    if (id >= NS) {
      bad++;
      return;
    }
    if ((id % 2 === 0) !== atB) misrouted++;
    audioRecv[id]!++;
    const sentAt = m.readDoubleBE(16);
    if (latSentAt !== null) {
      latSentAt[nlat] = sentAt;
      latStream![nlat] = id;
    }
    lat[nlat++] = (performance.now() - sentAt) * 1000;
    if (!ssrcToStream.has(ssrc)) ssrcToStream.set(ssrc, id);
    return;
  }
  if (pt === (atB ? TE_B : TE_A) && m.length >= 16) {
    eventPktsRecv++;
    const id = ssrcToStream.get(ssrc);
    if (id === undefined) return;
    const end = (m[13]! & 0x80) !== 0;
    const ts = m.readUInt32BE(4);
    if (end && lastEndTs[id] !== ts) {
      lastEndTs[id] = ts;
      digitsRecv++;
    }
    return;
  }
  bad++;
}
sockA.on("message", (m: Buffer) => onPacket(m, false));
sockB.on("message", (m: Buffer) => onPacket(m, true));

function sendSlot(g: number): void {
  const s = g % NS;
  const k = (g - s) / NS; // slot index of stream s
  const sock = s % 2 === 0 ? sockA : sockB;
  const b = Buffer.allocUnsafe(PKT);
  const ts = (s * 7919 + k * TS_PER_PKT) >>> 0;
  b[0] = 0x80;
  b.writeUInt16BE(seq[s]!, 2);
  b.writeUInt32BE(0x10000 + s, 8);
  seq[s] = (seq[s]! + 1) & 0xffff;
  // a digit starts when this stream's phase says so, never in the last slots of the run
  if (evStartSlot[s] === -1 && k > 0 && (k + s * 37) % DIGIT_EVERY_SLOTS === 0 && k + EVENT_SLOTS <= SLOTS) {
    evStartSlot[s] = k;
    digitsSent++;
  }
  const e = evStartSlot[s]!;
  if (e >= 0) {
    const i = k - e; // 0..7
    const end = i >= 5;
    const eventTs = (s * 7919 + e * TS_PER_PKT) >>> 0;
    b[1] = (s % 2 === 0 ? TE_A : TE_B) | (i === 0 ? 0x80 : 0);
    b.writeUInt32BE(eventTs, 4);
    // RFC 4733 §2.3: event, E|R|volume, duration
    b[12] = (s >> 1) % 10;
    b[13] = (end ? 0x80 : 0) | 10;
    b.writeUInt16BE(Math.min(i + 1, 6) * TS_PER_PKT, 14);
    sock.send(b, 0, 16, dst[s]!, IP);
    eventPktsSent++;
    if (i === EVENT_SLOTS - 1) evStartSlot[s] = -1;
    return;
  }
  b[1] = AUDIO_PT;
  b.writeUInt32BE(ts, 4);
  b.writeUInt32BE(s, 12);
  b.fill(0xd5, 24);
  b.writeDoubleBE(performance.now(), 16);
  sock.send(b, dst[s]!, IP);
  audioSent[s]!++;
}

const cpu0 = process.cpuUsage();
const t0 = performance.now();
let sent = 0;
let maxLagMs = 0;
let lastTick = t0;
await new Promise<void>((resolve) => {
  const tick = (): void => {
    const now = performance.now();
    maxLagMs = Math.max(maxLagMs, now - lastTick);
    lastTick = now;
    const due = Math.min(TOTAL, Math.floor(((now - t0) * NS) / PTIME) + 1);
    while (sent < due) sendSlot(sent++);
    if (sent >= TOTAL) resolve();
    else setTimeout(tick, 1);
  };
  tick();
});
const sendEnd = performance.now();
await new Promise((r) => setTimeout(r, 600)); // drain (a relay's last event end packets are paced)
const cpu = process.cpuUsage(cpu0);
const wallS = (sendEnd - t0) / 1000;

let audioSentTotal = 0;
let audioRecvTotal = 0;
let minRatio = 1;
for (let s = 0; s < NS; s++) {
  audioSentTotal += audioSent[s]!;
  audioRecvTotal += audioRecv[s]!;
  if (audioSent[s]! > 0) minRatio = Math.min(minRatio, audioRecv[s]! / audioSent[s]!);
}
if (latSentAt !== null) {
  const rows: string[] = [];
  for (let i = 0; i < nlat; i++)
    rows.push(`${latSentAt[i]!.toFixed(3)},${lat[i]!.toFixed(1)},${latStream![i]}`);
  writeFileSync(DUMP_LAT, rows.join("\n") + "\n");
}
const l = lat.subarray(0, nlat).sort();
// packets later than a jitter buffer would wait for count as lost for the "loss-free" verdict
let late50 = 0;
let late100 = 0;
for (let i = nlat - 1; i >= 0 && l[i]! > 50_000; i--) {
  late50++;
  if (l[i]! > 100_000) late100++;
}
let relayStats: Record<string, unknown> = {};
if (ng !== null) {
  try {
    const st = await ng.request({ command: "bench-stats" }, 1000);
    if (st["result"] === "ok") relayStats = st;
  } catch {
    // rtpengine does not know bench-stats
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < CALLS) {
        const c = next++;
        await ng
          .request({ command: "delete", "call-id": callIds[c]!, "from-tag": `ft${c}` })
          .catch(() => null);
      }
    }),
  );
}
const r = {
  label: LABEL,
  mode: MODE,
  calls: CALLS,
  streams: NS,
  secs: SECS,
  ptime: PTIME,
  setup_ms: Math.round(setupMs),
  offered_pps: Math.round((audioSentTotal + eventPktsSent) / wallS),
  relayed_pps: Math.round((audioRecvTotal + eventPktsRecv) / wallS),
  audio_sent: audioSentTotal,
  audio_recv: audioRecvTotal,
  loss_pct: +(100 * (1 - audioRecvTotal / audioSentTotal)).toFixed(4),
  worst_stream_recv_ratio: +minRatio.toFixed(4),
  late_over_50ms: late50,
  late_over_100ms: late100,
  digits_sent: digitsSent,
  digits_recv: digitsRecv,
  event_pkts_sent: eventPktsSent,
  event_pkts_recv: eventPktsRecv,
  misrouted,
  bad,
  lat_us: {
    p50: +percentileSorted(l, 0.5).toFixed(1),
    p90: +percentileSorted(l, 0.9).toFixed(1),
    p99: +percentileSorted(l, 0.99).toFixed(1),
    p999: +percentileSorted(l, 0.999).toFixed(1),
    max: +percentileSorted(l, 1).toFixed(1),
  },
  gen_cpu_s: +((cpu.user + cpu.system) / 1e6).toFixed(2),
  gen_max_tick_gap_ms: +maxLagMs.toFixed(1),
  relay: relayStats,
};
console.log(JSON.stringify(r));
sockA.close();
sockB.close();
await ng?.close();
process.exit(0);
