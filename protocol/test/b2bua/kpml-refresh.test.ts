/**
 * Our kpml subscription (RFC 4730 over RFC 6665) lives as long as the call: refreshed before the
 * granted Expires runs out (the smaller of 90 % and Expires − 5 s), re-armed by a NOTIFY's
 * expires, ended by a refresh answered 481 (no crash, the call goes on), and stopped with the call.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader } from "../../src/wire/sip/index.ts";
import type { SipRequest } from "../../src/wire/sip/index.ts";
import { header } from "../../src/dialog/index.ts";
import type { InviteSession, ReplyOptions } from "../../src/dialog/index.ts";
import { kpmlRefreshDelayMs } from "../../src/b2bua/index.ts";
import {
  ALL_TIMERS_MS,
  CALLEE,
  CLEAN,
  FROM,
  isRequest,
  leftovers,
  sdp,
  settle,
  TARGET,
  to,
  world,
} from "./helpers.ts";

test("RFC 6665 §4.1.2.2: the refresh time is min(90 %, Expires − 5 s), never before half of Expires", () => {
  assert.equal(kpmlRefreshDelayMs(7200), 6_480_000);
  assert.equal(kpmlRefreshDelayMs(120), 108_000);
  assert.equal(kpmlRefreshDelayMs(60), 54_000);
  assert.equal(kpmlRefreshDelayMs(30), 25_000);
  assert.equal(kpmlRefreshDelayMs(8), 4_000);
  assert.equal(kpmlRefreshDelayMs(1), 500);
});

/** A call whose callee advertises kpml, has no telephone-event, and answers SUBSCRIBEs with `answer`. */
async function kpmlCall(answer: (n: number) => { status: number; expiresS?: number }) {
  const w = world();
  const bs: InviteSession[] = [];
  const subscribes: SipRequest[] = [];
  w.callee.onInvite = (s) => {
    bs.push(s);
    s.handlers = {
      onRequest: (r: SipRequest, reply: (status: number, opts?: ReplyOptions) => void) => {
        if (r.method !== "SUBSCRIBE") return reply(200);
        subscribes.push(r);
        const { status, expiresS } = answer(subscribes.length);
        reply(status, { headers: expiresS === undefined ? [] : [header("expires", String(expiresS))] });
      },
    };
    s.accept({
      sdp: sdp({ fmts: [0], te: null, address: "10.3.3.3" }),
      headers: [header("allow-events", "kpml")],
    });
  };
  const a = w.caller.invite({ target: TARGET, from: FROM, sdp: sdp({ fmts: [0, 8], te: 101 }) });
  await settle(w.clock);
  assert.equal(a.state, "confirmed");
  assert.equal(subscribes.length, 1, "we subscribe once the call is up");
  const startMs = w.clock.now();
  const at = async (ms: number) => {
    w.clock.advanceTo(startMs + ms);
    await settle(w.clock, 3);
  };
  return { w, a, b: bs[0]!, subscribes, at };
}

test("the subscription is refreshed at min(90 %, Expires − 5 s) of what the 200 granted, each time again", async () => {
  const { w, a, subscribes, at } = await kpmlCall(() => ({ status: 200, expiresS: 60 }));
  await at(53_900);
  assert.equal(subscribes.length, 1, "not before 54 s");
  await at(54_000);
  assert.equal(subscribes.length, 2, "refreshed at 54 s");
  const refresh = subscribes[1]!;
  assert.equal(getHeader(refresh, "event"), "kpml");
  assert.equal(getHeader(refresh, "call-id"), getHeader(subscribes[0]!, "call-id"), "in the same dialog");
  assert.match(refresh.body.toString(), /<kpml-request/);
  await at(108_000);
  assert.equal(subscribes.length, 3, "the refresh's 200 re-armed the timer");
  a.bye();
  await settle(w.clock);
  w.clock.advance(10 * 3_600_000);
  assert.equal(subscribes.length, 4, "no refresh after the call ended, only the unsubscribe");
  assert.equal(getHeader(subscribes[3]!, "expires"), "0");
  assert.deepEqual(leftovers(w), CLEAN);
  assert.equal(w.clock.pendingCount(), 0, "no refresh timer left");
});

test("without Expires in the 200 the requested 7200 s holds: the refresh goes out at 6480 s", async () => {
  const { subscribes, at } = await kpmlCall(() => ({ status: 200 }));
  await at(6_479_000);
  assert.equal(subscribes.length, 1);
  await at(6_480_000);
  assert.equal(subscribes.length, 2);
});

test("RFC 6665 §4.1.3: a NOTIFY's active;expires re-arms the refresh", async () => {
  const { w, b, subscribes, at } = await kpmlCall(() => ({ status: 200, expiresS: 60 }));
  await at(10_000);
  b.request("NOTIFY", {
    headers: [header("event", "kpml"), header("subscription-state", "active;expires=20")],
  });
  await settle(w.clock, 3);
  await at(10_000 + 14_900);
  assert.equal(subscribes.length, 1);
  await at(10_000 + 15_000); // min(18, 15) after the NOTIFY
  assert.equal(subscribes.length, 2);
});

test("RFC 6665 §4.1.2.2: a refresh answered 481 ends the subscription, not the call; no more refreshes", async () => {
  const { w, a, b, subscribes, at } = await kpmlCall((n) =>
    n === 1 ? { status: 200, expiresS: 60 } : { status: 481 },
  );
  await at(54_000);
  assert.equal(subscribes.length, 2);
  await at(10 * 3_600_000);
  assert.equal(subscribes.length, 2, "the subscription is gone: nothing to refresh");
  assert.equal(a.state, "confirmed");
  assert.equal(b.state, "confirmed");
  assert.ok(w.events.some((e) => e.kind === "note" && /kpml subscription ended.*481/.test(e.message)));
  a.bye();
  await settle(w.clock);
  w.clock.advance(ALL_TIMERS_MS);
  assert.deepEqual(leftovers(w), CLEAN);
  assert.equal(to(w.net, CALLEE.host, isRequest("BYE")).length, 1);
});

test("RFC 6665 §4.1.2.2: a refresh failing otherwise (500) keeps the subscription and retries halfway to its expiry", async () => {
  const { subscribes, at } = await kpmlCall((n) =>
    n === 1 ? { status: 200, expiresS: 600 } : n === 2 ? { status: 500 } : { status: 200, expiresS: 600 },
  );
  await at(540_000);
  assert.equal(subscribes.length, 2, "refresh at 540 s, answered 500");
  await at(569_900);
  assert.equal(subscribes.length, 2);
  await at(570_000); // half of the 60 s left
  assert.equal(subscribes.length, 3);
});
