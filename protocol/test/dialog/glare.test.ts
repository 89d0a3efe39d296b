/** RFC 3261 §14.1-§14.2 and RFC 3311 §5 glare, end to end over the fake network. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { InviteSession } from "../../src/dialog/index.ts";
import { ANSWER_B, BOB, OFFER_A, isMethod, pair, portOf, sdp, watch } from "./helpers.ts";

function established() {
  const env = pair({ sessionTimer: null }, { sessionTimer: null });
  let uas: InviteSession | null = null;
  env.bob.onInvite = (s) => {
    uas = s;
    s.accept({ sdp: ANSWER_B });
  };
  const uac = env.alice.invite({
    target: "sip:bob@10.0.0.2",
    from: "<sip:alice@10.0.0.1>",
    sdp: OFFER_A,
    nextHop: { ...BOB, transport: "udp" },
  });
  env.clock.advance(0);
  env.net.log.length = 0;
  return { ...env, uac, uas: uas! };
}

test("RFC 3261 §14.2: crossing re-INVITEs both get 491; §14.1: the non-owner of the Call-ID retries within 0-2 s, the owner within 2.1-4 s, and both succeed", () => {
  const { clock, net, uac, uas } = established();
  const log: string[] = [];
  watch(uac, log, "A:");
  watch(uas, log, "B:");
  assert.ok(uac.reinvite({ sdp: sdp(20000, "sendonly", "10.0.0.9", 2) }));
  assert.ok(uas.reinvite({ sdp: sdp(30000, "sendonly", "10.0.0.9", 2) }));
  assert.equal(uac.reinvite({ sdp: sdp(1, "sendrecv") }), false, "no second re-INVITE while one is pending");
  clock.advance(0);
  const statuses = net
    .delivered((m) => m.kind === "response")
    .map((r) => (r.message!.kind === "response" ? r.message!.status : 0));
  assert.deepEqual(statuses, [491, 491]);
  assert.equal(uac.offerAnswerState, "stable", "the rejected offer is rolled back (RFC 6337 §3.1)");
  clock.advance(10_000);
  const invites = net.log.filter(isMethod("INVITE"));
  assert.equal(invites.length, 4);
  const [, , first, second] = invites;
  const fromBob = (r: typeof first) => r!.from.host === "10.0.0.2";
  assert.ok(fromBob(first) && !fromBob(second), "Bob (not the Call-ID owner) retries first");
  assert.ok(first!.atMs >= 0 && first!.atMs <= 2000, `Bob retried at ${first!.atMs} ms`);
  assert.ok(second!.atMs >= 2100 && second!.atMs <= 4000, `Alice retried at ${second!.atMs} ms`);
  assert.equal(first!.atMs % 10, 0);
  assert.equal(second!.atMs % 10, 0);
  assert.deepEqual(
    log.filter((l) => l.includes("refresh")),
    ["B:refresh INVITE 200", "A:refresh INVITE 200"],
  );
  assert.equal(uac.offerAnswerState, "stable");
  assert.equal(uas.offerAnswerState, "stable");
  assert.equal(portOf(uac.localSdp), 20000);
});

test("RFC 3311 §5.2: an UPDATE with an offer while ours is outstanding gets 491; the retry then succeeds", () => {
  const { clock, net, uac, uas } = established();
  let answered = 0;
  uas.handlers.onOffer = (o) => {
    answered++;
    o.accept(sdp(30000, "sendrecv", "10.0.0.9", 5));
  };
  uac.handlers.onOffer = (o) => o.accept(sdp(20000, "sendrecv", "10.0.0.9", 5));
  assert.ok(uac.update({ sdp: sdp(20000, "sendrecv", "10.0.0.9", 3) }));
  assert.ok(uas.update({ sdp: sdp(30000, "sendrecv", "10.0.0.9", 3) }));
  clock.advance(0);
  assert.equal(net.delivered((m) => m.kind === "response" && m.status === 491).length, 2);
  clock.advance(5000);
  assert.equal(net.delivered((m) => m.kind === "response" && m.status === 200).length, 2);
  assert.ok(answered >= 1);
});

test("RFC 3261 §14.2: a re-INVITE received while our earlier re-INVITE from the peer is unanswered gets 500 with Retry-After", () => {
  const { clock, net, uac, uas } = established();
  let held: { accept(s: string): void } | null = null;
  uas.handlers.onOffer = (o) => void (held = o);
  assert.ok(uac.reinvite({ sdp: sdp(20000, "sendonly", "10.0.0.9", 2) }));
  clock.advance(0);
  // a second re-INVITE from Alice is not allowed by her own stack, so inject one as the peer would
  const first = net.log.filter(isMethod("INVITE"))[0]!;
  const text = first.bytes
    .toString()
    .replace(/CSeq: (\d+) INVITE/, (_m, n: string) => `CSeq: ${Number(n) + 1} INVITE`)
    .replace(/branch=[^;\r\n]+/, "branch=z9hG4bKsecond");
  net.carry(first.from, first.to, Buffer.from(text));
  clock.advance(0);
  const r500 = net.delivered((m) => m.kind === "response" && m.status === 500);
  assert.equal(r500.length, 1);
  assert.match(r500[0]!.bytes.toString(), /Retry-After: (10|[0-9])\r\n/);
  held!.accept(sdp(30000, "recvonly", "10.0.0.9", 2));
  clock.advance(0);
  assert.equal(uac.offerAnswerState, "stable");
});
