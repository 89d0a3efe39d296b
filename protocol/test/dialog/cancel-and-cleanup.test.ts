/** CANCEL (RFC 3261 §9), forked 2xx (§13.2.2.4), no leftovers, and one call over real UDP sockets. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRealClock, FakeClock } from "../../src/transaction/index.ts";
import { FakeNetwork, TcpTransport, UdpTransport } from "../../src/transport/index.ts";
import { UserAgent } from "../../src/dialog/index.ts";
import type { IncomingOffer, InviteSession } from "../../src/dialog/index.ts";
import { ALICE, ANSWER_B, BOB, OFFER_A, isMethod, ladder, pair, sdp, watch } from "./helpers.ts";
import { eventually } from "../transport/helpers.ts";
import type { SipTransport } from "../../src/transport/index.ts";

test("RFC 3261 §9.1-§9.2: CANCEL of a ringing call: 200 to the CANCEL, 487 to the INVITE, both sessions end, nothing is left behind", () => {
  const { clock, net, alice, bob } = pair();
  const log: string[] = [];
  bob.onInvite = (s) => {
    watch(s, log, "B:");
    s.progress(180);
  };
  const call = alice.invite({
    target: "sip:bob@10.0.0.2",
    from: "<sip:alice@10.0.0.1>",
    sdp: OFFER_A,
    nextHop: { ...BOB, transport: "udp" },
  });
  watch(call, log, "A:");
  clock.advance(0);
  call.cancel();
  clock.advance(0);
  const wire = ladder(net);
  assert.deepEqual(
    [...wire.slice(0, 3), ...wire.slice(3, 5).sort(), wire[5]],
    ["INVITE", "180 INVITE", "CANCEL", "200 CANCEL", "487 INVITE", "ACK"],
  );
  assert.deepEqual(log, [
    "A:provisional 180",
    "B:terminated cancelled",
    "A:failure 487",
    "A:terminated cancelled",
  ]);
  clock.advance(64_000);
  assert.equal(clock.pendingCount(), 0);
  assert.equal(alice.sessionCount + bob.sessionCount + alice.dialogCount + bob.dialogCount, 0);
  assert.equal(alice.transactions.size + bob.transactions.size, 0);
});

test("RFC 3261 §9.1: cancel() twice (or bye() then cancel()) sends one CANCEL and does not throw", () => {
  const { clock, net, alice, bob } = pair();
  bob.onInvite = (s) => s.progress(180);
  const call = alice.invite({
    target: "sip:bob@10.0.0.2",
    from: "<sip:alice@10.0.0.1>",
    sdp: OFFER_A,
    nextHop: { ...BOB, transport: "udp" },
  });
  clock.advance(0);
  assert.equal(call.state, "early");
  call.cancel();
  assert.doesNotThrow(() => call.cancel());
  assert.doesNotThrow(() => call.bye());
  clock.advance(0);
  assert.equal(net.log.filter(isMethod("CANCEL")).length, 1);
  assert.equal(call.terminationReason, "cancelled");
  assert.doesNotThrow(() => call.cancel(), "after the end too");
  clock.advance(64_000);
  assert.equal(alice.transactions.size + bob.transactions.size, 0);
});

test("RFC 3261 §9.1: cancel() twice before any 1xx: one CANCEL once the 180 arrives", () => {
  const { clock, net, alice, bob } = pair();
  bob.onInvite = (s) => s.progress(180);
  const call = alice.invite({
    target: "sip:bob@10.0.0.2",
    from: "<sip:alice@10.0.0.1>",
    sdp: OFFER_A,
    nextHop: { ...BOB, transport: "udp" },
  });
  call.cancel();
  call.cancel();
  clock.advance(0);
  assert.equal(net.log.filter(isMethod("CANCEL")).length, 1);
  assert.equal(call.state, "terminated");
});

test("RFC 3261 §13.2.2.4: a 2xx to our re-INVITE arriving after our BYE is still acknowledged", () => {
  const { clock, net, alice, bob } = pair({ sessionTimer: null }, { sessionTimer: null });
  let held: IncomingOffer | null = null;
  bob.onInvite = (s) => {
    s.handlers = { onOffer: (o) => void (held = o) };
    s.accept({ sdp: ANSWER_B });
  };
  const call = alice.invite({
    target: "sip:bob@10.0.0.2",
    from: "<sip:alice@10.0.0.1>",
    sdp: OFFER_A,
    nextHop: { ...BOB, transport: "udp" },
  });
  clock.advance(0);
  assert.equal(call.state, "confirmed");
  call.reinvite({ sdp: sdp(20000, "sendonly", "10.0.0.9", 2) });
  clock.advance(0);
  assert.ok(held !== null, "bob holds the offer");
  // bob has not seen our BYE (lost): had it arrived, bob would answer the re-INVITE 487 (RFC 3261 §15.1.2)
  net.dropWhen((r) => r.message?.kind === "request" && r.message.method === "BYE");
  call.bye();
  clock.advance(0);
  const acksBefore = net.log.filter(isMethod("ACK")).length;
  (held as IncomingOffer).accept(sdp(30000, "recvonly", "10.0.0.9", 2));
  clock.advance(0);
  assert.equal(net.log.filter(isMethod("ACK")).length, acksBefore + 1);
  clock.advance(64_000);
  assert.equal(clock.pendingCount(), 0);
  assert.equal(alice.transactions.size + bob.transactions.size, 0);
});

test("after a full call with re-INVITE, UPDATE, INFO and BYE, no session, dialog, transaction or timer remains", () => {
  const { clock, alice, bob } = pair();
  let uas: InviteSession | null = null;
  bob.onInvite = (s) => {
    uas = s;
    s.progress(183, { sdp: ANSWER_B, reliable: true });
    s.accept();
  };
  const call = alice.invite({
    target: "sip:bob@10.0.0.2",
    from: "<sip:alice@10.0.0.1>",
    sdp: OFFER_A,
    nextHop: { ...BOB, transport: "udp" },
  });
  clock.advance(0);
  assert.equal(call.state, "confirmed");
  call.reinvite({ sdp: sdp(20000, "sendonly", "10.0.0.9", 2) });
  clock.advance(0);
  uas!.update({ sdp: sdp(30000, "sendrecv", "10.0.0.9", 2) });
  clock.advance(0);
  call.request("INFO", {
    body: { contentType: "application/dtmf-relay", text: "Signal=1\r\nDuration=100\r\n" },
  });
  clock.advance(0);
  uas!.bye();
  clock.advance(0);
  assert.equal(call.terminationReason, "remote-bye");
  clock.advance(64_000);
  assert.equal(clock.pendingCount(), 0);
  assert.equal(alice.sessionCount + bob.sessionCount + alice.dialogCount + bob.dialogCount, 0);
  assert.equal(alice.transactions.size + bob.transactions.size, 0);
});

test("RFC 3261 §13.2.2.4: a 2xx from a second fork is acknowledged and then ended with BYE", () => {
  const clock = new FakeClock();
  const net = new FakeNetwork(clock);
  const alice = new UserAgent({ transport: net.transport(ALICE), clock, contactUser: "alice" });
  const forker = net.transport(BOB); // plays a forking proxy by hand
  forker.onMessage(() => undefined);
  const call = alice.invite({
    target: "sip:bob@10.0.0.2",
    from: "<sip:alice@10.0.0.1>",
    sdp: OFFER_A,
    nextHop: { ...BOB, transport: "udp" },
  });
  clock.advance(0);
  const invite = net.log.filter(isMethod("INVITE"))[0]!;
  const ok = (tag: string): Buffer =>
    Buffer.from(
      invite.bytes
        .toString()
        .replace(/^INVITE [^\r\n]+/, "SIP/2.0 200 OK")
        .replace(/(To: [^\r\n]+)/, `$1;tag=${tag}`)
        .replace(/Contact: [^\r\n]+/, `Contact: <sip:${tag}@10.0.0.2:5060>`)
        .replace(/Max-Forwards: [^\r\n]+\r\n/, "")
        .replace(
          /Content-Length: \d+\r\n\r\n[\s\S]*$/,
          `Content-Length: ${ANSWER_B.length}\r\n\r\n${ANSWER_B}`,
        ),
    );
  net.log.length = 0;
  net.carry(invite.to, invite.from, ok("fork1"));
  net.carry(invite.to, invite.from, ok("fork2"));
  net.carry(invite.to, invite.from, ok("fork1")); // a retransmission of the first
  clock.advance(0);
  const toTag = (r: { bytes: Buffer }) => /To: [^\r\n]*tag=(\w+)/.exec(r.bytes.toString())?.[1];
  assert.deepEqual(net.log.filter(isMethod("ACK")).map(toTag), ["fork1", "fork2", "fork1"]);
  assert.deepEqual(net.log.filter(isMethod("BYE")).map(toTag), ["fork2"]);
  assert.equal(call.dialog?.id.remoteTag, "fork1");
  assert.equal(call.state, "confirmed");
});

/** A delayed-offer call from alice's transport to bob's over real sockets and a real clock. */
async function delayedOfferOverSockets(ta: SipTransport, tb: SipTransport, target: string) {
  const clock = createRealClock({ unref: true });
  const alice = new UserAgent({ transport: ta, clock, contactUser: "alice" });
  const bob = new UserAgent({ transport: tb, clock, contactUser: "bob" });
  let uas: InviteSession | undefined;
  bob.onInvite = (s) => {
    uas = s;
    s.accept({ sdp: sdp(30000, "sendrecv", "127.0.0.1") });
  };
  const call = alice.invite({ target, from: "<sip:alice@127.0.0.1>", sdp: null });
  call.handlers.onOffer = (o) => o.accept(sdp(20000, "sendrecv", "127.0.0.1"));
  const answered = await eventually(() => (uas?.state === "confirmed" ? uas : undefined), 3000);
  return { call, uas: answered };
}

