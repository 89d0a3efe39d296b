/**
 * A caller that sent no offer (delayed offer) and does 100rel (RFC 3262 §3, §5): the first reliable
 * 1xx it gets must carry an offer, so leg b's codec goes to it in that 1xx once known; a 1xx we
 * cannot put an offer in goes unreliably (100rel supported) or not at all (100rel required). A
 * PRACK from it without the answer ends the call at once instead of stalling it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader, serializeSip } from "../../src/wire/sip/index.ts";
import { withBody } from "../../src/dialog/sip-fields.ts";
import type { SipMessage } from "../../src/wire/sip/index.ts";
import type { InviteSession } from "../../src/dialog/index.ts";
import {
  ALL_TIMERS_MS,
  B2B,
  CALLEE,
  CALLER,
  CLEAN,
  FROM,
  isRequest,
  isStatus,
  leftovers,
  sdp,
  settle,
  TARGET,
  to,
  world,
} from "./helpers.ts";

const isReliable = (m: SipMessage) =>
  m.kind === "response" && m.status > 100 && m.status < 200 && getHeader(m, "rseq") !== undefined;
const B_ANSWER = sdp({ fmts: [8], te: 96, address: "10.3.3.3", port: 30000 });

/** The callee rings (no SDP), then answers our offer in a reliable 183, then accepts. */
function calleeRingsThenAnswersIn183(w: ReturnType<typeof world>): InviteSession[] {
  const bs: InviteSession[] = [];
  w.callee.onInvite = (s) => {
    bs.push(s);
    s.progress(180);
    s.progress(183, { sdp: B_ANSWER, reliable: true });
    s.accept({ sdp: B_ANSWER });
  };
  return bs;
}

for (const prack of ["required", "supported"] as const) {
  test(`RFC 3262 §5, caller without offer (100rel ${prack}): leg b's codec is offered in the first reliable 1xx, answered in its PRACK`, async () => {
    const w = world({ caller: { prack } });
    const bs = calleeRingsThenAnswersIn183(w);
    const a = w.caller.invite({ target: TARGET, from: FROM, sdp: null });
    const sites: string[] = [];
    a.handlers = {
      onOffer: (o) => {
        sites.push(o.site);
        o.accept(sdp({ fmts: [8], te: 101, port: 24000 }));
      },
    };
    await settle(w.clock);
    assert.equal(a.state, "confirmed");
    assert.equal(bs[0]!.state, "confirmed");
    const reliable = to(w.net, CALLER.host, isReliable);
    assert.ok(reliable.length >= 1, "a reliable 1xx reached the caller");
    assert.ok(
      reliable[0]!.body.length > 0 && /m=audio \d+ RTP\/AVP 8 /.test(reliable[0]!.body.toString()),
      "the first reliable 1xx carries the offer: leg b's codec (PCMA) alone",
    );
    assert.deepEqual(sites, ["reliable-1xx"]);
    const prackA = to(w.net, B2B.host, isRequest("PRACK"))[0]!;
    assert.ok(prackA.body.length > 0, "the caller's answer is in its PRACK");
    assert.equal(to(w.net, CALLER.host, isStatus(200, "INVITE"))[0]!.body.length, 0, "no SDP in the 2xx");
    if (prack === "required")
      assert.equal(to(w.net, CALLER.host, isStatus(180)).length, 0, "the 180 had no offer to carry");
    else
      assert.ok(
        to(w.net, CALLER.host, isStatus(180)).every((r) => getHeader(r, "rseq") === undefined),
        "the 180 without offer went unreliably",
      );
    assert.deepEqual(w.medias[0]!.remotes.a, { address: "10.9.9.9", port: 24000 });
    a.bye();
    await settle(w.clock);
    w.clock.advance(ALL_TIMERS_MS);
    assert.deepEqual(leftovers(w), CLEAN);
  });
}

test("RFC 3262 §5: a caller's PRACK without the answer to leg b's offer (in our reliable 183) ends the call at once: 488 to a, leg b cancelled", async () => {
  const w = world({ legB: { delayedOffer: true } });
  w.callee.onInvite = (s) => {
    s.progress(183, { sdp: sdp({ fmts: [8, 0], te: 97, address: "10.3.3.3" }), reliable: true });
    s.accept();
  };
  const a = w.caller.invite({ target: TARGET, from: FROM, sdp: null });
  let failure: number | null = null;
  a.handlers = { onOffer: (o) => o.reject(), onFailure: (st) => void (failure = st) };
  // a non-compliant caller: its PRACK comes without the answer (ours refuses with port 0: next
  // test), and its own CANCEL is lost, so only the PRACK moves things on
  w.net.rewriteWhen((r) =>
    r.from.host === CALLER.host && r.message?.kind === "request" && r.message.method === "PRACK"
      ? serializeSip(withBody(r.message, null))
      : null,
  );
  w.net.dropWhen(
    (r) => r.from.host === CALLER.host && r.message?.kind === "request" && r.message.method === "CANCEL",
  );
  await settle(w.clock);
  assert.equal(to(w.net, B2B.host, isRequest("PRACK"))[0]!.body.length, 0);
  assert.equal(to(w.net, CALLER.host, isStatus(200, "PRACK")).length, 1, "the PRACK is acknowledged");
  assert.equal(failure, 488, "a final response at once, not after 64*T1");
  assert.equal(to(w.net, CALLEE.host, isRequest("CANCEL")).length, 1, "leg b is cancelled");
  w.clock.advance(ALL_TIMERS_MS);
  assert.deepEqual(leftovers(w), CLEAN);
  assert.equal(w.clock.pendingCount(), 0);
});

test("RFC 3262 §5 / RFC 3264 §6: a caller that refuses leg b's offer (every stream at port 0 in its PRACK, then CANCEL) ends the call: leg b cancelled, nothing left", async () => {
  const w = world({ legB: { delayedOffer: true } });
  w.callee.onInvite = (s) => {
    s.progress(183, { sdp: sdp({ fmts: [8, 0], te: 97, address: "10.3.3.3" }), reliable: true });
    s.accept();
  };
  const a = w.caller.invite({ target: TARGET, from: FROM, sdp: null });
  let failure: number | null = null;
  a.handlers = { onOffer: (o) => o.reject(), onFailure: (st) => void (failure = st) };
  await settle(w.clock);
  const prack = to(w.net, B2B.host, isRequest("PRACK"))[0]!;
  assert.match(
    prack.body.toString("utf8"),
    /^m=audio 0 RTP\/AVP \d+\r$/m,
    "the refusal is an answer with port 0",
  );
  assert.ok(failure !== null && failure >= 400, `the caller's INVITE fails (${failure})`);
  assert.equal(to(w.net, CALLEE.host, isRequest("CANCEL")).length, 1, "leg b is cancelled");
  w.clock.advance(ALL_TIMERS_MS);
  assert.deepEqual(leftovers(w), CLEAN);
  assert.equal(w.clock.pendingCount(), 0);
});
