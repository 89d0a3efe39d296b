/**
 * bench/b2bua/relay-host.ts: our media relay (protocol/src/media: MediaRelay + PortPool + DtmfRelay,
 * one MediaRelay per call) behind the subset of rtpengine's ng control protocol that the RTP
 * benchmark uses (ping, offer, answer, delete, plus "bench-stats"), so rtp-relay.ts drives it
 * exactly as it drives rtpengine. No SIP here: the B2BUA's signalling is not what is measured.
 *
 *   node --import tsx bench/b2bua/relay-host.ts --ng 127.0.0.1:22902 --ports 23000-24999 [--max-s 900]
 *        [--impl media|raw|raw-connected]   (raw*: the bare Node dgram floor, lib/raw-relay.ts)
 *        [--workers N]     (media: N > 0 spreads the calls over a MediaRelayGroup of N worker threads,
 *                           0 runs every MediaRelay on the main event loop; default 2)
 *        [--connect on|off] (media: RtpSocket's connected sending; default on)
 *        [--idle-ms N]     (media: idleDisconnectMs of the connected sockets; default RtpSocket's)
 *        [--log on|off]    (media: off sets no onLog callback, so no DTMF log reaches this thread)
 *        [--io native|dgram] (media: the sockets' I/O path, MediaRelayOptions.io; default: MVSCT_MEDIA_IO,
 *                           else the native batch path when built, protocol/src/media/media-io.ts)
 *
 * offer  (caller SDP): opens a MediaRelay; leg a = caller (remote from the SDP, telephone-event PT
 *        the caller declared), leg b = callee (remote unknown yet); replies with the SDP to send to
 *        the callee: our leg-b port. answer (callee SDP): sets leg b's remote and PT; replies with the
 *        SDP for the caller: our leg-a port. delete: closes the relay, ports go back to the pool.
 */
import dgram from "node:dgram";
import { createRealClock } from "../../protocol/src/transaction/clock.ts";
import { MediaRelay, MediaRelayGroup, PortPool } from "../../protocol/src/media/index.ts";
import type {
  MediaIoBackend,
  MediaLegStats,
  MediaRelayOptions,
  WorkerMediaRelay,
} from "../../protocol/src/media/index.ts";
import { type BValue, ngMessage, parseNgMessage } from "./lib/bencode.ts";
import { readSdp, rewriteSdp } from "./lib/sdp-lite.ts";
import { RawRelay } from "./lib/raw-relay.ts";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const [ngHost, ngPortS] = arg("ng", "127.0.0.1:22902").split(":") as [string, string];
const [minS, maxS] = arg("ports", "23000-24999").split("-") as [string, string];
const BIND = arg("bind", "127.0.0.1");
const MAX_S = Number(arg("max-s", "900"));
const RCVBUF = arg("rcvbuf", "");
/** media: MediaRelay (what is measured); raw / raw-connected: the bare dgram floor (lib/raw-relay.ts) */
const IMPL = arg("impl", "media");
const WORKERS = Number(arg("workers", "2"));
const CONNECT = arg("connect", "on") !== "off";
const IDLE_MS = arg("idle-ms", "");
/** diagnostics: "off" sets no onLog (the workers then post nothing to this thread per digit) */
const LOG = arg("log", "on") !== "off";
const IO_ARG = arg("io", "");
const IO: MediaIoBackend | undefined = IO_ARG === "native" || IO_ARG === "dgram" ? IO_ARG : undefined;
const group = IMPL === "media" && WORKERS > 0 ? new MediaRelayGroup({ workers: WORKERS }) : null;
/** one call's media: a MediaRelay on this loop, or one in a worker */
type Relay = MediaRelay | WorkerMediaRelay;
const open = (o: MediaRelayOptions): Promise<Relay> => (group === null ? MediaRelay.open(o) : group.open(o));
const statsOf = async (r: Relay): Promise<Record<"a" | "b", MediaLegStats>> => r.stats();
const raws = new Map<string, RawRelay>();

const pool = new PortPool({ min: Number(minS), max: Number(maxS) });
const clock = createRealClock();
const calls = new Map<string, Relay>();
/** the telephone-event PT the caller offered (what leg b is offered too), per call */
const offeredTe = new Map<string, number | null>();
let digitsLogged = 0;