test("over real UDP sockets (127.0.0.1:18150-18151, real clock): delayed offer call, then BYE", async () => {
  const ta = await UdpTransport.open({ port: 18150 });
  const tb = await UdpTransport.open({ port: 18151 });
  try {
    const { call, uas } = await delayedOfferOverSockets(ta, tb, "sip:bob@127.0.0.1:18151");
    assert.equal(call.state, "confirmed");
    assert.match(uas.remoteSdp ?? "", /m=audio 20000/);
    call.bye();
    await eventually(() => (uas.state === "terminated" ? true : undefined), 3000);
    assert.equal(uas.terminationReason, "remote-bye");
  } finally {
    await ta.close();
    await tb.close();
  }
});

test("over real TCP sockets (127.0.0.1:18152-18153, real clock): Contact and Via say TCP, in-dialog requests reuse the connection", async () => {
  const ta = await TcpTransport.open({ port: 18152 });
  const tb = await TcpTransport.open({ port: 18153 });
  try {
    const { call, uas } = await delayedOfferOverSockets(ta, tb, "sip:bob@127.0.0.1:18153;transport=tcp");
    assert.equal(call.state, "confirmed");
    assert.match(uas.remoteSdp ?? "", /m=audio 20000/);
    assert.equal(uas.dialog!.remoteTarget, "sip:alice@127.0.0.1:18152;transport=tcp");
    assert.equal(ta.connectionCount, 1);
    call.bye();
    await eventually(() => (uas.state === "terminated" ? true : undefined), 3000);
    assert.equal(uas.terminationReason, "remote-bye");
    assert.equal(ta.connectionCount, 1, "the BYE went over the same connection");
  } finally {
    await ta.close();
    await tb.close();
  }
});

test("RFC 3261 §17.1.4: an INVITE whose TCP connection is refused fails at once with 503, not after Timer B", () => {
  const { clock, net, alice } = pair();
  net.refuseUnbound();
  const log: string[] = [];
  const call = alice.invite({
    target: "sip:carol@10.0.0.3",
    from: "<sip:alice@10.0.0.1>",
    sdp: OFFER_A,
    nextHop: { host: "10.0.0.3", port: 5060, transport: "tcp" },
  });
  watch(call, log, "A:");
  clock.advance(0);
  assert.deepEqual(log, ["A:failure 503", "A:terminated failed"]);
  clock.advance(64_000);
  assert.equal(alice.sessionCount + alice.dialogCount, 0);
  assert.equal(alice.transactions.size, 0);
});
