/**
 * Mid-call B2BUA behaviour on a fake network with a fake clock: re-INVITE (hold with sendonly,
 * inactive and legacy c=0.0.0.0) reflected on the other leg and its answer relayed back; a refused
 * re-INVITE refused with the same status; session-refresh re-INVITEs answered locally; delayed
 * offer on either leg; DTMF in SIP both ways (INFO, KPML subscriber and notifier, Cisco NOTIFY)
 * and the per-leg method choice.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader } from "../../src/wire/sip/index.ts";
import type { SipRequest } from "../../src/wire/sip/index.ts";
import { parseSdp } from "../../src/wire/sdp/index.ts";
import { header } from "../../src/dialog/index.ts";
import type { InviteSession } from "../../src/dialog/index.ts";
import {
  writeCiscoCallInfoNotify,
  writeCiscoNotifyBody,
  writeKpmlRequest,
} from "../../src/wire/dtmf/index.ts";
import { sendInDialog } from "../../src/b2bua/in-dialog-send.ts";
import {
  autoAnswer,
  CALLEE,
  CLEAN,
  isRequest,
  leftovers,
  sdp,
  settle,
  to,
  world,
  TARGET,
  FROM,
  ALL_TIMERS_MS,
} from "./helpers.ts";

function audio(text: string | null) {
  assert.ok(text !== null);
  const r = parseSdp(text);
  assert.ok(r.ok);
  return r.sdp.media[0]!;
}

async function established(
  opts: Parameters<typeof world>[0] = {},
  calleeHeaders: ReturnType<typeof header>[] = [],
  answer = sdp({ fmts: [0], te: 96, address: "10.3.3.3", port: 30000 }),
) {
  const w = world(opts);
  const bs: InviteSession[] = [];
  w.callee.onInvite = (s) => {
    bs.push(s);
    s.accept({ sdp: answer, headers: calleeHeaders });
  };
  const a = w.caller.invite({ target: TARGET, from: FROM, sdp: sdp({ fmts: [0, 8], te: 101 }) });
  await settle(w.clock);
  assert.equal(a.state, "confirmed");
  const b = bs[0]!;
  assert.equal(b.state, "confirmed");
  return { w, a, b, media: w.medias[0]! };
}

for (const hold of [
  { name: "sendonly", offer: sdp({ fmts: [0, 8], direction: "sendonly", version: 2 }), relayed: "sendonly" },
  { name: "inactive", offer: sdp({ fmts: [0, 8], direction: "inactive", version: 2 }), relayed: "inactive" },
  {
    name: "c=0.0.0.0 (RFC 2543)",
    offer: sdp({ fmts: [0, 8], address: "0.0.0.0", version: 2 }),
    relayed: "sendonly",
  },
]) {
  test(`hold from the caller with ${hold.name} is re-offered on leg b; b's answer comes back to a`, async () => {
    const { w, a, b, media } = await established();
    const results: number[] = [];
    a.handlers = { ...a.handlers, onRefreshResult: (_m, st) => void results.push(st) };
    const before = media.remotes.a;
    assert.equal(a.reinvite({ sdp: hold.offer }), true);
    await settle(w.clock);
    assert.deepEqual(results, [200]);
    const reinvites = to(w.net, CALLEE.host, isRequest("INVITE"));
    assert.equal(reinvites.length, 2);
    const offered = audio(reinvites[1]!.body.toString());
    assert.equal(offered.direction, hold.relayed);
    assert.equal(offered.connection, "192.0.2.10", "our address, never the 0.0.0.0");
    // b answered with its default (its last SDP, sendrecv): a sees the answer to a hold
    const back = audio(a.remoteSdp);
    assert.equal(
      back.direction,
      hold.name === "inactive" ? "inactive" : hold.name === "sendonly" ? "recvonly" : "sendrecv",
    );
    assert.equal(b.state, "confirmed");
    if (hold.name.startsWith("c=0"))
      assert.deepEqual(media.remotes.a, before, "no media sent towards 0.0.0.0");
    a.bye();
    await settle(w.clock);
    w.clock.advance(ALL_TIMERS_MS);
    assert.deepEqual(leftovers(w), CLEAN);
  });
}

test("a re-INVITE from the callee is relayed to the caller; a refusal comes back with the same status", async () => {
  const { w, a, b } = await established();
  a.handlers = { ...a.handlers, onOffer: (offer) => offer.reject(488) };
  const results: number[] = [];
  b.handlers = { ...b.handlers, onRefreshResult: (_m, st) => void results.push(st) };
  b.reinvite({ sdp: sdp({ fmts: [0], te: 96, direction: "sendonly", version: 3, address: "10.3.3.3" }) });
  await settle(w.clock);
  assert.deepEqual(results, [488]);
  assert.equal(a.state, "confirmed");
  assert.equal(b.state, "confirmed");
  // the session stays usable: a second re-INVITE is accepted
  a.handlers = { ...a.handlers, onOffer: undefined };
  b.reinvite({ sdp: sdp({ fmts: [0], te: 96, direction: "sendrecv", version: 4, address: "10.3.3.3" }) });
  await settle(w.clock);
  assert.deepEqual(results, [488, 200]);
});

test("a session refresh (unchanged o= version) is answered locally, not relayed", async () => {
  const { w, a } = await established();
  const results: number[] = [];
  a.handlers = { ...a.handlers, onRefreshResult: (_m, st) => void results.push(st) };
  a.reinvite({ sdp: sdp({ fmts: [0, 8], te: 101 }) });
  await settle(w.clock);
  assert.deepEqual(results, [200]);
  assert.equal(to(w.net, CALLEE.host, isRequest("INVITE")).length, 1);
});

test("delayed offer on leg a: leg b gets an offer from the policies, a gets b's codec in our 2xx, a's answer in its ACK", async () => {
  const w = world({ legA: { codecs: ["PCMA", "PCMU"] }, legB: { codecs: ["PCMU", "PCMA"] } });
  autoAnswer(w.callee, () => sdp({ fmts: [8], te: 96 }));
  const a = w.caller.invite({ target: TARGET, from: FROM, sdp: null });
  let offered: string | null = null;
  a.handlers = {
    onOffer: (o) => {
      offered = o.sdp;
      o.accept(sdp({ fmts: [8], te: 101, port: 22222 }));
    },
  };
  await settle(w.clock);
  assert.equal(a.state, "confirmed");
  const offerB = audio(to(w.net, CALLEE.host, isRequest("INVITE"))[0]!.body.toString());
  assert.deepEqual(offerB.payloads, [0, 8, 101], "b's order; both policies allow both");
  const offerA = audio(offered);
  assert.deepEqual(
    offerA.rtpmaps.map((r) => r.name),
    ["PCMA", "telephone-event"],
    "only the codec b chose",
  );
  assert.equal(w.medias[0]!.remotes.a?.port, 22222, "a's answer from its ACK");
  assert.equal(w.medias[0]!.dtmf.a.telephoneEventPt, 101);
});

test("delayed offer on leg b: INVITE without SDP; b's offer (filtered) answered in our ACK", async () => {
  const w = world({ legB: { delayedOffer: true } });
  autoAnswer(w.callee, () => sdp({ fmts: [18, 8, 0], te: 97, address: "10.3.3.3" }));
  const a = w.caller.invite({ target: TARGET, from: FROM, sdp: sdp({ fmts: [0, 8], te: 101 }) });
  await settle(w.clock);
  assert.equal(a.state, "confirmed");
  const invite = to(w.net, CALLEE.host, isRequest("INVITE"))[0]!;
  assert.equal(invite.body.length, 0);
  const ack = to(w.net, CALLEE.host, isRequest("ACK"))[0]!;
  const answerB = audio(ack.body.toString());
  // G729 is not in the caller's offer; of b's other codecs our leg-b policy order (PCMU first) decides
  assert.deepEqual(
    answerB.rtpmaps.map((r) => `${r.name}/${r.pt}`),
    ["PCMU/0", "telephone-event/97"],
  );
  assert.deepEqual(
    audio(a.remoteSdp).rtpmaps.map((r) => `${r.name}/${r.pt}`),
    ["PCMU/0", "telephone-event/101"],
  );
});

test("delayed offer on both legs: b's offer goes to a in our 2xx; a's answer (in its ACK) answers b", async () => {
  const w = world({ legB: { delayedOffer: true } });
  const bs = autoAnswer(w.callee, () => sdp({ fmts: [8, 0], te: 97, address: "10.3.3.3" }));
  const a = w.caller.invite({ target: TARGET, from: FROM, sdp: null });
  a.handlers = { onOffer: (o) => o.accept(sdp({ fmts: [0], te: 101, port: 23000 })) };
  await settle(w.clock);
  assert.equal(a.state, "confirmed");
  assert.equal(bs[0]!.state, "confirmed");
  const ack = to(w.net, CALLEE.host, isRequest("ACK"))[0]!;
  assert.deepEqual(
    audio(ack.body.toString()).rtpmaps.map((r) => r.name),
    ["PCMU", "telephone-event"],
  );
});

// ---- DTMF in SIP --------------------------------------------------------------------------------

test("method per leg: telephone-event -> rfc2833; Allow-Events: kpml -> kpml; Call-Info NOTIFY -> notify; INFO as last resort", async () => {
  const te = await established();
  assert.equal(te.media.dtmf.b.egressMethod, "rfc2833");
  const kpml = await established({}, [header("allow-events", "kpml")], sdp({ fmts: [0], te: null }));
  assert.equal(kpml.media.dtmf.b.egressMethod, "kpml");
  assert.equal(kpml.media.dtmf.b.telephoneEventPt, null, "no RFC 4733 on a leg without telephone-event");
  const cisco = await established(
    {},
    [header("call-info", writeCiscoCallInfoNotify("sip:10.3.3.3", 500))],
    sdp({ fmts: [0], te: null }),
  );
  assert.equal(cisco.media.dtmf.b.egressMethod, "notify");
  const info = await established(
    {},
    [header("allow", "INVITE, ACK, BYE, INFO")],
    sdp({ fmts: [0], te: null }),
  );
  assert.equal(info.media.dtmf.b.egressMethod, "info");
  const forced = await established({ legB: { dtmf: "info" } });
  assert.equal(forced.media.dtmf.b.egressMethod, "info");
  assert.equal(forced.media.dtmf.b.telephoneEventPt, 96, "still negotiated, just not used for sending");
});

test("INFO digits from the caller reach the relay; relay signals become INFO / Cisco NOTIFY on leg b", async () => {
  const { w, a, b, media } = await established();
  a.request("INFO", {
    body: { contentType: "application/dtmf-relay", text: "Signal=5\r\nDuration=160\r\n" },
  });
  a.request("INFO", { body: { contentType: "application/dtmf-relay", text: "Signal=!\r\n" } });
  a.request("INFO", { body: { contentType: "text/plain", text: "hello" } });
  await settle(w.clock);
  assert.deepEqual(media.digits, [{ leg: "a", method: "info", digit: "5", durationMs: 160 }]);
  const got: SipRequest[] = [];
  b.handlers = {
    ...b.handlers,
    onRequest: (r, reply) => {
      got.push(r);
      reply(200);
    },
  };
  media.request.onSignal("b", "info", "7", 120);
  media.request.onSignal("b", "notify", "#", 200);
  await settle(w.clock);
  assert.equal(got.length, 2);
  assert.equal(got[0]!.body.toString(), "Signal=7\r\nDuration=120\r\n");
  assert.equal(getHeader(got[1]!, "event"), "telephone-event");
  assert.deepEqual([...got[1]!.body], [...writeCiscoNotifyBody("#", false, 200)], "binary body intact");
});

test("KPML: we subscribe to a peer that advertises kpml; its NOTIFY digits reach the relay", async () => {
  const { w, b, media } = await established(
    {},
    [header("allow-events", "kpml")],
    sdp({ fmts: [0], te: null }),
  );
  const subs = to(w.net, CALLEE.host, isRequest("SUBSCRIBE"));
  assert.equal(subs.length, 1);
  assert.equal(getHeader(subs[0]!, "event"), "kpml");
  assert.match(subs[0]!.body.toString(), /<kpml-request/);
  const body =
    '<?xml version="1.0"?><kpml-response version="1.0" code="200" text="OK" digits="9" tag="dtmf"/>';
  b.request("NOTIFY", {
    headers: [header("event", "kpml"), header("subscription-state", "active;expires=7200")],
    body: { contentType: "application/kpml-response+xml", text: body },
  });
  await settle(w.clock);
  assert.deepEqual(media.digits, [{ leg: "b", method: "kpml", digit: "9", durationMs: undefined }]);
});

test("KPML notifier: digits wait for the peer's SUBSCRIBE, then go out as NOTIFYs with its tag; one-shot ends it", async () => {
  const { w, b, media } = await established(
    {},
    [header("allow-events", "kpml")],
    sdp({ fmts: [0], te: null }),
  );
  const got: SipRequest[] = [];
  b.handlers = {
    ...b.handlers,
    onRequest: (r, reply) => {
      got.push(r);
      reply(200);
    },
  };
  media.request.onSignal("b", "kpml", "4", 100); // before any subscription: queued
  await settle(w.clock);
  assert.equal(got.length, 0);
  let status: number | null = null;
  b.request(
    "SUBSCRIBE",
    {
      headers: [header("event", "kpml"), header("expires", "60")],
      body: {
        contentType: "application/kpml-request+xml",
        text: writeKpmlRequest({ persist: "one-shot", regexes: [{ tag: "t1", value: "x" }] }),
      },
    },
    (r) => void (status = r?.status ?? null),
  );
  await settle(w.clock);
  assert.equal(status, 200);
  // initial NOTIFY without body, then the queued digit which ends the one-shot subscription
  assert.equal(got.length, 2);
  assert.equal(got[0]!.body.length, 0);
  assert.match(getHeader(got[0]!, "subscription-state") ?? "", /^active;expires=60/);
  assert.match(got[1]!.body.toString(), /digits="4"/);
  assert.match(got[1]!.body.toString(), /tag="t1"/);
  assert.match(getHeader(got[1]!, "subscription-state") ?? "", /^terminated/);
  media.request.onSignal("b", "kpml", "5", 100);
  await settle(w.clock);
  assert.equal(got.length, 2, "no NOTIFY after the one-shot subscription ended");
});

test("Cisco NOTIFY from a peer: start and end of one key press are one digit", async () => {
  const { w, b, media } = await established();
  const notify = (end: boolean) =>
    sendInDialog(b, {
      method: "NOTIFY",
      headers: [header("event", "telephone-event")],
      body: { contentType: "audio/telephone-event", bytes: writeCiscoNotifyBody("3", end, 500) },
    });
  notify(false);
  await settle(w.clock);
  notify(true);
  await settle(w.clock);
  assert.deepEqual(
    media.digits.map((d) => `${d.leg}:${d.method}:${d.digit}`),
    ["b:notify:3"],
  );
});

test("unknown in-dialog events and bodies get answers, not crashes", async () => {
  const { w, b } = await established();
  const statuses: (number | null)[] = [];
  b.request(
    "SUBSCRIBE",
    { headers: [header("event", "presence")] },
    (r) => void statuses.push(r?.status ?? null),
  );
  b.request("NOTIFY", { headers: [header("event", "dialog")] }, (r) => void statuses.push(r?.status ?? null));
  b.request(
    "SUBSCRIBE",
    {
      headers: [header("event", "kpml")],
      body: { contentType: "application/kpml-request+xml", text: "<nope" },
    },
    (r) => void statuses.push(r?.status ?? null),
  );
  b.request(
    "MESSAGE",
    { body: { contentType: "text/plain", text: "hi" } },
    (r) => void statuses.push(r?.status ?? null),
  );
  await settle(w.clock);
  assert.deepEqual(statuses, [489, 489, 400, 405]);
  assert.equal(b.state, "confirmed");
});
