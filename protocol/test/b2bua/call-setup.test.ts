/**
 * B2BUA call setup and teardown on a fake network with a fake clock: SDP anchored on our RTP ports
 * per leg, codec policy per leg, BYE both ways, CANCEL and its races, 488 + Warning 305, failures
 * reflected, the call cap (503 + Retry-After), OPTIONS, and nothing left behind.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader } from "../../src/wire/sip/index.ts";
import { parseSdp } from "../../src/wire/sdp/index.ts";
import type { InviteSession } from "../../src/dialog/index.ts";
import {
  autoAnswer,
  B2B,
  CALLEE,
  CALLER,
  CLEAN,
  isRequest,
  isStatus,
  ladder,
  leftovers,
  sdp,
  settle,
  to,
  world,
  TARGET,
  FROM,
  ALL_TIMERS_MS,
} from "./helpers.ts";

function audioOf(text: string | null) {
  assert.ok(text !== null);
  const r = parseSdp(text);
  assert.ok(r.ok);
  const m = r.sdp.media[0]!;
  return { sd: r.sdp, m, names: m.rtpmaps.map((x) => `${x.name}/${x.pt}`) };
}

/** Long enough for every transaction timer (Timer D 32 s, Timer K/I T4) to run out. */

test("call setup: leg b gets our offer (a's codecs ∩ policies + telephone-event), leg a gets b's codec anchored on our port", async () => {
  const w = world({ legB: { codecs: ["PCMA", "PCMU"], telephoneEventPt: 110 } });
  autoAnswer(w.callee, () => sdp({ fmts: [8], te: 96, address: "10.3.3.3", port: 30000 }));
  const a = w.caller.invite({
    target: TARGET,
    from: FROM,
    sdp: sdp({ fmts: [0, 8, 18], te: 101, port: 20000 }),
  });
  await settle(w.clock);

  assert.equal(a.state, "confirmed");
  const offerB = audioOf(to(w.net, CALLEE.host, isRequest("INVITE"))[0]!.body.toString());
  // leg b's order (PCMA first), G729 not allowed on leg a's default? it is; b's policy drops it
  assert.deepEqual(offerB.names, ["PCMA/8", "PCMU/0", "telephone-event/110"]);
  assert.equal(offerB.m.connection, "192.0.2.10");
  assert.equal(offerB.m.port, w.medias[0]!.localPort("b"));

  const answerA = audioOf(a.remoteSdp);
  assert.deepEqual(answerA.names, ["PCMA/8", "telephone-event/101"], "b's codec, a's own telephone-event PT");
  assert.equal(answerA.m.connection, "192.0.2.10");
  assert.equal(answerA.m.port, w.medias[0]!.localPort("a"));

  const media = w.medias[0]!;
  assert.deepEqual(media.remotes, {
    a: { address: "10.9.9.9", port: 20000 },
    b: { address: "10.3.3.3", port: 30000 },
  });
  // the relay sends PT 96 to b (what b declared), 101 to a; audio PCMA only
  assert.equal(media.dtmf.b.telephoneEventPt, 96);
  assert.equal(media.dtmf.a.telephoneEventPt, 101);
  assert.equal(media.dtmf.b.egressMethod, "rfc2833");
  assert.deepEqual(media.dtmf.b.ingressAudioPts, [8, 13]);
  assert.ok(media.dtmf.b.ingressTelephoneEventPts?.includes(110), "b may send with the PT we declared");
  // the 180 was relayed
  assert.ok(to(w.net, CALLER.host, isStatus(180)).length === 1);

  a.bye();
  await settle(w.clock);
  assert.deepEqual(ladder(w.net).slice(-4), ["BYE A->X", "200 BYE X->A", "BYE X->B", "200 BYE B->X"]);
  assert.equal(media.closed, true);
  w.clock.advance(ALL_TIMERS_MS);
  assert.deepEqual(leftovers(w), CLEAN);
  assert.equal(w.clock.pendingCount(), 0, "no timer left");
});

test("teardown from the callee: BYE on leg b becomes BYE on leg a", async () => {
  const w = world();
  const bs = autoAnswer(w.callee, () => sdp({ fmts: [0], te: 101 }));
  const a = w.caller.invite({ target: TARGET, from: FROM, sdp: sdp({}) });
  await settle(w.clock);
  assert.equal(a.state, "confirmed");
  bs[0]!.bye();
  await settle(w.clock);
  assert.equal(a.state, "terminated");
  assert.equal(a.terminationReason, "remote-bye");
  w.clock.advance(ALL_TIMERS_MS);
  assert.deepEqual(leftovers(w), CLEAN);
  assert.equal(w.clock.pendingCount(), 0);
});

