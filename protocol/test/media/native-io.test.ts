import { test } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { HOST, until } from "./udp-endpoint.ts";
import { NATIVE_SKIP } from "./io-backends.ts";
import { MEDIA_IO_ENV, chooseMediaIo, openMediaSocket } from "../../src/media/media-io.ts";
import type { MediaSocket } from "../../src/media/media-socket.ts";
import { NATIVE_ADDON_RELATIVE_PATH, NativeIo, packageRoot } from "../../src/media/native-io.ts";

/**
 * What only the native batch path has (native-io.ts, protocol/native/udp-batch*.c): per-wake limits,
 * receive slots of a fixed size, errors counted in the addon, per-thread state torn down with a
 * worker. Real UDP on 127.0.0.1, ports 19650-19699. The behaviour both backends share is tested in
 * rtp-socket.test.ts and media-relay.test.ts on each of them.
 */
const skip = NATIVE_SKIP;

function peer(port: number): Promise<{ s: dgram.Socket; got: Buffer[] }> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket("udp4");
    const got: Buffer[] = [];
    s.on("message", (m) => got.push(m));
    s.once("error", reject);
    s.bind(port, HOST, () => resolve({ s, got }));
  });
}
const closePeer = (s: dgram.Socket): Promise<void> => new Promise((r) => s.close(() => r()));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function open(port: number, extra: { recvBufferSize?: number } = {}): Promise<MediaSocket> {
  const sock = await openMediaSocket({ address: HOST, port, ...extra }, "native");
  assert.equal(sock.io, "native");
  return sock;
}

test(
  "batch boundary: 2 × 30 datagrams with at most 3 per socket and 5 per wake all arrive, in order, over ≥ 12 wakes, and the loop runs between wakes",
  { skip },
  async () => {
    const engine = NativeIo.get()!;
    const p = await peer(19690);
    const s1 = await open(19650, { recvBufferSize: 1 << 20 });
    const s2 = await open(19652, { recvBufferSize: 1 << 20 });
    const got1: number[] = [];
    const got2: number[] = [];
    let rxAtImmediate = -1;
    s1.onPacket = (b) => {
      got1.push(b[0]!);
      if (got1.length === 1) setImmediate(() => (rxAtImmediate = got1.length + got2.length));
    };
    s2.onPacket = (b) => got2.push(b[0]!);
    engine.limits(3, 5);
    const before = engine.stats();
    try {
      for (let i = 0; i < 30; i++) {
        p.s.send(Buffer.from([i, 1]), 19650, HOST);
        p.s.send(Buffer.from([i, 2]), 19652, HOST);
      }
      await until(() => got1.length === 30 && got2.length === 30, "60 datagrams");
      const after = engine.stats();
      assert.deepEqual(got1, [...Array(30).keys()]);
      assert.deepEqual(got2, [...Array(30).keys()]);
      assert.equal(after.datagrams - before.datagrams, 60);
      assert.ok(
        after.wakes - before.wakes >= 12,
        `60 datagrams at ≤ 5 a wake: ${after.wakes - before.wakes} wakes`,
      );
      assert.ok(
        rxAtImmediate >= 1 && rxAtImmediate < 60,
        `setImmediate ran mid-stream (after ${rxAtImmediate})`,
      );
    } finally {
      engine.limits(64, 256);
      await Promise.all([s1.close(), s2.close(), closePeer(p.s)]);
    }
  },
);

test(
  "datagram sizes: 0 … 4064 bytes delivered byte-exact; longer ones (4065, 65507) truncated: counted, not delivered, the socket goes on",
  { skip },
  async () => {
    const p = await peer(19691);
    const sock = await open(19654, { recvBufferSize: 1 << 20 });
    const got: Buffer[] = [];
    sock.onPacket = (b) => got.push(Buffer.from(b));
    const max = 4096 - 32;
    const sizes = [0, 1, 12, 172, max, max + 1, 65507, 3];
    const sent = sizes.map((n, k) => Buffer.alloc(n, k + 1));
    try {
      for (const b of sent) p.s.send(b, 19654, HOST);
      await until(() => got.length === 6, "the datagrams that fit");
      await sleep(20);
      assert.deepEqual(
        got.map((b) => b.length),
        [0, 1, 12, 172, max, 3],
      );
      for (const [i, k] of [0, 1, 2, 3, 4, 7].entries())
        assert.ok(got[i]!.equals(sent[k]!), `datagram ${k} byte-exact`);
      assert.equal(sock.counters.truncated, 2);
      assert.equal(sock.counters.rx, 6, "truncated datagrams are not received");
      assert.equal(sock.counters.errors, 0);
    } finally {
      await Promise.all([sock.close(), closePeer(p.s)]);
    }
  },
);