async function handle(d: { [key: string]: BValue }): Promise<{ [key: string]: BValue }> {
  const cmd = d["command"];
  const callId = typeof d["call-id"] === "string" ? d["call-id"] : "";
  const sdp = typeof d["sdp"] === "string" ? d["sdp"] : "";
  switch (cmd) {
    case "ping":
      return { result: "pong" };
    case "offer": {
      const m = readSdp(sdp);
      if (m === null) return { result: "error", "error-reason": "no audio m= / c= in SDP" };
      if (IMPL !== "media") {
        const raw = await RawRelay.open(pool, BIND, IMPL === "raw-connected");
        await raw.setRemote("a", m.address, m.port);
        raws.set(callId, raw);
        return { result: "ok", sdp: rewriteSdp(sdp, BIND, raw.portB) };
      }
      const old = calls.get(callId);
      if (old !== undefined) await old.close();
      const te = m.telephoneEventPt;
      const relay = await open({
        pool,
        bindAddress: BIND,
        clock,
        callId,
        connect: CONNECT,
        ...(IO !== undefined ? { io: IO } : {}),
        ...(IDLE_MS !== "" ? { idleDisconnectMs: Number(IDLE_MS) } : {}),
        ...(RCVBUF !== "" ? { recvBufferSize: Number(RCVBUF) } : {}),
        legs: {
          a: {
            dtmf: {
              egressMethod: te === null ? "none" : "rfc2833",
              telephoneEventPt: te,
              ingressTelephoneEventPts: te === null ? [] : [te],
            },
            remote: { address: m.address, port: m.port },
          },
          // leg b is offered the caller's PT; the answer confirms or changes it
          b: {
            dtmf: {
              egressMethod: te === null ? "none" : "rfc2833",
              telephoneEventPt: te,
              ingressTelephoneEventPts: te === null ? [] : [te],
            },
          },
        },
        ...(LOG
          ? {
              onLog: () => {
                digitsLogged++;
              },
            }
          : {}),
      });
      calls.set(callId, relay);
      offeredTe.set(callId, te);
      return { result: "ok", sdp: rewriteSdp(sdp, BIND, relay.localPort("b")) };
    }
    case "answer": {
      const relay = calls.get(callId);
      const m = readSdp(sdp);
      const raw = raws.get(callId);
      if (raw !== undefined && m !== null) {
        await raw.setRemote("b", m.address, m.port);
        return { result: "ok", sdp: rewriteSdp(sdp, BIND, raw.portA) };
      }
      if (relay === undefined) return { result: "error", "error-reason": "Unknown call-id" };
      if (m === null) return { result: "error", "error-reason": "no audio m= / c= in SDP" };
      relay.setRemote("b", m.address, m.port);
      // the callee receives events on the PT it declared; it may send on that PT too (or on ours)
      const offered = offeredTe.get(callId) ?? null;
      relay.updateDtmf("b", {
        telephoneEventPt: m.telephoneEventPt,
        egressMethod: m.telephoneEventPt === null ? "none" : "rfc2833",
        ingressTelephoneEventPts: [...new Set([offered, m.telephoneEventPt].filter((x) => x !== null))],
      });
      return { result: "ok", sdp: rewriteSdp(sdp, BIND, relay.localPort("a")) };
    }
    case "delete": {
      const raw = raws.get(callId);
      if (raw !== undefined) {
        raws.delete(callId);
        await raw.close();
        return { result: "ok" };
      }
      const relay = calls.get(callId);
      if (relay === undefined) return { result: "error", "error-reason": "Unknown call-id" };
      calls.delete(callId);
      offeredTe.delete(callId);
      const st = await statsOf(relay);
      await relay.close();
      return {
        result: "ok",
        "rx-a": st.a.rx,
        "rx-b": st.b.rx,
        "tx-a": st.a.tx,
        "tx-b": st.b.tx,
        io: st.a.io,
        errors: st.a.errors + st.b.errors,
        truncated: st.a.truncated + st.b.truncated,
      };
    }
    case "bench-stats": {
      // legs whose socket connected to its peer at least once (RtpSocket's connected sending)
      let legsConnected = 0;
      let txNoRemote = 0;
      const io = new Set<string>();
      for (const r of calls.values()) {
        const st = await statsOf(r);
        io.add(st.a.io).add(st.b.io);
        legsConnected += (st.a.connects > 0 ? 1 : 0) + (st.b.connects > 0 ? 1 : 0);
        txNoRemote += st.a.txNoRemote + st.b.txNoRemote;
      }
      // each worker's I/O path and, on the native path, its wakes / datagrams / wake durations
      const workersIo = group === null ? [] : await group.io();
      const mu = process.memoryUsage();
      const cpu = process.cpuUsage();
      return {
        result: "ok",
        calls: calls.size,
        "calls-per-worker": group?.callsPerWorker() ?? [],
        "legs-connected": legsConnected,
        "tx-no-remote": txNoRemote,
        io: [...io].sort().join(","),
        "workers-io": JSON.stringify(workersIo),
        "ports-in-use": pool.inUse,
        "digits-logged": digitsLogged,
        "cpu-us": cpu.user + cpu.system,
        "rss-kib": Math.round(mu.rss / 1024),
        "heap-kib": Math.round(mu.heapUsed / 1024),
      };
    }
    default:
      return { result: "error", "error-reason": `unsupported command ${String(cmd)}` };
  }
}

const ctl = dgram.createSocket("udp4");
ctl.on("message", (m, rinfo) => {
  const msg = parseNgMessage(m);
  if (msg === null) return;
  handle(msg.dict).then(
    (reply) => ctl.send(ngMessage(msg.cookie, reply), rinfo.port, rinfo.address),
    (err: unknown) =>
      ctl.send(
        ngMessage(msg.cookie, { result: "error", "error-reason": String(err) }),
        rinfo.port,
        rinfo.address,
      ),
  );
});

async function shutdown(code: number): Promise<void> {
  for (const r of calls.values()) await r.close();
  for (const r of raws.values()) await r.close();
  calls.clear();
  await group?.close();
  ctl.close();
  process.exit(code);
}
process.on("SIGTERM", () => void shutdown(0));
process.on("SIGINT", () => void shutdown(0));
setTimeout(() => void shutdown(0), MAX_S * 1000).unref();
ctl.bind(Number(ngPortS), ngHost, () => {
  console.error(
    `relay-host ready on ${ngHost}:${ngPortS}, RTP ports ${minS}-${maxS}, impl ${IMPL}, workers ${group === null ? 0 : WORKERS}, connect ${CONNECT ? "on" : "off"}, io ${IO ?? process.env["MVSCT_MEDIA_IO"] ?? "default"}, pid ${process.pid}`,
  );
});