test("488 with Warning 305 when no codec is common; the next hop never sees an INVITE", async () => {
  const w = world({ legA: { codecs: ["PCMU", "PCMA"] } });
  let failure: number | null = null;
  const a = w.caller.invite({ target: TARGET, from: FROM, sdp: sdp({ fmts: [9, 18], te: 101 }) });
  a.handlers = { onFailure: (st) => void (failure = st) };
  await settle(w.clock);
  assert.equal(failure, 488);
  const r = to(w.net, CALLER.host, isStatus(488))[0]!;
  assert.equal(getHeader(r, "warning"), `305 ${B2B.host} "Incompatible media format"`);
  assert.equal(to(w.net, CALLEE.host).length, 0);
  w.clock.advance(ALL_TIMERS_MS);
  assert.deepEqual(leftovers(w), CLEAN);
});

test("488 when leg b's answer has none of the offered codecs: leg b is ACKed and BYEd", async () => {
  const w = world();
  // the callee answers G722, which we never offered (an RFC 3264 violation)
  autoAnswer(w.callee, () => sdp({ fmts: [9], te: null }));
  let failure: number | null = null;
  const a = w.caller.invite({ target: TARGET, from: FROM, sdp: sdp({ fmts: [0, 8] }) });
  a.handlers = { onFailure: (st) => void (failure = st) };
  await settle(w.clock);
  assert.equal(failure, 488);
  assert.ok(to(w.net, CALLEE.host, isRequest("ACK")).length === 1);
  assert.ok(to(w.net, CALLEE.host, isRequest("BYE")).length === 1);
  w.clock.advance(ALL_TIMERS_MS);
  assert.deepEqual(leftovers(w), CLEAN);
});

test("a failure on leg b is reflected on leg a with its status and Warning", async () => {
  const w = world();
  w.callee.onInvite = (s) => s.reject(486, { reason: "Busy Here" });
  let failure: number | null = null;
  const a = w.caller.invite({ target: TARGET, from: FROM, sdp: sdp({}) });
  a.handlers = { onFailure: (st) => void (failure = st) };
  await settle(w.clock);
  assert.equal(failure, 486);
  w.clock.advance(ALL_TIMERS_MS);
  assert.deepEqual(leftovers(w), CLEAN);
  assert.equal(w.clock.pendingCount(), 0);
});

test("CANCEL from the caller while leg b rings: CANCEL on leg b, 487 both ways, nothing left", async () => {
  const w = world();
  const rung: InviteSession[] = [];
  w.callee.onInvite = (s) => {
    rung.push(s);
    s.progress(180);
  };
  const a = w.caller.invite({ target: TARGET, from: FROM, sdp: sdp({}) });
  await settle(w.clock);
  assert.equal(rung[0]!.state, "early");
  a.cancel();
  await settle(w.clock);
  assert.equal(a.state, "terminated");
  assert.equal(rung[0]!.state, "terminated");
  assert.equal(rung[0]!.terminationReason, "cancelled");
  assert.ok(to(w.net, CALLEE.host, isRequest("CANCEL")).length === 1);
  assert.ok(to(w.net, CALLER.host, isStatus(487)).length >= 1);
  w.clock.advance(ALL_TIMERS_MS);
  assert.deepEqual(leftovers(w), CLEAN);
  assert.equal(w.clock.pendingCount(), 0);
});

test("CANCEL race: the callee's 200 crosses our CANCEL: leg b is ACKed then BYEd, leg a gets 487", async () => {
  const w = world();
  const rung: InviteSession[] = [];
  w.callee.onInvite = (s) => {
    rung.push(s);
    s.progress(180);
  };
  const a = w.caller.invite({ target: TARGET, from: FROM, sdp: sdp({}) });
  await settle(w.clock);
  // the caller's CANCEL and the callee's 200 leave at the same instant
  a.cancel();
  rung[0]!.accept({ sdp: sdp({ fmts: [0] }) });
  await settle(w.clock);
  assert.equal(a.state, "terminated");
  const b = rung[0]!;
  assert.equal(b.state, "terminated");
  assert.ok(to(w.net, CALLEE.host, isRequest("ACK")).length >= 1, "the 2xx is acknowledged");
  assert.ok(to(w.net, CALLEE.host, isRequest("BYE")).length === 1, "then ended");
  assert.equal(to(w.net, CALLER.host, isStatus(200, "INVITE")).length, 0, "the caller never sees a 2xx");
  w.clock.advance(ALL_TIMERS_MS);
  assert.deepEqual(leftovers(w), CLEAN);
  assert.equal(w.clock.pendingCount(), 0);
});

test("CANCEL before leg b answered anything: CANCEL waits for b's 1xx (RFC 3261 §9.1), then everything ends", async () => {
  const w = world();
  const rung: InviteSession[] = [];
  const stop = w.net.dropWhen(
    (r) => r.to.host === CALLEE.host && r.message?.kind === "request" && r.message.method === "INVITE",
  );
  w.callee.onInvite = (s) => {
    rung.push(s);
    s.progress(180);
  };
  const a = w.caller.invite({ target: TARGET, from: FROM, sdp: sdp({}) });
  await settle(w.clock);
  w.clock.advance(250); // our 100 Trying reaches the caller, whose CANCEL may then leave
  await settle(w.clock);
  a.cancel();
  await settle(w.clock);
  assert.equal(a.state, "terminated");
  stop();
  w.clock.advance(500); // Timer A: the INVITE is retransmitted, the callee rings
  await settle(w.clock);
  assert.equal(rung.length, 1);
  assert.equal(rung[0]!.state, "terminated", "CANCEL sent after the 180");
  w.clock.advance(ALL_TIMERS_MS);
  await settle(w.clock);
  assert.deepEqual(leftovers(w), CLEAN);
  assert.equal(w.clock.pendingCount(), 0);
});