test(
  "ICMP port unreachable on a connected socket is counted as an error, never thrown; the socket keeps working",
  { skip },
  async () => {
    let p = await peer(19692);
    const sock = await open(19656);
    let rx = 0;
    sock.onPacket = () => rx++;
    try {
      sock.setRemote(HOST, 19692);
      p.s.send(Buffer.from([0x80, 0]), 19656, HOST);
      await until(() => sock.connected, "connect to the symmetric peer");
      await closePeer(p.s);
      for (let i = 0; i < 5 && sock.counters.errors === 0; i++) {
        sock.send(Buffer.from([i]));
        await sleep(10);
      }
      await until(() => sock.counters.errors > 0, "the refused send counted");
      p = await peer(19692);
      sock.send(Buffer.from([42]));
      await until(() => p.got.length >= 1, "a send to the peer back on its port");
      p.s.send(Buffer.from([0x80, 1]), 19656, HOST);
      await until(() => rx === 2, "receive again");
    } finally {
      await Promise.all([sock.close(), closePeer(p.s)]);
    }
  },
);

test(
  "a host name as remote is resolved once (not per send); sends before that count as no remote",
  { skip },
  async () => {
    const p = await peer(19693);
    const sock = await open(19658);
    try {
      sock.setRemote("localhost", 19693);
      sock.send(Buffer.from([1]));
      await until(() => {
        sock.send(Buffer.from([2]));
        return p.got.length > 0;
      }, "a send once localhost resolved");
      assert.ok(sock.counters.txNoRemote >= 1, "the send before resolution had no target");
      assert.deepEqual(sock.remote, { address: "localhost", port: 19693 });
    } finally {
      await Promise.all([sock.close(), closePeer(p.s)]);
    }
  },
);

test("the backend choice: option > MVSCT_MEDIA_IO > native when available", { skip }, () => {
  const saved = process.env[MEDIA_IO_ENV];
  try {
    delete process.env[MEDIA_IO_ENV];
    assert.deepEqual(chooseMediaIo(), { backend: "native", reason: "default" });
    process.env[MEDIA_IO_ENV] = "dgram";
    assert.deepEqual(chooseMediaIo(), { backend: "dgram", reason: `${MEDIA_IO_ENV}=dgram` });
    assert.deepEqual(chooseMediaIo("native"), { backend: "native", reason: "option" });
    process.env[MEDIA_IO_ENV] = "bogus";
    assert.equal(chooseMediaIo().backend, "native");
    assert.deepEqual(chooseMediaIo("dgram"), { backend: "dgram", reason: "option" });
  } finally {
    if (saved === undefined) delete process.env[MEDIA_IO_ENV];
    else process.env[MEDIA_IO_ENV] = saved;
  }
});

/** A worker that loads the addon itself, opens `ports` and counts what arrives, until terminated. */
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const addon = require(workerData.addon);
let rx = 0;
const info = addon.init((n) => { rx += n; if (rx >= workerData.ports.length) parentPort.postMessage("receiving"); });
for (const p of workerData.ports) addon.open("127.0.0.1", p, 0);
parentPort.postMessage("open");
`;

test(
  "a terminated worker leaves nothing: its sockets are closed (the ports bind again), the process lives on",
  { skip },
  async () => {
    const addon = join(
      packageRoot(fileURLToPath(new URL(".", import.meta.url)))!,
      NATIVE_ADDON_RELATIVE_PATH,
    );
    const ports = [19660, 19662, 19664];
    const p = await peer(19694);
    try {
      for (let round = 0; round < 3; round++) {
        const w = new Worker(WORKER, { eval: true, workerData: { addon, ports } });
        const states: string[] = [];
        w.on("message", (m: string) => states.push(m));
        await until(() => states.includes("open"), "the worker's sockets", 5000);
        // traffic while it is terminated: a batch may be on its way into JS
        const pump = setInterval(() => {
          for (const port of ports) p.s.send(Buffer.from([0x80, round]), port, HOST);
        }, 1);
        await until(() => states.includes("receiving"), "the worker receiving", 5000);
        await w.terminate();
        clearInterval(pump);
        for (const port of ports) {
          const again = await peer(port); // EADDRINUSE here would be a leaked fd
          await closePeer(again.s);
        }
      }
    } finally {
      await closePeer(p.s);
    }
  },
);
