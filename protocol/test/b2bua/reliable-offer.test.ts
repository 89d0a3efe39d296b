/**
 * An offer from leg b in a reliable 1xx (RFC 3262 §5; our INVITE on leg b had no SDP): answered
 * in our PRACK, and leg a gets what its own offer/answer state allows — the answer in a reliable
 * 1xx, b's offer (rewritten) in a reliable 1xx answered in a's PRACK, or, without 100rel on leg
 * a, a 1xx without SDP and b's codec offered in our 2xx.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader } from "../../src/wire/sip/index.ts";
import type { SipMessage } from "../../src/wire/sip/index.ts";
import { parseSdp } from "../../src/wire/sdp/index.ts";
import type { SdpMedia } from "../../src/wire/sdp/index.ts";
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

const B_OFFER = sdp({ fmts: [8, 0], te: 97, address: "10.3.3.3", port: 30000 });

function audio(text: string | null): SdpMedia {
  assert.ok(text !== null && text !== "", "a session description");
  const r = parseSdp(text);
  assert.ok(r.ok);
  return r.sdp.media[0]!;
}
const names = (m: SdpMedia) => m.rtpmaps.map((r) => `${r.name}/${r.pt}`);
const isReliable183 = (m: SipMessage) =>
  m.kind === "response" && m.status === 183 && getHeader(m, "rseq") !== undefined;

/** Leg b (delayed offer) offers in a reliable 183, then accepts (its 2xx waits for our PRACK). */
function calleeOffersIn183(w: ReturnType<typeof world>): InviteSession[] {
  const bs: InviteSession[] = [];
  w.callee.onInvite = (s) => {
    bs.push(s);
    s.progress(183, { sdp: B_OFFER, reliable: true });
    s.accept();
  };
  return bs;
}

test("RFC 3262 §5, leg a offered: b's offer in a reliable 183 is answered in our PRACK; a gets its answer in a reliable 183", async () => {
  const w = world({ legB: { delayedOffer: true } });
  const bs = calleeOffersIn183(w);
  const a = w.caller.invite({ target: TARGET, from: FROM, sdp: sdp({ fmts: [0, 8], te: 101 }) });
  await settle(w.clock);
  const media = w.medias[0]!;
  assert.equal(a.state, "confirmed");
  assert.equal(bs[0]!.state, "confirmed");
  const prack = to(w.net, CALLEE.host, isRequest("PRACK"))[0];
  assert.ok(prack !== undefined, "leg b's reliable 183 is PRACKed");
  const answerB = audio(prack.body.toString());
  // leg b's policy order (PCMU first) among b's codecs that a offered too; b's own PT 97
  assert.deepEqual(names(answerB), ["PCMU/0", "telephone-event/97"]);
  assert.equal(answerB.connection, "192.0.2.10");
  assert.equal(answerB.port, media.localPort("b"));
  const early = to(w.net, CALLER.host, isReliable183)[0];
  assert.ok(early !== undefined, "a supports 100rel: its 183 is reliable");
  const answerA = audio(early.body.toString());
  assert.deepEqual(names(answerA), ["PCMU/0", "telephone-event/101"]);
  assert.equal(answerA.port, media.localPort("a"));
  assert.equal(to(w.net, B2B.host, isRequest("PRACK")).length, 1, "a PRACKs our 183");
  const ok = to(w.net, CALLER.host, isStatus(200, "INVITE"))[0]!;
  assert.equal(ok.body.length, 0, "offer/answer done in the 183: no SDP in the 2xx");
  assert.deepEqual(media.remotes.b, { address: "10.3.3.3", port: 30000 });
  assert.equal(media.dtmf.b.telephoneEventPt, 97);
  a.bye();
  await settle(w.clock);
  w.clock.advance(ALL_TIMERS_MS);
  assert.deepEqual(leftovers(w), CLEAN);
  assert.equal(w.clock.pendingCount(), 0);
});

test("RFC 3261 §13.2.1, leg a offered without 100rel: its answer goes in an unreliable 183 as a preview and again in the 2xx", async () => {
  const w = world({ legB: { delayedOffer: true }, caller: { prack: "off" } });
  const bs = calleeOffersIn183(w);
  const a = w.caller.invite({ target: TARGET, from: FROM, sdp: sdp({ fmts: [0, 8], te: 101 }) });
  await settle(w.clock);
  assert.equal(a.state, "confirmed");
  assert.equal(bs[0]!.state, "confirmed");
  assert.equal(to(w.net, CALLER.host, isReliable183).length, 0, "a did not offer 100rel");
  const preview = to(w.net, CALLER.host, isStatus(183))[0];
  assert.ok(preview !== undefined);
  const ok = to(w.net, CALLER.host, isStatus(200, "INVITE"))[0]!;
  assert.equal(ok.body.toString(), preview.body.toString(), "the same exact answer");
  assert.deepEqual(names(audio(ok.body.toString())), ["PCMU/0", "telephone-event/101"]);
  assert.equal(to(w.net, B2B.host, isRequest("PRACK")).length, 0);
  assert.equal(to(w.net, CALLEE.host, isRequest("PRACK")).length, 1, "leg b's 183 is still PRACKed");
});

