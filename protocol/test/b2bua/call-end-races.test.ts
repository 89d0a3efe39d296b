/**
 * What happens at the end of a call besides the BYE: our kpml subscription is ended with
 * SUBSCRIBE Expires: 0 (RFC 6665 §4.1.2.3) in the same instant as the BYE, and a re-INVITE still
 * waiting for the other leg gets 487 (RFC 3261 §15.1.2, RFC 5407) instead of no answer.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader } from "../../src/wire/sip/index.ts";
import type { SipRequest } from "../../src/wire/sip/index.ts";
import { header } from "../../src/dialog/index.ts";
import type { IncomingOffer, InviteSession } from "../../src/dialog/index.ts";
import {
  ALL_TIMERS_MS,
  CALLEE,
  CLEAN,
  describe,
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

async function kpmlCall() {
  const w = world();
  const bs: InviteSession[] = [];
  const subscribes: SipRequest[] = [];
  w.callee.onInvite = (s) => {
    bs.push(s);
    s.handlers = {
      onRequest: (r, reply) => {
        if (r.method === "SUBSCRIBE") subscribes.push(r);
        reply(200, {
          headers: r.method === "SUBSCRIBE" ? [header("expires", getHeader(r, "expires") ?? "0")] : [],
        });
      },
    };
    s.accept({
      sdp: sdp({ fmts: [0], te: null, address: "10.3.3.3" }),
      headers: [header("allow-events", "kpml")],
    });
  };
  const a = w.caller.invite({ target: TARGET, from: FROM, sdp: sdp({ fmts: [0, 8], te: 101 }) });
  await settle(w.clock);
  assert.equal(subscribes.length, 1, "subscribed once the call is up");
  return { w, a, b: bs[0]!, subscribes };
}

test("RFC 6665 §4.1.2.3: the caller hangs up: SUBSCRIBE Expires: 0 on leg b, then the BYE at once; nothing left", async () => {
  const { w, a, subscribes } = await kpmlCall();
  const before = w.net.log.length;
  a.bye();
  w.clock.advance(0); // one instant: the unsubscribe does not hold the BYE back
  const toB = w.net.log
    .slice(before)
    .filter((r) => r.to.host === CALLEE.host && r.message?.kind === "request")
    .map((r) => describe(r.message!));
  assert.deepEqual(toB, ["SUBSCRIBE", "BYE"]);
  assert.equal(subscribes.length, 2);
  assert.equal(getHeader(subscribes[1]!, "expires"), "0");
  assert.equal(getHeader(subscribes[1]!, "event"), "kpml");
  await settle(w.clock);
  w.clock.advance(ALL_TIMERS_MS);
  assert.deepEqual(leftovers(w), CLEAN);
  assert.equal(w.clock.pendingCount(), 0, "no refresh timer left");
});

test("the callee hangs up: its dialog is gone, so no unsubscribe is sent on it", async () => {
  const { w, b, subscribes } = await kpmlCall();
  b.bye();
  await settle(w.clock);
  assert.equal(subscribes.length, 1);
  w.clock.advance(ALL_TIMERS_MS);
  assert.deepEqual(leftovers(w), CLEAN);
  assert.equal(w.clock.pendingCount(), 0);
});

test("RFC 3261 §15.1.2 / RFC 5407: the callee's re-INVITE, held for the caller's answer when the caller hangs up, gets 487 before our BYE", async () => {
  const w = world();
  const bs: InviteSession[] = [];
  w.callee.onInvite = (s) => {
    bs.push(s);
    s.accept({ sdp: sdp({ fmts: [0], te: 96, address: "10.3.3.3" }) });
  };
  const a = w.caller.invite({ target: TARGET, from: FROM, sdp: sdp({ fmts: [0, 8], te: 101 }) });
  let held: IncomingOffer | null = null;
  a.handlers = { onOffer: (o) => void (held = o) };
  await settle(w.clock);
  const b = bs[0]!;
  const results: number[] = [];
  b.handlers = { ...b.handlers, onRefreshResult: (_m, st) => void results.push(st) };
  b.reinvite({ sdp: sdp({ fmts: [0], te: 96, address: "10.3.3.3", direction: "sendonly", version: 2 }) });
  await settle(w.clock);
  assert.ok(held !== null, "relayed to the caller, who has not answered");
  a.bye();
  await settle(w.clock);
  const toB = to(w.net, CALLEE.host).map(describe);
  assert.deepEqual(toB.slice(-2), ["487 INVITE", "BYE"]);
  assert.equal(to(w.net, CALLEE.host, isStatus(487, "INVITE")).length, 1);
  assert.ok(results.length === 0 || results[0] === 487);
  assert.equal(to(w.net, CALLEE.host, isRequest("BYE")).length, 1);
  w.clock.advance(ALL_TIMERS_MS);
  assert.deepEqual(leftovers(w), CLEAN);
  assert.equal(w.clock.pendingCount(), 0);
});
