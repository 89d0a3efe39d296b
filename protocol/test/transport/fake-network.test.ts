import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader, getHeaders } from "../../src/wire/sip/index.ts";
import type { SipMessage } from "../../src/wire/sip/index.ts";
import { FakeClock } from "../../src/transaction/index.ts";
import { FakeNetwork, TransportSet } from "../../src/transport/index.ts";
import type { ReceivedFrom, TransportEvent } from "../../src/transport/index.ts";
import { options } from "./helpers.ts";

test("the fake network delivers through the clock, stamps Via like a real transport, logs and drops on request", () => {
  const clock = new FakeClock();
  const net = new FakeNetwork(clock, 5);
  const a = net.transport({ host: "10.0.0.1", port: 5060 });
  const b = net.transport({ host: "10.0.0.2", port: 5070 }, ["udp"]);
  const got: [SipMessage, ReceivedFrom][] = [];
  b.onMessage((m, f) => void got.push([m, f]));
  a.send(options("SIP/2.0/UDP 192.0.2.1:5060;rport;branch=z9hG4bK1"), {
    host: "10.0.0.2",
    port: 5070,
    transport: "udp",
  });
  clock.advance(4);
  assert.equal(got.length, 0, "latency 5 ms");
  clock.advance(1);
  assert.equal(got.length, 1);
  assert.equal(
    getHeaders(got[0]![0], "via")[0],
    "SIP/2.0/UDP 192.0.2.1:5060;rport=5060;branch=z9hG4bK1;received=10.0.0.1",
  );
  assert.deepEqual(got[0]![1], {
    host: "10.0.0.1",
    port: 5060,
    transport: "udp",
    local: { host: "10.0.0.2", port: 5070 },
  });
  const undo = net.dropWhen(() => true);
  a.send(options("SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK2"), { host: "10.0.0.2", port: 5070, transport: "udp" });
  undo();
  clock.advance(10);
  assert.equal(got.length, 1);
  assert.deepEqual(
    net.log.map((r) => r.dropped),
    [false, true],
  );
  const events: TransportEvent[] = [];
  a.onEvent((e) => void events.push(e));
  a.send(options("SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK3"), { host: "10.0.0.2", port: 5070, transport: "tcp" });
  assert.equal(net.log.at(-1)?.dropped, true, "nobody listens on TCP there");
});

test("a malformed request injected into a fake transport is answered 400 with Warning through the network", () => {
  const clock = new FakeClock();
  const net = new FakeNetwork(clock);
  const uas = net.transport({ host: "10.0.0.2", port: 5060 });
  const peer = net.transport({ host: "10.0.0.1", port: 5060 });
  const replies: SipMessage[] = [];
  peer.onMessage((m) => void replies.push(m));
  uas.onMessage(() => assert.fail("a malformed request must not reach the core"));
  const bad = Buffer.from(
    options("SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKbad").toString().replace("CSeq: 1 OPTIONS", "CSeq: 1 INVITE"),
  );
  uas.inject(bad, { host: "10.0.0.1", port: 5060, transport: "udp" });
  clock.advance(0);
  assert.equal(replies.length, 1);
  assert.equal(replies[0]!.kind === "response" && replies[0]!.status, 400);
  assert.match(getHeader(replies[0]!, "warning")!, /^399 10\.0\.0\.2:5060 "/);
});

test("a TransportSet sends by protocol and reports a missing one", async () => {
  const clock = new FakeClock();
  const net = new FakeNetwork(clock);
  const udp = net.transport({ host: "10.0.0.3", port: 5060 }, ["udp"]);
  const set = new TransportSet([udp]);
  const events: TransportEvent[] = [];
  set.onEvent((e) => void events.push(e));
  set.send(options("SIP/2.0/TCP 10.0.0.3;branch=z9hG4bK1"), {
    host: "10.0.0.4",
    port: 5060,
    transport: "tcp",
  });
  assert.equal(events[0]?.kind, "send-error");
  assert.deepEqual(set.protocols, ["udp"]);
  await set.close();
});