test("RFC 3262 §5, neither leg offered, a supports 100rel: b's offer, rewritten, goes to a in a reliable 183; a's PRACK answer, rewritten, is our PRACK to b", async () => {
  const w = world({ legB: { delayedOffer: true }, legA: { telephoneEventPt: 100 } });
  const bs = calleeOffersIn183(w);
  const a = w.caller.invite({ target: TARGET, from: FROM, sdp: null });
  let site: string | null = null;
  let offered: string | null = null;
  a.handlers = {
    onOffer: (o) => {
      site = o.site;
      offered = o.sdp;
      o.accept(sdp({ fmts: [8], te: 100, port: 24000 }));
    },
  };
  await settle(w.clock);
  const media = w.medias[0]!;
  assert.equal(site, "reliable-1xx");
  const offerA = audio(offered);
  assert.deepEqual(names(offerA), ["PCMU/0", "PCMA/8", "telephone-event/100"], "a's policy, a's PT");
  assert.equal(offerA.port, media.localPort("a"));
  const answerB = audio(to(w.net, CALLEE.host, isRequest("PRACK"))[0]!.body.toString());
  assert.deepEqual(names(answerB), ["PCMA/8", "telephone-event/97"], "a's choice, b's PT");
  assert.equal(answerB.port, media.localPort("b"));
  assert.equal(a.state, "confirmed");
  assert.equal(bs[0]!.state, "confirmed");
  assert.equal(to(w.net, CALLER.host, isStatus(200, "INVITE"))[0]!.body.length, 0);
  assert.deepEqual(media.remotes, {
    a: { address: "10.9.9.9", port: 24000 },
    b: { address: "10.3.3.3", port: 30000 },
  });
  assert.equal(media.dtmf.a.telephoneEventPt, 100);
  assert.equal(media.dtmf.b.telephoneEventPt, 97);
});

test("RFC 3261 §13.2.1, neither leg offered, a without 100rel: b is answered from the policies in our PRACK; a's 183 has no SDP; b's codec is offered in our 2xx", async () => {
  const w = world({ legB: { delayedOffer: true }, caller: { prack: "off" } });
  const bs = calleeOffersIn183(w);
  const a = w.caller.invite({ target: TARGET, from: FROM, sdp: null });
  let site: string | null = null;
  let offered: string | null = null;
  a.handlers = {
    onOffer: (o) => {
      site = o.site;
      offered = o.sdp;
      o.accept(sdp({ fmts: [0], te: 101, port: 24002 }));
    },
  };
  await settle(w.clock);
  assert.equal(getHeader(to(w.net, B2B.host, isRequest("INVITE"))[0]!, "supported"), undefined);
  const answerB = audio(to(w.net, CALLEE.host, isRequest("PRACK"))[0]!.body.toString());
  assert.deepEqual(names(answerB), ["PCMU/0", "telephone-event/97"], "b's policy's first usable codec");
  const early = to(w.net, CALLER.host, isStatus(183));
  assert.ok(early.length >= 1);
  assert.ok(
    early.every((r) => r.body.length === 0),
    "no offer in an unreliable 1xx",
  );
  assert.equal(site, "2xx");
  assert.deepEqual(names(audio(offered)), ["PCMU/0", "telephone-event/101"], "b's codec alone");
  assert.equal(a.state, "confirmed");
  assert.equal(bs[0]!.state, "confirmed");
  assert.equal(w.medias[0]!.remotes.a?.port, 24002);
});

test("an offer in b's reliable 183 with no codec leg a offered: 488 with Warning 305 to a, leg b cancelled", async () => {
  const w = world({ legB: { delayedOffer: true } });
  w.callee.onInvite = (s) => s.progress(183, { sdp: sdp({ fmts: [18], te: 97 }), reliable: true });
  let failure: number | null = null;
  const a = w.caller.invite({ target: TARGET, from: FROM, sdp: sdp({ fmts: [0, 8], te: 101 }) });
  a.handlers = { onFailure: (st) => void (failure = st) };
  await settle(w.clock);
  assert.equal(failure, 488);
  assert.match(getHeader(to(w.net, CALLER.host, isStatus(488))[0]!, "warning") ?? "", /^305 /);
  assert.equal(to(w.net, CALLEE.host, isRequest("CANCEL")).length, 1);
  w.clock.advance(ALL_TIMERS_MS);
  assert.deepEqual(leftovers(w), CLEAN);
});
