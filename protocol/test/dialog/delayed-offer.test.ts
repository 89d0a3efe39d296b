/** End to end over the fake network: delayed offer, ACK handling, re-INVITE / UPDATE, hold. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader } from "../../src/wire/sip/index.ts";
import type { IncomingOffer, InviteSession } from "../../src/dialog/index.ts";
import { ALICE, ANSWER_B, BOB, OFFER_A, isMethod, ladder, pair, portOf, sdp, watch } from "./helpers.ts";

const udp = (a: { host: string; port: number }) => ({ ...a, transport: "udp" as const });

function call(withSdp: string | null) {
  const env = pair({ sessionTimer: null }, { sessionTimer: null });
  const log: string[] = [];
  let uas: InviteSession | null = null;
  env.bob.onInvite = (s) => {
    uas = s;
    watch(s, log, "B:");
    s.progress(180);
    s.accept({ sdp: s.uas!.remoteOffer === null ? sdp(30000) : ANSWER_B });
  };
  const uac = env.alice.invite({
    target: "sip:bob@10.0.0.2",
    from: "<sip:alice@10.0.0.1>",
    sdp: withSdp,
    nextHop: udp(BOB),
  });
  watch(uac, log, "A:");
  return { ...env, uac, log, uas: () => uas! };
}

test("RFC 3261 §13.2.1 delayed offer: INVITE without SDP, offer in the 200, answer in the ACK", () => {
  const { clock, net, uac, uas, log } = call(null);
  uac.handlers.onOffer = (o: IncomingOffer) => {
    log.push(`A:offer ${o.site} ${portOf(o.sdp)}`);
    o.accept(sdp(20000));
  };
  clock.advance(0);
  assert.deepEqual(ladder(net), ["INVITE", "180 INVITE", "200 INVITE", "ACK"]);
  const [inv, , ok, ack] = net.delivered();
  assert.equal(inv!.message!.body.length, 0, "no SDP in the INVITE");
  assert.equal(portOf(ok!.message!.body.toString()), 30000, "the offer is in the 200");
  assert.equal(portOf(ack!.message!.body.toString()), 20000, "the answer is in the ACK");
  assert.equal(getHeader(ack!.message!, "content-type"), "application/sdp");
  assert.deepEqual(log, [
    "A:provisional 180",
    "A:offer 2xx 30000",
    "A:confirmed",
    "B:answer 20000",
    "B:confirmed",
  ]);
  for (const s of [uac, uas()]) {
    assert.equal(s.state, "confirmed");
    assert.equal(s.offerAnswerState, "stable");
  }
  assert.equal(portOf(uac.localSdp), 20000);
  assert.equal(portOf(uas().remoteSdp), 20000);
});

test("RFC 3261 §13.2.1: an application that answers later holds the ACK until it does", () => {
  const { clock, net, uac, uas } = call(null);
  let pending: IncomingOffer | null = null;
  uac.handlers.onOffer = (o) => void (pending = o);
  clock.advance(0);
  assert.equal(uac.state, "answered");
  assert.equal(net.delivered((m) => m.kind === "request" && m.method === "ACK").length, 0);
  clock.advance(500); // the UAS retransmits its 2xx meanwhile (RFC 3261 §13.3.1.4)
  assert.equal(net.delivered((m) => m.kind === "response" && m.status === 200).length, 2);
  pending!.accept(sdp(20002));
  clock.advance(0);
  assert.equal(uas().state, "confirmed");
  assert.equal(portOf(uas().remoteSdp), 20002);
});

test("RFC 3261 §13.2.2.4 / §13.3.1.4: a lost ACK makes the UAS retransmit the 2xx, and the UAC answers each with the same ACK", () => {
  const { clock, net, uac, uas } = call(null);
  uac.handlers.onOffer = (o) => o.accept(sdp(20000));
  let dropped = 0;
  net.dropWhen((r) => r.message?.kind === "request" && r.message.method === "ACK" && dropped++ < 2);
  clock.advance(0);
  assert.equal(uas().state, "answered");
  clock.advance(10_000);
  const oks = net.log
    .filter((r) => r.message?.kind === "response" && r.message.status === 200)
    .map((r) => r.atMs);
  const acks = net.log.filter(isMethod("ACK"));
  assert.deepEqual(oks, [0, 500, 1500], "2xx at 0, T1, 3*T1 until the third ACK gets through");
  assert.deepEqual(
    acks.map((r) => [r.atMs, r.dropped]),
    [
      [0, true],
      [500, true],
      [1500, false],
    ],
  );
  assert.ok(
    acks.every((r) => r.bytes.equals(acks[0]!.bytes)),
    "the same ACK each time (one transaction)",
  );
  assert.equal(uas().state, "confirmed");
  assert.equal(portOf(uas().remoteSdp), 20000);
});

test("RFC 3261 §13.3.1.4: no ACK within 64*T1: the UAS ends the session with a BYE", () => {
  const { clock, net, uas } = call(OFFER_A);
  net.dropWhen(isMethod("ACK"));
  clock.advance(0);
  clock.advance(31_999);
  assert.equal(net.log.filter(isMethod("BYE")).length, 0);
  clock.advance(1);
  assert.equal(net.log.filter(isMethod("BYE")).length, 1);
  assert.equal(uas().terminationReason, "ack-timeout");
});

test("RFC 3261 §14 (CUCM mid-call, DOMAIN.md §9.2): a re-INVITE without SDP gets our current SDP as offer in the 2xx; the answer comes in the ACK", () => {
  const { clock, net, uac, uas, log } = call(OFFER_A);
  clock.advance(0);
  log.length = 0;
  assert.ok(uas().reinvite());
  clock.advance(0);
  assert.deepEqual(ladder(net).slice(4), ["INVITE", "200 INVITE", "ACK"]);
  const [reinv, ok] = net.delivered().slice(4);
  assert.equal(reinv!.message!.body.length, 0);
  assert.equal(
    portOf(ok!.message!.body.toString()),
    20000,
    "Alice offers her current SDP (default answerer)",
  );
  assert.equal(uas().offerAnswerState, "stable");
  assert.equal(uac.offerAnswerState, "stable");
  assert.equal(portOf(uac.remoteSdp), 30000, "Bob's default answer is his current SDP");
  assert.ok(log.includes("A:answer 30000"));
});

test("RFC 3264 §8.4: a re-INVITE with a=sendonly is an offer on hold; the answer is recvonly", () => {
  const { clock, uac, uas } = call(OFFER_A);
  clock.advance(0);
  const seen: string[] = [];
  uas().handlers.onOffer = (o) => {
    seen.push(`${o.site} hold=${o.hold.onHold}/${o.hold.method}`);
    o.accept(sdp(30000, "recvonly"));
  };
  assert.ok(uac.reinvite({ sdp: sdp(20000, "sendonly", "10.0.0.9", 2) }));
  clock.advance(0);
  assert.ok(uac.reinvite({ sdp: sdp(20000, "sendrecv", "0.0.0.0", 3) }) === true);
  clock.advance(0);
  assert.deepEqual(seen, ["reinvite hold=true/sendonly", "reinvite hold=true/connection-0.0.0.0"]);
  assert.match(uac.remoteSdp!, /a=recvonly/);
});

test("RFC 3311: UPDATE with an offer is answered in the 200 to the UPDATE; the remote target follows the Contact", () => {
  const { clock, net, uac, uas } = call(OFFER_A);
  clock.advance(0);
  assert.ok(uac.update({ sdp: sdp(22222, "sendrecv", "10.0.0.9", 2) }));
  clock.advance(0);
  assert.deepEqual(ladder(net).slice(4), ["UPDATE", "200 UPDATE"]);
  assert.equal(portOf(uas().remoteSdp), 22222);
  assert.equal(portOf(uac.remoteSdp), 30000);
  assert.equal(uac.dialog!.remoteTarget, "sip:bob@10.0.0.2:5060");
});

test("RFC 3261 §12.2.2: an in-dialog request with a lower CSeq than the last gets 500; §15.1.2: BYE gets 200 and ends both sides", () => {
  const { clock, net, uac, uas } = call(OFFER_A);
  clock.advance(0);
  uac.request("INFO", {
    body: { contentType: "application/dtmf-relay", text: "Signal=5\r\nDuration=160\r\n" },
  });
  clock.advance(0);
  // replay an older CSeq: take the INFO's bytes and lower its CSeq by one, new branch
  const info = net.log.filter(isMethod("INFO"))[0]!;
  const seq = Number(/CSeq: (\d+) INFO/.exec(info.bytes.toString())![1]);
  const replay = info.bytes
    .toString()
    .replace(`CSeq: ${seq} INFO`, `CSeq: ${seq - 1} INFO`)
    .replace(/branch=[^;\r\n]+/, "branch=z9hG4bKreplay");
  net.log.length = 0;
  net.carry(udp(ALICE), udp(BOB), Buffer.from(replay));
  clock.advance(0);
  assert.deepEqual(ladder(net), ["INFO", "500 INFO"]);
  uac.bye();
  clock.advance(0);
  assert.deepEqual(ladder(net).slice(2), ["BYE", "200 BYE"]);
  assert.equal(uas().terminationReason, "remote-bye");
  assert.equal(uac.terminationReason, "local-bye");
  clock.advance(64_000);
  assert.equal(clock.pendingCount(), 0, "no timer left behind");
});
