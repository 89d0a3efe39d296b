/** RFC 3262 reliable provisional responses, end to end over the fake network. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader } from "../../src/wire/sip/index.ts";
import type { SipMessage } from "../../src/wire/sip/index.ts";
import { RSeqTracker, parseRAck } from "../../src/dialog/index.ts";
import type { InviteSession } from "../../src/dialog/index.ts";
import type { UaOverrides } from "./helpers.ts";
import { ANSWER_B, BOB, OFFER_A, isMethod, ladder, pair, portOf, sdp, watch } from "./helpers.ts";

function setup(onInvite: (s: InviteSession) => void, offer: string | null = OFFER_A, a: UaOverrides = {}) {
  const env = pair({ sessionTimer: null, ...a }, { sessionTimer: null });
  const log: string[] = [];
  env.bob.onInvite = (s) => {
    watch(s, log, "B:");
    onInvite(s);
  };
  const uac = env.alice.invite({
    target: "sip:bob@10.0.0.2",
    from: "<sip:alice@10.0.0.1>",
    sdp: offer,
    nextHop: { ...BOB, transport: "udp" },
  });
  watch(uac, log, "A:");
  return { ...env, uac, log };
}

const statusIs = (status: number) => (m: SipMessage) => m.kind === "response" && m.status === status;

test("RFC 3262 §3-§4: a reliable 183 carries Require: 100rel and RSeq; the PRACK's RAck names it; the answer in it completes offer/answer", () => {
  let bob: InviteSession | null = null;
  const { clock, net, uac, log } = setup((s) => {
    bob = s;
    s.progress(183, { sdp: ANSWER_B, reliable: true });
  });
  clock.advance(0);
  assert.deepEqual(ladder(net), ["INVITE", "183 INVITE", "PRACK", "200 PRACK"]);
  const [invite, p183, prack] = net.delivered().map((r) => r.message!);
  assert.match(getHeader(invite!, "supported")!, /100rel/);
  assert.equal(getHeader(p183!, "require"), "100rel");
  const rseq = Number(getHeader(p183!, "rseq"));
  assert.ok(rseq >= 1 && rseq < 2 ** 31);
  const inviteSeq = Number(getHeader(invite!, "cseq")!.split(" ")[0]);
  assert.deepEqual(parseRAck(getHeader(prack!, "rack")), { rseq, cseq: inviteSeq, method: "INVITE" });
  assert.equal(
    Number(getHeader(prack!, "cseq")!.split(" ")[0]),
    inviteSeq + 1,
    "PRACK is a new request in the early dialog",
  );
  assert.equal(uac.state, "early");
  assert.equal(uac.offerAnswerState, "stable", "the answer in the reliable 1xx completes the exchange");
  assert.ok(log.includes("A:answer 30000"));
  bob!.accept();
  clock.advance(0);
  assert.equal(uac.state, "confirmed");
  assert.equal(
    net.delivered(statusIs(200)).filter((r) => getHeader(r.message!, "cseq")!.endsWith("INVITE")).length,
    1,
  );
});

test("RFC 3262 §3: an unacknowledged reliable 1xx is retransmitted at T1, 2*T1, 4*T1 ... and after 64*T1 the INVITE is rejected with a 5xx", () => {
  const { clock, net, uac, log } = setup((s) => s.progress(183, { sdp: ANSWER_B, reliable: true }));
  net.dropWhen(isMethod("PRACK"));
  clock.advance(0);
  clock.advance(40_000);
  const times = net.log
    .filter((r) => r.message?.kind === "response" && r.message.status === 183)
    .map((r) => r.atMs);
  assert.deepEqual(times, [0, 500, 1500, 3500, 7500, 15500, 31500]);
  const final = net.log.filter((r) => r.message?.kind === "response" && r.message.status >= 500);
  assert.deepEqual(
    final.map((r) => [r.atMs, r.message!.kind === "response" && r.message!.status]),
    [[32000, 500]],
  );
  assert.ok(log.includes("A:failure 500"));
  assert.ok(log.includes("B:terminated prack-timeout"));
  assert.equal(uac.state, "terminated");
});

test("RFC 3262 §5: an offer in a reliable 1xx (INVITE without SDP) is answered in the PRACK", () => {
  let bob: InviteSession | null = null;
  const { clock, net, uac, log } = setup((s) => {
    bob = s;
    s.progress(183, { sdp: sdp(30000), reliable: true });
  }, null);
  uac.handlers.onOffer = (o) => {
    log.push(`A:offer ${o.site}`);
    o.accept(sdp(20000));
  };
  clock.advance(0);
  const prack = net.delivered((m) => m.kind === "request" && m.method === "PRACK")[0]!.message!;
  assert.equal(portOf(prack.body.toString()), 20000);
  assert.ok(log.includes("A:offer reliable-1xx"));
  assert.ok(log.includes("B:answer 20000"));
  assert.equal(bob!.offerAnswerState, "stable");
  bob!.accept();
  clock.advance(0);
  const ok = net.delivered(
    (m) => m.kind === "response" && m.status === 200 && getHeader(m, "cseq")!.endsWith("INVITE"),
  )[0]!;
  assert.equal(ok.message!.body.length, 0, "offer/answer is done: no SDP needed in the 2xx");
  assert.equal(uac.state, "confirmed");
});

test("RFC 3262 §3: one reliable 1xx outstanding at a time; the next has RSeq + 1 and waits for the PRACK", () => {
  const { clock, net } = setup((s) => {
    s.progress(180, { reliable: true });
    s.progress(183, { sdp: ANSWER_B, reliable: true });
  });
  let firstPrack = true;
  net.dropWhen((r) => isMethod("PRACK")(r) && firstPrack && !(firstPrack = false));
  clock.advance(0);
  assert.deepEqual(ladder(net), ["INVITE", "180 INVITE", "PRACK (lost)"]);
  clock.advance(500); // Alice's PRACK transaction retransmits (Timer E); Bob's 180 is retransmitted too
  const p180 = net.delivered(statusIs(180))[0]!.message!;
  const p183 = net.delivered(statusIs(183))[0]!.message!;
  assert.equal(Number(getHeader(p183, "rseq")), Number(getHeader(p180, "rseq")) + 1);
  const firstP183 = net.log.findIndex((r) => r.message?.kind === "response" && r.message.status === 183);
  const delivered = net.log.findIndex((r) => isMethod("PRACK")(r) && !r.dropped);
  assert.ok(delivered < firstP183, "the 183 leaves only after a PRACK for the 180 arrived");
});

test("RFC 3262 §3: a 2xx waits until the reliable 1xx that carried SDP is PRACKed", () => {
  const { clock, net, uac } = setup((s) => {
    s.progress(183, { sdp: ANSWER_B, reliable: true });
    s.accept();
  });
  let n = 0;
  net.dropWhen((r) => isMethod("PRACK")(r) && n++ === 0);
  clock.advance(0);
  assert.equal(net.delivered((m) => m.kind === "response" && m.status === 200).length, 0);
  clock.advance(500);
  const oks = net.log
    .filter((r) => r.message?.kind === "response" && r.message.status === 200)
    .map((r) => [r.atMs, getHeader(r.message!, "cseq")!.split(" ")[1]]);
  assert.deepEqual(oks, [
    [500, "PRACK"],
    [500, "INVITE"],
  ]);
  assert.equal(uac.state, "confirmed");
});

test("RFC 3262 §3: a PRACK that matches no unacknowledged reliable 1xx gets 481", () => {
  const { clock, net } = setup((s) => s.progress(183, { sdp: ANSWER_B, reliable: true }));
  clock.advance(0);
  const prack = net.log.filter(isMethod("PRACK"))[0]!;
  const text = prack.bytes
    .toString()
    .replace(/RAck: (\d+)/, (_m, n: string) => `RAck: ${Number(n) + 7}`)
    .replace(/CSeq: (\d+) PRACK/, (_m, n: string) => `CSeq: ${Number(n) + 1} PRACK`)
    .replace(/branch=[^;\r\n]+/, "branch=z9hG4bKstale");
  net.carry(prack.from, prack.to, Buffer.from(text));
  clock.advance(0);
  assert.equal(net.delivered(statusIs(481)).length, 1);
});

test("RFC 3262 §3: with Require: 100rel from the UAC every 1xx is sent reliably", () => {
  const { clock, net } = setup((s) => s.progress(180), OFFER_A, { prack: "required" });
  clock.advance(0);
  const invite = net.delivered((m) => m.kind === "request" && m.method === "INVITE")[0]!.message!;
  assert.equal(getHeader(invite, "require"), "100rel");
  const p180 = net.delivered(statusIs(180))[0]!.message!;
  assert.equal(getHeader(p180, "require"), "100rel");
  assert.equal(net.delivered((m) => m.kind === "request" && m.method === "PRACK").length, 1);
});

test("RFC 3262 §4: RSeq ordering for the UAC: in order, retransmission, gap", () => {
  const t = new RSeqTracker();
  assert.deepEqual(
    [t.accept(40), t.accept(40), t.accept(41), t.accept(43), t.accept(39)],
    ["new", "retransmission", "new", "out-of-order", "retransmission"],
  );
});
