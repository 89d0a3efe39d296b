/**
 * RFC 3261 §18.4: "the transport user will be informed of the error": every transport calls the
 * per-send `onError` (once) besides emitting its "send-error" event. Real sockets on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { FakeClock } from "../../src/transaction/clock.ts";
import {
  FakeNetwork,
  TcpTransport,
  TransportSet,
  UdpTransport,
  responseSender,
  UDP_SOCKET_BUFFER_BYTES,
} from "../../src/transport/index.ts";
import type { ReceivedFrom } from "../../src/transport/index.ts";
import { eventually, req, res } from "./helpers.ts";

const OPTIONS = req(`OPTIONS sip:ua@127.0.0.1 SIP/2.0
Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKse1
Max-Forwards: 70
From: <sip:a@127.0.0.1>;tag=1
To: <sip:ua@127.0.0.1>
Call-ID: se-1
CSeq: 1 OPTIONS
Content-Length: 0

`);

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const a = probe.address();
  assert.ok(a !== null && typeof a === "object");
  await new Promise<void>((r) => probe.close(() => r()));
  return a.port;
}

test("TCP: every write queued on a refused connection reports the connect error once", async () => {
  const tcp = await TcpTransport.open({ host: "127.0.0.1", port: 0 });
  try {
    const to = { host: "127.0.0.1", port: await closedPort(), transport: "tcp" as const };
    const errors: string[][] = [[], []];
    const events: string[] = [];
    tcp.onEvent((e) => void (e.kind === "send-error" && events.push(e.reason)));
    tcp.send(OPTIONS, to, (r) => void errors[0]!.push(r));
    tcp.send(OPTIONS, to, (r) => void errors[1]!.push(r));
    await eventually(() => (errors[0]!.length > 0 && errors[1]!.length > 0 ? true : undefined), 1000);
    for (const e of errors) {
      assert.equal(e.length, 1);
      assert.match(e[0]!, /ECONNREFUSED/);
    }
    assert.equal(events.length, 1, "one event for the connection");
  } finally {
    await tcp.close();
  }
});

test("UDP: a destination the socket cannot reach and a closed transport call onError synchronously", async () => {
  const udp = await UdpTransport.open({ host: "127.0.0.1", port: 0 });
  const errors: string[] = [];
  udp.send(OPTIONS, { host: "sip.example.com", port: 5060, transport: "udp" }, (r) => void errors.push(r));
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /sip\.example\.com/);
  await udp.close();
  udp.send(OPTIONS, { host: "127.0.0.1", port: 5060, transport: "udp" }, (r) => void errors.push(r));
  assert.deepEqual(errors.slice(1), ["transport closed"]);
});

test("UDP: the socket buffers are raised from the system default (bounded by net.core.rmem_max)", async () => {
  const read = (f: string): number => Number(readFileSync(f, "utf8").trim());
  const udp = await UdpTransport.open({ host: "127.0.0.1", port: 0 });
  const small = await UdpTransport.open({ host: "127.0.0.1", port: 0, recvBufferSize: 0, sendBufferSize: 0 });
  try {
    const rmemMax = read("/proc/sys/net/core/rmem_max");
    const rmemDefault = read("/proc/sys/net/core/rmem_default");
    // Linux doubles the request (bookkeeping) and caps the request at rmem_max
    const expected = 2 * Math.min(UDP_SOCKET_BUFFER_BYTES, rmemMax);
    assert.equal(udp.bufferSizes.recv, expected);
    assert.equal(small.bufferSizes.recv, rmemDefault, "0 keeps the system default");
  } finally {
    await udp.close();
    await small.close();
  }
});

test("TransportSet without a member for the protocol, and a response without a route, report onError", async () => {
  const udp = await UdpTransport.open({ host: "127.0.0.1", port: 0 });
  try {
    const set = new TransportSet([udp]);
    const errors: string[] = [];
    set.send(OPTIONS, { host: "127.0.0.1", port: 5060, transport: "tcp" }, (r) => void errors.push(r));
    assert.deepEqual(errors, ["no tcp transport"]);
    const from: ReceivedFrom = {
      host: "127.0.0.1",
      port: 5060,
      transport: "udp",
      local: { host: "127.0.0.1", port: udp.local.port },
    };
    const noVia = res(`SIP/2.0 200 OK
From: <sip:a@127.0.0.1>;tag=1
To: <sip:ua@127.0.0.1>;tag=2
Call-ID: se-2
CSeq: 1 OPTIONS
Content-Length: 0

`);
    responseSender(set, from)(noVia, (r) => void errors.push(r));
    assert.equal(errors.length, 2);
    assert.match(errors[1]!, /no route/);
  } finally {
    await udp.close();
  }
});

test("FakeNetwork.refuseUnbound: TCP to nowhere fails after the latency; UDP to nowhere is lost unless refuseUdp", () => {
  const clock = new FakeClock();
  const net = new FakeNetwork(clock, 7);
  const a = net.transport({ host: "10.0.0.1", port: 5060 });
  const errors: string[] = [];
  const nowhere = { host: "10.0.0.2", port: 5060 };
  a.send(OPTIONS, { ...nowhere, transport: "tcp" }, (r) => void errors.push(r));
  clock.advance(10);
  assert.equal(errors.length, 0, "off by default: the packet is logged as dropped");
  net.refuseUnbound();
  a.send(OPTIONS, { ...nowhere, transport: "tcp" }, (r) => void errors.push(`tcp:${r}`));
  a.send(OPTIONS, { ...nowhere, transport: "udp" }, (r) => void errors.push(`udp:${r}`));
  clock.advance(6);
  assert.equal(errors.length, 0);
  clock.advance(1);
  assert.deepEqual(errors, ["tcp:connection refused by tcp:10.0.0.2:5060"]);
  net.refuseUnbound({ refuseUdp: true });
  a.send(OPTIONS, { ...nowhere, transport: "udp" }, (r) => void errors.push(`udp:${r}`));
  clock.advance(7);
  assert.equal(errors.length, 2);
  net.transport({ host: "10.0.0.2", port: 5060 });
  a.send(OPTIONS, { ...nowhere, transport: "tcp" }, (r) => void errors.push(r));
  clock.advance(7);
  assert.equal(errors.length, 2, "a bound address is reachable");
});
