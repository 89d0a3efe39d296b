/**
 * Offer/answer around reliable provisional responses (RFC 3262 §3, §5) and requests crossing or
 * pending at a BYE (RFC 3261 §15.1.2, RFC 5407): what the UAS sends, and that nothing stalls.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader, serializeSip } from "../../src/wire/sip/index.ts";
import { parseSdp } from "../../src/wire/sdp/index.ts";
import { withBody } from "../../src/dialog/sip-fields.ts";
import type { IncomingOffer, InviteSession, PrackPolicy } from "../../src/dialog/index.ts";
import { ANSWER_B, BOB, OFFER_A, ladder, pair, sdp, watch } from "./helpers.ts";

function delayedCall(prack: PrackPolicy, onInvite: (s: InviteSession) => void) {
  const env = pair({ sessionTimer: null, prack }, { sessionTimer: null });
  const log: string[] = [];
  env.bob.onInvite = (s) => {
    watch(s, log, "B:");
    onInvite(s);
  };
  const uac = env.alice.invite({
    target: "sip:bob@10.0.0.2",
    from: "<sip:alice@10.0.0.1>",
    sdp: null,
    nextHop: { ...BOB, transport: "udp" },
  });
  watch(uac, log, "A:");
  return { ...env, uac, log };
}

test("RFC 3262 §3/§5: to a delayed-offer INVITE that requires 100rel, a 1xx without an offer is not sent at all", () => {
  const sent: boolean[] = [];
  const { clock, net } = delayedCall("required", (s) => {
    sent.push(s.progress(180));
  });
  clock.advance(0);
  assert.deepEqual(sent, [false]);
  assert.deepEqual(ladder(net), ["INVITE"], "no 1xx");
});

test("RFC 3262 §5: to a delayed-offer INVITE that only supports 100rel, a 1xx asked reliable without an offer goes unreliably", () => {
  const sent: boolean[] = [];
  const { clock, net } = delayedCall("supported", (s) => {
    sent.push(s.progress(180, { reliable: true }));
  });
  clock.advance(0);
  assert.deepEqual(sent, [true]);
  assert.deepEqual(ladder(net), ["INVITE", "180 INVITE"]);
  const ringing = net.delivered((m) => m.kind === "response" && m.status === 180)[0]!.message!;
  assert.equal(getHeader(ringing, "rseq"), undefined, "no RSeq: not reliable");
  assert.equal(getHeader(ringing, "require"), undefined);
});

test("RFC 3262 §5: a reliable 1xx that carries the offer still goes reliably to a caller requiring 100rel", () => {
  const { clock, net, uac } = delayedCall("required", (s) => {
    s.progress(183, { sdp: OFFER_A });
    s.accept();
  });
  uac.handlers = { ...uac.handlers, onOffer: (o) => o.accept(ANSWER_B) };
  clock.advance(0);
  assert.deepEqual(ladder(net).slice(0, 4), ["INVITE", "183 INVITE", "PRACK", "200 PRACK"]);
  const p183 = net.delivered((m) => m.kind === "response" && m.status === 183)[0]!.message!;
  assert.equal(getHeader(p183, "require"), "100rel");
  assert.equal(uac.state, "confirmed");
});

test("RFC 3262 §5: a PRACK without the answer to the offer in the reliable 1xx gets 200, and the INVITE 488 at once (no stall)", () => {
  const { clock, net, uac, log } = delayedCall("supported", (s) => {
    s.progress(183, { sdp: OFFER_A, reliable: true });
    s.accept(); // waits for the PRACK (RFC 3262 §3)
  });
  // alice refuses the offer; a non-compliant peer's PRACK (ours answers: the next test) arrives
  // without the answer, then its CANCEL is lost, so only the PRACK can move bob's INVITE on
  uac.handlers = { ...uac.handlers, onOffer: (o) => o.reject() };
  net.rewriteWhen((r) =>
    r.message?.kind === "request" && r.message.method === "PRACK"
      ? serializeSip(withBody(r.message, null))
      : null,
  );
  net.dropWhen((r) => r.message?.kind === "request" && r.message.method === "CANCEL");
  clock.advance(0);
  const prack = net.delivered((m) => m.kind === "request" && m.method === "PRACK")[0]!.message!;
  assert.equal(prack.body.length, 0, "the PRACK carries no answer");
  assert.deepEqual(
    ladder(net, (r) => r.message?.kind === "response" && !r.dropped),
    ["183 INVITE", "200 PRACK", "488 INVITE"],
    "no 2xx without an answer, no waiting for 64*T1",
  );
  const rejected = net.delivered((m) => m.kind === "response" && m.status === 488)[0]!.message!;
  assert.match(getHeader(rejected, "warning") ?? "", /^399 .*PRACK/);
  assert.ok(log.includes("B:terminated no-answer"));
  assert.ok(log.includes("A:failure 488"));
  clock.advance(64_000);
  assert.equal(clock.pendingCount(), 0);
});

test("RFC 3262 §5 / RFC 3264 §6: our UAC refusing the offer of a reliable 1xx answers it in the PRACK, every stream at port 0, then CANCELs", () => {
  const { clock, net, uac } = delayedCall("supported", (s) => {
    s.progress(183, { sdp: OFFER_A, reliable: true });
    s.accept();
  });
  uac.handlers = { ...uac.handlers, onOffer: (o) => o.reject() };
  clock.advance(0);
  const prack = net.delivered((m) => m.kind === "request" && m.method === "PRACK")[0]!.message!;
  const answer = parseSdp(prack.body.toString("utf8"));
  assert.ok(answer.ok, "the PRACK carries a valid SDP answer");
  assert.equal(getHeader(prack, "content-type"), "application/sdp");
  const offer = parseSdp(OFFER_A);
  assert.ok(offer.ok);
  assert.equal(answer.sdp.media.length, offer.sdp.media.length, "as many m-lines as the offer");
  answer.sdp.media.forEach((m, i) => {
    assert.equal(m.port, 0, "stream refused");
    assert.equal(m.type, offer.sdp.media[i]!.type);
    assert.equal(m.proto, offer.sdp.media[i]!.proto);
    assert.equal(m.formats.length, 1, "one format kept (SDP needs one)");
  });
  assert.equal(answer.sdp.origin?.address, "10.0.0.1", "o= names alice, not the offerer");
  // bob's accept() was waiting for the PRACK: its 200 crosses alice's CANCEL, so alice ACKs and
  // ends the call with BYE (RFC 3261 §9.1: a CANCEL that loses the race to a 2xx)
  assert.deepEqual(
    ladder(net, (r) => r.message?.kind === "request"),
    ["INVITE", "PRACK", "CANCEL", "ACK", "BYE"],
  );
  clock.advance(64_000);
  assert.equal(clock.pendingCount(), 0);
});

test("RFC 3261 §13.2.2.4: our UAC refusing the offer in a 2xx answers it in the ACK, every stream at port 0, then sends BYE", () => {
  const { clock, net, uac, log } = delayedCall("off", (s) => {
    s.accept({ sdp: OFFER_A });
  });
  uac.handlers = { ...uac.handlers, onOffer: (o) => o.reject() };
  clock.advance(0);
  const ack = net.delivered((m) => m.kind === "request" && m.method === "ACK")[0]!.message!;
  const answer = parseSdp(ack.body.toString("utf8"));
  assert.ok(answer.ok, "the ACK carries a valid SDP answer");
  assert.ok(answer.sdp.media.length > 0 && answer.sdp.media.every((m) => m.port === 0));
  assert.deepEqual(
    ladder(net, (r) => r.message?.kind === "request"),
    ["INVITE", "ACK", "BYE"],
  );
  assert.ok(log.includes("A:terminated offer-refused"), log.join(", "));
  clock.advance(64_000);
  assert.equal(clock.pendingCount(), 0);
});

test("RFC 3261 §15.1.2: a re-INVITE still unanswered when the BYE arrives gets 487", () => {
  const { clock, net, alice, bob } = pair({ sessionTimer: null }, { sessionTimer: null });
  let held: IncomingOffer | null = null;
  let bs: InviteSession | null = null;
  bob.onInvite = (s) => {
    bs = s;
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
  const results: number[] = [];
  call.handlers = { onRefreshResult: (_m, st) => void results.push(st) };
  call.reinvite({ sdp: sdp(20000, "sendonly", "10.0.0.9", 2) });
  clock.advance(0);
  assert.ok(held !== null);
  (bs as InviteSession | null)!.bye();
  clock.advance(0);
  const order = ladder(net).slice(-4);
  assert.deepEqual(
    order,
    ["487 INVITE", "BYE", "ACK", "200 BYE"],
    "bob answers its pending re-INVITE, then BYEs",
  );
  (held as IncomingOffer).accept(sdp(30000, "recvonly", "10.0.0.9", 2));
  clock.advance(0);
  assert.equal(
    net.delivered((m) => m.kind === "response" && m.status === 200).length,
    2,
    "the INVITE's and the BYE's: no late 2xx",
  );
  clock.advance(64_000);
  assert.equal(alice.transactions.size + bob.transactions.size, 0);
  assert.equal(clock.pendingCount(), 0);
});

test("RFC 5407 §3.2.2: a re-INVITE crossing our BYE finds the dialog ended: 481, and both sides end cleanly", () => {
  const { clock, net, alice, bob } = pair({ sessionTimer: null }, { sessionTimer: null });
  let bs: InviteSession | null = null;
  bob.onInvite = (s) => {
    bs = s;
    s.accept({ sdp: ANSWER_B });
  };
  const call = alice.invite({
    target: "sip:bob@10.0.0.2",
    from: "<sip:alice@10.0.0.1>",
    sdp: OFFER_A,
    nextHop: { ...BOB, transport: "udp" },
  });
  clock.advance(0);
  const b = bs as InviteSession | null;
  call.bye();
  b!.reinvite({ sdp: sdp(30000, "sendonly", "10.0.0.9", 2) }); // in flight when the BYE arrives
  clock.advance(0);
  const r = net.delivered((m) => m.kind === "response" && getHeader(m, "cseq")!.endsWith("INVITE"));
  assert.deepEqual(r.map((x) => (x.message!.kind === "response" ? x.message!.status : 0)).slice(-1), [481]);
  assert.equal(call.state, "terminated");
  assert.equal(b!.state, "terminated");
  clock.advance(64_000);
  assert.equal(alice.transactions.size + bob.transactions.size, 0);
  assert.equal(clock.pendingCount(), 0);
});
