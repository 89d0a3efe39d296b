/**
 * RFC 3261 §17.1.4 / §17.2.4 / §18.4: a transport error is reported to the transaction, which
 * informs its TU and terminates at once (instead of waiting for Timer B / F / H).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { TransactionLayer } from "../../src/transaction/transaction-layer.ts";
import { createRealClock } from "../../src/transaction/clock.ts";
import type { Sender } from "../../src/transaction/transaction-user.ts";
import { FakeNetwork, TcpTransport } from "../../src/transport/index.ts";
import { FakeClock } from "../../src/transaction/clock.ts";
import type { SipMessage } from "../../src/wire/sip/types.ts";
import { isRequest, isStatus, RecordingTu, request, response, setup } from "./helpers.ts";

/** A sender that records messages and fails those `fails` picks, synchronously or on the clock. */
function failingSender(
  clock: FakeClock,
  fails: (m: SipMessage) => boolean,
  mode: "sync" | "async",
): { send: Sender; sent: SipMessage[] } {
  const sent: SipMessage[] = [];
  const send: Sender = (m, onError) => {
    sent.push(m);
    if (!fails(m) || onError === undefined) return;
    if (mode === "sync") onError("EHOSTUNREACH");
    else clock.setTimer(3, () => onError("ECONNREFUSED"));
  };
  return { send, sent };
}

for (const mode of ["sync", "async"] as const) {
  test(`§17.1.4 (${mode}): an INVITE the transport cannot send reaches the TU as a transport error at once`, () => {
    const clock = new FakeClock();
    const { send, sent } = failingSender(clock, isRequest("INVITE"), mode);
    const layer = new TransactionLayer({ clock, send });
    const tu = new RecordingTu();
    const tx = layer.sendRequest(request(), tu);
    clock.advance(10);
    const reason = mode === "sync" ? "EHOSTUNREACH" : "ECONNREFUSED";
    assert.deepEqual(tu.events, [`transport-error:${reason}`, "terminated"]);
    assert.equal(tx.state, "terminated");
    clock.advance(64_000);
    assert.equal(sent.length, 1, "no retransmission after the error (Timer A cancelled)");
    assert.equal(layer.size, 0);
    assert.equal(clock.pendingCount(), 0);
  });

  test(`§17.1.4 (${mode}): a non-INVITE request the transport cannot send ends its transaction before Timer F`, () => {
    const clock = new FakeClock();
    const { send } = failingSender(clock, isRequest("BYE"), mode);
    const layer = new TransactionLayer({ clock, send });
    const tu = new RecordingTu();
    layer.sendRequest(request({ method: "BYE", toTag: "t1" }), tu);
    clock.advance(10);
    assert.equal(tu.events[0]?.startsWith("transport-error:"), true);
    assert.equal(tu.events.includes("timeout"), false);
    assert.equal(layer.size, 0);
    assert.equal(clock.pendingCount(), 0);
  });
}

test("§17.2.4: a response the transport cannot send informs the server TU and ends the transaction", () => {
  const clock = new FakeClock();
  const { send } = failingSender(clock, isStatus(486), "sync");
  const layer = new TransactionLayer({ clock, send });
  const invite = request();
  const inbound = layer.receive(invite);
  assert.equal(inbound.kind, "new-request");
  const events: string[] = [];
  const tx = layer.createServerTransaction(invite, {
    onTransportError: (r) => void events.push(`transport-error:${r}`),
    onTerminated: () => void events.push("terminated"),
  });
  tx.sendResponse(response(invite, 486));
  assert.deepEqual(events, ["transport-error:EHOSTUNREACH", "terminated"]);
  assert.equal(layer.size, 0);
  assert.equal(clock.pendingCount(), 0, "no Timer G / H left");
});

test("an ACK the transport cannot send ends the INVITE client transaction; the TU sees the final response only", () => {
  const clock = new FakeClock();
  const { send } = failingSender(clock, isRequest("ACK"), "sync");
  const layer = new TransactionLayer({ clock, send });
  const tu = new RecordingTu();
  const invite = request();
  const tx = layer.sendRequest(invite, tu);
  layer.receive(response(invite, 486));
  assert.equal(tx.state, "terminated");
  assert.deepEqual(tu.events, ["terminated", "response:486"]);
  assert.equal(clock.pendingCount(), 0, "no Timer D");
});

test("a sender that ignores onError leaves the old behaviour: the INVITE times out after 64*T1", () => {
  const { clock, transport } = setup();
  const layer = new TransactionLayer({ clock, send: transport.send });
  const tu = new RecordingTu();
  layer.sendRequest(request(), tu);
  clock.advance(31_999);
  assert.deepEqual(tu.events, []);
  clock.advance(1);
  assert.deepEqual(tu.events, ["timeout", "terminated"]);
});

test("over the fake network: a TCP INVITE to an address nobody listens on fails after the latency, not after Timer B", () => {
  const clock = new FakeClock();
  const net = new FakeNetwork(clock, 5);
  net.refuseUnbound();
  const alice = net.transport({ host: "10.0.0.1", port: 5060 });
  const layer = new TransactionLayer({ clock, send: () => undefined });
  const tu = new RecordingTu();
  const to = { host: "10.0.0.9", port: 5060, transport: "tcp" as const };
  layer.sendRequest(request({ transport: "TCP" }), tu, {
    send: (m, onError) => alice.send(m, to, onError),
    reliable: true,
  });
  clock.advance(4);
  assert.deepEqual(tu.events, []);
  clock.advance(1);
  assert.deepEqual(tu.events, ["transport-error:connection refused by tcp:10.0.0.9:5060", "terminated"]);
  assert.equal(layer.size, 0);
});

test("over real TCP: an INVITE to a closed 127.0.0.1 port is a transport error within a second", async () => {
  // a port that was just free: listen on 0, note it, close
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const addr = probe.address();
  assert.ok(addr !== null && typeof addr === "object");
  const closedPort = addr.port;
  await new Promise<void>((r) => probe.close(() => r()));

  const tcp = await TcpTransport.open({ host: "127.0.0.1", port: 0 });
  try {
    const clock = createRealClock({ unref: true });
    const layer = new TransactionLayer({ clock, send: () => undefined });
    const to = { host: "127.0.0.1", port: closedPort, transport: "tcp" as const };
    const started = performance.now();
    const failed = new Promise<string>((resolve) => {
      layer.sendRequest(
        request({ transport: "TCP", sentBy: `127.0.0.1:${tcp.local.port}` }),
        { onResponse: () => undefined, onTransportError: resolve, onTimeout: () => resolve("timeout") },
        { send: (m, onError) => tcp.send(m, to, onError), reliable: true },
      );
    });
    const reason = await failed;
    const elapsed = performance.now() - started;
    assert.match(reason, /ECONNREFUSED/);
    assert.ok(elapsed < 1000, `reported after ${elapsed.toFixed(0)} ms`);
    assert.equal(layer.size, 0);
  } finally {
    await tcp.close();
  }
});
