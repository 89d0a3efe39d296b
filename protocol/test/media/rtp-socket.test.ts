import { test } from "node:test";
import { HOST, until } from "./udp-endpoint.ts";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { openMediaSocket } from "../../src/media/media-io.ts";
import type { MediaIoBackend, MediaSocket } from "../../src/media/media-socket.ts";
import { IO_BACKENDS } from "./io-backends.ts";

/**
 * A media socket's connected sending over real UDP on 127.0.0.1, on both I/O backends (the dgram
 * RtpSocket, the native NativeRtpSocket); this file uses ports 19400-19419 (the socket under test)
 * and 19920-19939 (peers) on dgram, 19600-19619 and 19950-19969 on the native path. What is checked: when the socket connects (only to a
 * source that is also where it sends: RFC 4961 symmetric RTP), what a connected socket drops, and
 * how it returns to taking every source (idle, setRemote).
 */
const IDLE_MS = 150;

class Peer {
  readonly got: Buffer[] = [];
  private constructor(
    readonly socket: dgram.Socket,
    readonly port: number,
  ) {
    socket.on("message", (m) => this.got.push(m));
  }
  static open(port: number): Promise<Peer> {
    return new Promise((resolve, reject) => {
      const s = dgram.createSocket("udp4");
      s.once("error", reject);
      s.bind(port, HOST, () => resolve(new Peer(s, port)));
    });
  }
  send(to: number, tag: number): void {
    this.socket.send(Buffer.from([0x80, 0, 0, tag]), to, HOST);
  }
  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Sends from `peer` and waits until `sock` counted it (or, expecting a drop, waits a while and checks it did not). */
async function deliver(
  peer: Peer,
  sock: MediaSocket,
  tag: number,
  expect: "received" | "dropped",
): Promise<void> {
  const before = sock.counters.rx;
  peer.send(sock.localPort, tag);
  if (expect === "received")
    await until(() => sock.counters.rx === before + 1, `packet ${tag} from ${peer.port}`);
  else {
    // a datagram on loopback arrives within microseconds; 20 ms of silence means the kernel dropped it
    await sleep(20);
    assert.equal(sock.counters.rx, before, `packet ${tag} from ${peer.port} is dropped while connected`);
  }
}

async function fixture(
  io: MediaIoBackend,
  port: number,
  opts: { latching?: boolean; connect?: boolean } = {},
): Promise<{ sock: MediaSocket; got: number[] }> {
  const sock = await openMediaSocket({ address: HOST, port, idleDisconnectMs: IDLE_MS, ...opts }, io);
  assert.equal(sock.io, io, `the socket runs on ${io}`);
  const got: number[] = [];
  sock.onPacket = (p) => got.push(p[3]!);
  return { sock, got };
}

for (const { io, skip } of IO_BACKENDS) {
  const SOCK = io === "dgram" ? 19400 : 19600;
  const PEER = io === "dgram" ? 19920 : 19950;

  test(
    `[${io}] a symmetric peer (packets from its SDP address): connects on its first packet, sends reach it, other sources are dropped until idle`,
    { skip },
    async () => {
      const p = await Peer.open(PEER);
      const q = await Peer.open(PEER + 1);
      const { sock, got } = await fixture(io, SOCK);
      try {
        sock.setRemote(HOST, p.port);
        sock.send(Buffer.from([1]));
        await until(() => p.got.length === 1, "unconnected send");
        assert.equal(sock.connected, false, "no packet from the peer yet: not connected");

        await deliver(q, sock, 10, "received"); // another source, before the peer proved itself: taken
        assert.equal(sock.connected, false, "a source other than the remote never connects");
        await deliver(p, sock, 11, "received");
        assert.equal(sock.connected, true, "the remote's own packet proves symmetry");
        assert.equal(sock.counters.connects, 1);

        sock.send(Buffer.from([2]));
        await until(() => p.got.length === 2, "connected send");
        assert.equal(q.got.length, 0, "nothing ever went to the other source");

        await deliver(q, sock, 12, "dropped");
        await deliver(p, sock, 13, "received");
        assert.deepEqual(got, [10, 11, 13]);

        // silence from the peer: the socket disconnects and takes every source again
        await until(() => !sock.connected, "idle disconnect", 20 * IDLE_MS);
        assert.equal(sock.counters.disconnects, 1);
        await deliver(q, sock, 14, "received");
        assert.equal(sock.connected, false);
        sock.send(Buffer.from([3]));
        await until(() => p.got.length === 3, "send after idle still goes to the SDP address");
        assert.equal(q.got.length, 0);
        await deliver(p, sock, 15, "received");
        assert.equal(sock.connected, true, "the peer reconnects it");
        assert.equal(sock.counters.connects, 2);
      } finally {
        await Promise.all([sock.close(), p.close(), q.close()]);
      }
    },
  );

  test(
    `[${io}] an asymmetric peer (sends from another port than its SDP names, RFC 3550 allows it): never connected, every source taken, sends go to the SDP address`,
    { skip },
    async () => {
      const sdp = await Peer.open(PEER + 2);
      const src = await Peer.open(PEER + 3);
      const other = await Peer.open(PEER + 4);
      const { sock, got } = await fixture(io, SOCK + 2);
      try {
        sock.setRemote(HOST, sdp.port);
        for (let i = 0; i < 5; i++) await deliver(src, sock, 20 + i, "received");
        await deliver(other, sock, 30, "received");
        assert.equal(sock.connected, false);
        assert.equal(sock.counters.connects, 0);
        sock.send(Buffer.from([7]));
        await until(() => sdp.got.length === 1, "send to the SDP address");
        assert.equal(src.got.length, 0, "not to the source: no latching asked for");
        assert.deepEqual(got, [20, 21, 22, 23, 24, 30]);
      } finally {
        await Promise.all([sock.close(), sdp.close(), src.close(), other.close()]);
      }
    },
  );

  test(
    `[${io}] latching: a packet from a new source before the latch is latched and connected; after it, a new source is dropped; setRemote re-arms and disconnects at once`,
    { skip },
    async () => {
      const sdp = await Peer.open(PEER + 5);
      const nat = await Peer.open(PEER + 6);
      const intruder = await Peer.open(PEER + 7);
      const moved = await Peer.open(PEER + 8);
      const { sock, got } = await fixture(io, SOCK + 4, { latching: true });
      try {
        sock.setRemote(HOST, sdp.port);
        await deliver(nat, sock, 40, "received");
        assert.deepEqual(sock.remote, { address: HOST, port: nat.port }, "latched to the first source");
        assert.equal(sock.connected, true, "the latched source is where we send: connected at once");
        sock.send(Buffer.from([9]));
        await until(() => nat.got.length === 1, "send to the latched source");
        assert.equal(sdp.got.length, 0);

        await deliver(intruder, sock, 41, "dropped");
        assert.deepEqual(sock.remote, { address: HOST, port: nat.port }, "no re-latch to a later source");

        // a re-INVITE names a new address: disconnect now, latch again to the first packet
        sock.setRemote(HOST, sdp.port);
        assert.equal(sock.connected, false);
        await deliver(moved, sock, 42, "received");
        assert.deepEqual(sock.remote, { address: HOST, port: moved.port });
        assert.equal(sock.connected, true);
        await deliver(nat, sock, 43, "dropped");
        assert.deepEqual(got, [40, 42]);
        assert.equal(sock.counters.connects, 2);
        assert.equal(sock.counters.disconnects, 1);
      } finally {
        await Promise.all([sock.close(), sdp.close(), nat.close(), intruder.close(), moved.close()]);
      }
    },
  );

  test(
    `[${io}] connect: false keeps the unconnected socket: the peer's packets do not connect it, other sources stay welcome`,
    { skip },
    async () => {
      const p = await Peer.open(PEER + 9);
      const q = await Peer.open(PEER + 10);
      const { sock, got } = await fixture(io, SOCK + 6, { connect: false });
      try {
        sock.setRemote(HOST, p.port);
        await deliver(p, sock, 50, "received");
        await deliver(q, sock, 51, "received");
        assert.equal(sock.connected, false);
        sock.send(Buffer.from([1]));
        await until(() => p.got.length === 1, "send");
        assert.deepEqual(got, [50, 51]);
      } finally {
        await Promise.all([sock.close(), p.close(), q.close()]);
      }
    },
  );

  test(
    `[${io}] no send towards 0.0.0.0 or port 0 (RFC 3264 §8.4 legacy hold, a refused stream): counted as no remote`,
    { skip },
    async () => {
      const p = await Peer.open(PEER + 11);
      const { sock } = await fixture(io, SOCK + 8);
      try {
        sock.send(Buffer.from([1]));
        sock.setRemote("0.0.0.0", p.port);
        sock.send(Buffer.from([2]));
        sock.setRemote(HOST, 0);
        sock.send(Buffer.from([3]));
        assert.equal(sock.counters.txNoRemote, 3);
        assert.equal(sock.counters.tx, 0);
        sock.setRemote(HOST, p.port);
        sock.send(Buffer.from([4]));
        await until(() => p.got.length === 1, "send once the remote is real");
        assert.deepEqual([...p.got[0]!], [4]);
      } finally {
        await Promise.all([sock.close(), p.close()]);
      }
    },
  );

  test(
    `[${io}] closing a connected socket stops its idle check (nothing fires after close)`,
    { skip },
    async () => {
      const p = await Peer.open(PEER + 12);
      const { sock } = await fixture(io, SOCK + 10);
      sock.setRemote(HOST, p.port);
      await deliver(p, sock, 60, "received");
      assert.equal(sock.connected, true);
      await sock.close();
      await p.close();
      // a live idle check would disconnect the closed socket: a disconnect and an error counted
      await sleep(3 * IDLE_MS);
      assert.equal(sock.counters.disconnects, 0);
      assert.equal(sock.counters.errors, 0);
      sock.send(Buffer.from([1]));
      assert.equal(sock.counters.txNoRemote, 1, "a closed socket sends nothing");
    },
  );
}