test("no answer from the next hop: Timer B, 408 to the caller, nothing left", async () => {
  const w = world();
  w.net.dropWhen((r) => r.to.host === CALLEE.host);
  let failure: number | null = null;
  const a = w.caller.invite({ target: TARGET, from: FROM, sdp: sdp({}) });
  a.handlers = { onFailure: (st) => void (failure = st) };
  await settle(w.clock);
  w.clock.advance(64 * 500);
  await settle(w.clock);
  assert.ok(failure === 408, `caller saw ${failure}`);
  w.clock.advance(ALL_TIMERS_MS);
  assert.deepEqual(leftovers(w), CLEAN);
  assert.equal(w.clock.pendingCount(), 0);
});

test("the call cap: beyond maxCalls an INVITE gets 503 with Retry-After; the first call is untouched", async () => {
  const w = world({ policy: { maxCalls: 1, retryAfterS: 7 } });
  autoAnswer(w.callee, () => sdp({ fmts: [0] }));
  const first = w.caller.invite({ target: TARGET, from: FROM, sdp: sdp({}) });
  await settle(w.clock);
  assert.equal(first.state, "confirmed");
  let failure: number | null = null;
  const second = w.caller.invite({ target: TARGET, from: FROM, sdp: sdp({}) });
  second.handlers = { onFailure: (st) => void (failure = st) };
  await settle(w.clock);
  assert.equal(failure, 503);
  const r = to(w.net, CALLER.host, isStatus(503))[0]!;
  assert.equal(getHeader(r, "retry-after"), "7");
  assert.equal(to(w.net, CALLEE.host, isRequest("INVITE")).length, 1);
  assert.equal(first.state, "confirmed");
  first.bye();
  await settle(w.clock);
  w.clock.advance(ALL_TIMERS_MS);
  assert.deepEqual(leftovers(w), CLEAN);
});

test("OPTIONS is answered 200 with Allow and Allow-Events", async () => {
  const w = world();
  let got: number | null = null;
  w.caller.request({ method: "OPTIONS", target: TARGET, from: FROM }, (r) => void (got = r?.status ?? null));
  await settle(w.clock);
  assert.equal(got, 200);
  const r = to(w.net, CALLER.host, isStatus(200, "OPTIONS"))[0]!;
  assert.match(getHeader(r, "allow") ?? "", /SUBSCRIBE/);
  assert.match(getHeader(r, "allow-events") ?? "", /kpml/);
});

test("shutdown: BYE on every answered call, CANCEL on the ringing one; resolves when all have ended", async () => {
  const w = world();
  const sessions: InviteSession[] = [];
  let ring = false;
  w.callee.onInvite = (s) => {
    sessions.push(s);
    s.progress(180);
    if (!ring) s.accept({ sdp: sdp({ fmts: [0] }) });
    ring = true;
  };
  const answered = w.caller.invite({ target: TARGET, from: FROM, sdp: sdp({}) });
  await settle(w.clock);
  const ringing = w.caller.invite({ target: TARGET, from: FROM, sdp: sdp({}) });
  await settle(w.clock);
  assert.equal(w.b2bua.callCount, 2);
  const done = w.b2bua.shutdown(5000);
  await settle(w.clock);
  assert.equal(await done, true);
  assert.equal(answered.state, "terminated");
  assert.equal(ringing.state, "terminated");
  assert.ok(sessions.every((s) => s.state === "terminated"));
  w.clock.advance(ALL_TIMERS_MS);
  assert.deepEqual(leftovers(w), CLEAN);
});

test("real media: RTP sockets bound on pool ports during the call, closed and returned after", async () => {
  const w = world({ realMedia: true });
  autoAnswer(w.callee, () => sdp({ fmts: [0], address: "127.0.0.1", port: 21500 }));
  const a = w.caller.invite({ target: TARGET, from: FROM, sdp: sdp({ address: "127.0.0.1", port: 21502 }) });
  for (let i = 0; i < 50 && a.state !== "confirmed"; i++) await settle(w.clock, 2);
  assert.equal(a.state, "confirmed");
  assert.equal(w.b2bua.stats().rtpPortsInUse, 2);
  const port = audioOf(a.remoteSdp).m.port;
  assert.ok(port >= 21000 && port <= 21099, `port ${port} from the pool`);
  a.bye();
  for (let i = 0; i < 50 && w.b2bua.callCount > 0; i++) await settle(w.clock, 2);
  w.clock.advance(ALL_TIMERS_MS);
  assert.deepEqual(leftovers(w), CLEAN);
});
