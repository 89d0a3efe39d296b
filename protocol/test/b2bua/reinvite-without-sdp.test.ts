/**
 * A re-INVITE without SDP (delayed-offer re-INVITE, CUCM mid-call, DOMAIN.md §9.2) is relayed:
 * the other leg gets a re-INVITE without SDP, its offer (in its 2xx) goes rewritten in our 2xx,
 * the answer in the ACK goes rewritten in our ACK. Failures and glare come back with their status.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSdp } from "../../src/wire/sdp/index.ts";
import type { SdpMedia } from "../../src/wire/sdp/index.ts";
import type { SipMessage } from "../../src/wire/sip/index.ts";
import type { InviteSession } from "../../src/dialog/index.ts";
import {
  B2B,
  CALLEE,
  CALLER,
  CLEAN,
  isRequest,
  isStatus,
  leftovers,
  sdp,
  settle,
  to,
  world,
  TARGET,
  FROM,
  ALL_TIMERS_MS,
} from "./helpers.ts";

function audio(text: string | null): SdpMedia {
  assert.ok(text !== null && text !== "", "a session description");
  const r = parseSdp(text);
  assert.ok(r.ok);
  return r.sdp.media[0]!;
}
const names = (m: SdpMedia) => m.rtpmaps.map((r) => `${r.name}/${r.pt}`);
const body = (m: SipMessage | undefined) => m?.body.toString() ?? null;

async function established(opts: Parameters<typeof world>[0] = {}) {
  const w = world(opts);
  const bs: InviteSession[] = [];
  w.callee.onInvite = (s) => {
    bs.push(s);
    s.accept({ sdp: sdp({ fmts: [0], te: 96, address: "10.3.3.3", port: 30000 }) });
  };
  const a = w.caller.invite({ target: TARGET, from: FROM, sdp: sdp({ fmts: [0, 8], te: 101 }) });
  await settle(w.clock);
  assert.equal(a.state, "confirmed");
  return { w, a, b: bs[0]!, media: w.medias[0]! };
}

test("re-INVITE without SDP from the caller: leg b gets a re-INVITE without SDP; b's offer, rewritten, is our 2xx offer; a's answer, rewritten, is our ACK to b", async () => {
  const { w, a, b, media } = await established();
  const results: number[] = [];
  let offered: string | null = null;
  let site: string | null = null;
  a.handlers = {
    ...a.handlers,
    onRefreshResult: (_m, st) => void results.push(st),
    onOffer: (o) => {
      site = o.site;
      offered = o.sdp;
      o.accept(sdp({ fmts: [8], te: 101, port: 22222, version: 2, direction: "recvonly" }));
    },
  };
  // the callee offers a codec change and hold in its 2xx
  b.handlers = {
    ...b.handlers,
    onOffer: (o) => {
      assert.equal(o.site, "reinvite-empty");
      o.accept(
        sdp({ fmts: [8, 0], te: 97, address: "10.3.3.3", port: 30002, version: 2, direction: "sendonly" }),
      );
    },
  };
  assert.equal(a.reinvite({}), true);
  await settle(w.clock);

  const invites = to(w.net, CALLEE.host, isRequest("INVITE"));
  assert.equal(invites.length, 2, "the re-INVITE is relayed, not answered by the B2BUA");
  assert.equal(invites[1]!.body.length, 0, "without SDP, as it came");
  assert.equal(site, "2xx");
  const offerA = audio(offered);
  assert.equal(offerA.connection, "192.0.2.10", "anchored on our address");
  assert.equal(offerA.port, media.localPort("a"));
  assert.deepEqual(names(offerA), ["PCMU/0", "PCMA/8", "telephone-event/101"], "a's policy order, a's PT");
  assert.equal(offerA.direction, "sendonly");
  const acks = to(w.net, CALLEE.host, isRequest("ACK"));
  const answerB = audio(body(acks.at(-1)));
  assert.equal(answerB.connection, "192.0.2.10");
  assert.equal(answerB.port, media.localPort("b"));
  assert.deepEqual(names(answerB), ["PCMA/8", "telephone-event/97"], "a's choice with b's own PT");
  assert.equal(answerB.direction, "recvonly");
  assert.deepEqual(results, [200]);
  assert.equal(a.state, "confirmed");
  assert.equal(b.state, "confirmed");
  assert.equal(b.offerAnswerState, "stable");
  assert.deepEqual(media.remotes, {
    a: { address: "10.9.9.9", port: 22222 },
    b: { address: "10.3.3.3", port: 30002 },
  });
  assert.equal(media.dtmf.b.telephoneEventPt, 97, "the relay now sends b's new PT");
  assert.deepEqual(media.dtmf.b.ingressAudioPts, [8, 13]);
  a.bye();
  await settle(w.clock);
  w.clock.advance(ALL_TIMERS_MS);
  assert.deepEqual(leftovers(w), CLEAN);
  assert.equal(w.clock.pendingCount(), 0);
});

test("re-INVITE without SDP from the callee is relayed to the caller the same way", async () => {
  const { w, a, b, media } = await established({ legB: { telephoneEventPt: 110 } });
  const results: number[] = [];
  b.handlers = {
    ...b.handlers,
    onRefreshResult: (_m, st) => void results.push(st),
    onOffer: (o) => o.accept(sdp({ fmts: [0], te: 96, address: "10.3.3.3", port: 30004, version: 2 })),
  };
  a.handlers = {
    ...a.handlers,
    onOffer: (o) => {
      assert.equal(o.site, "reinvite-empty");
      o.accept(sdp({ fmts: [0, 8], te: 101, port: 20002, version: 2 }));
    },
  };
  assert.equal(b.reinvite({}), true);
  await settle(w.clock);
  const invites = to(w.net, CALLER.host, isRequest("INVITE"));
  assert.equal(invites.length, 1);
  assert.equal(invites[0]!.body.length, 0);
  const offerB = audio(body(to(w.net, CALLEE.host, isStatus(200, "INVITE")).at(-1)));
  assert.deepEqual(names(offerB), ["PCMU/0", "PCMA/8", "telephone-event/110"], "b's policy, our PT on b");
  assert.equal(offerB.port, media.localPort("b"));
  const answerA = audio(body(to(w.net, CALLER.host, isRequest("ACK")).at(-1)));
  assert.deepEqual(names(answerA), ["PCMU/0", "telephone-event/101"]);
  assert.equal(answerA.port, media.localPort("a"));
  assert.deepEqual(results, [200]);
  assert.equal(media.remotes.b?.port, 30004);
  assert.equal(media.remotes.a?.port, 20002);
});

test("a refusal of the relayed re-INVITE without SDP comes back with the same status; both legs stay up", async () => {
  const { w, a, b } = await established();
  const results: number[] = [];
  a.handlers = { ...a.handlers, onRefreshResult: (_m, st) => void results.push(st) };
  b.handlers = { ...b.handlers, onOffer: (o) => o.reject(488) };
  a.reinvite({});
  await settle(w.clock);
  assert.deepEqual(results, [488]);
  assert.equal(a.state, "confirmed");
  assert.equal(b.state, "confirmed");
  // usable again afterwards
  b.handlers = { ...b.handlers, onOffer: undefined };
  a.reinvite({});
  await settle(w.clock);
  assert.deepEqual(results, [488, 200]);
});

test("an offer in leg b's 2xx with no codec leg a may use: 488 to a's re-INVITE, b's 2xx ACKed then BYEd, the call ends", async () => {
  const { w, a, b } = await established({ legA: { codecs: ["PCMU", "PCMA"] } });
  const results: number[] = [];
  a.handlers = { ...a.handlers, onRefreshResult: (_m, st) => void results.push(st) };
  b.handlers = {
    ...b.handlers,
    onOffer: (o) => o.accept(sdp({ fmts: [18], te: 96, address: "10.3.3.3", version: 2 })),
  };
  a.reinvite({});
  await settle(w.clock);
  assert.deepEqual(results, [488]);
  assert.equal(b.state, "terminated");
  assert.equal(a.state, "terminated");
  assert.equal(to(w.net, CALLEE.host, isRequest("ACK")).length, 2, "the 2xx is acknowledged");
  w.clock.advance(ALL_TIMERS_MS);
  assert.deepEqual(leftovers(w), CLEAN);
});

test("glare: re-INVITEs without SDP crossing on both legs get 491 and their retries both succeed", async () => {
  const { w, a, b } = await established();
  const results = { a: [] as number[], b: [] as number[] };
  a.handlers = { ...a.handlers, onRefreshResult: (_m, st) => void results.a.push(st) };
  b.handlers = { ...b.handlers, onRefreshResult: (_m, st) => void results.b.push(st) };
  a.reinvite({});
  b.reinvite({});
  await settle(w.clock);
  // RFC 3261 §14.2: the relayed re-INVITE meets b's own (491 from b); b's meets a's pending one (491 from us)
  assert.ok(to(w.net, B2B.host, isStatus(491, "INVITE")).length >= 1, "b answers our relayed re-INVITE 491");
  assert.ok(to(w.net, CALLEE.host, isStatus(491, "INVITE")).length >= 1, "b's re-INVITE gets 491 from us");
  for (let i = 0; i < 10; i++) {
    w.clock.advance(1000);
    await settle(w.clock, 3);
  }
  assert.equal(results.a.at(-1), 200);
  assert.equal(results.b.at(-1), 200);
  assert.equal(a.state, "confirmed");
  assert.equal(b.state, "confirmed");
  a.bye();
  await settle(w.clock);
  w.clock.advance(ALL_TIMERS_MS);
  assert.deepEqual(leftovers(w), CLEAN);
});
