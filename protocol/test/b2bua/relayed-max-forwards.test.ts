/**
 * Max-Forwards on what the B2BUA relays besides INVITE / re-INVITE / BYE (max-forwards.ts): the
 * ACK and PRACK carrying an answer from the other leg, and DTMF requests (INFO, NOTIFY) relayed
 * through the media relay. Relayed: received minus one; originated by us: 70; DTMF at 0: 483.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader } from "../../src/wire/sip/index.ts";
import type { SipMessage, SipRequest } from "../../src/wire/sip/index.ts";
import { DigitHops } from "../../src/b2bua/digit-hops.ts";
import { sendInDialog } from "../../src/b2bua/in-dialog-send.ts";
import type { InviteSession } from "../../src/dialog/index.ts";
import {
  autoAnswer,
  CALLEE,
  CALLER,
  FROM,
  isRequest,
  isStatus,
  sdp,
  settle,
  TARGET,
  to,
  world,
} from "./helpers.ts";

const mf = (m: SipMessage | undefined) => (m === undefined ? undefined : getHeader(m, "max-forwards"));

test("DigitHops: a digit's hop count is taken once, from the ingress leg, within the window; else 70", () => {
  let now = 0;
  const hops = new DigitHops(() => now, 1000);
  hops.record("a", "5", 11);
  hops.record("a", "5", 7);
  assert.equal(hops.take("b", "5"), 70, "from the other leg: nothing remembered");
  assert.equal(hops.take("a", "6"), 70);
  assert.equal(hops.take("a", "5"), 11, "oldest first");
  now = 1001;
  assert.equal(hops.take("a", "5"), 70, "expired");
  assert.equal(hops.size, 0);
});

test("the ACK relaying the caller's answer (both legs delayed) carries the caller's ACK's Max-Forwards minus one", async () => {
  for (const [sent, expected] of [
    [9, "8"],
    [0, "70"], // an ACK is never refused (no 483 for an ACK): our own default
  ] as const) {
    const w = world({ legB: { delayedOffer: true } });
    autoAnswer(w.callee, () => sdp({ fmts: [8, 0], te: 97, address: "10.3.3.3" }));
    const a = w.caller.invite({ target: TARGET, from: FROM, sdp: null });
    a.handlers = { onOffer: (o) => o.accept(sdp({ fmts: [0], te: 101 }), { maxForwards: sent }) };
    await settle(w.clock);
    assert.equal(a.state, "confirmed");
    const ackA = to(w.net, "10.0.0.2", isRequest("ACK"))[0];
    assert.equal(mf(ackA), String(sent));
    assert.equal(mf(to(w.net, CALLEE.host, isRequest("ACK"))[0]), expected);
  }
});

test("the PRACK relaying the caller's answer (leg b offered in a reliable 183) carries the caller's PRACK's Max-Forwards minus one", async () => {
  const w = world({ legB: { delayedOffer: true } });
  w.callee.onInvite = (s) => {
    s.progress(183, { sdp: sdp({ fmts: [8, 0], te: 97, address: "10.3.3.3" }), reliable: true });
    s.accept();
  };
  const a = w.caller.invite({ target: TARGET, from: FROM, sdp: null });
  a.handlers = { onOffer: (o) => o.accept(sdp({ fmts: [8], te: 101 }), { maxForwards: 12 }) };
  await settle(w.clock);
  assert.equal(a.state, "confirmed");
  assert.equal(mf(to(w.net, CALLEE.host, isRequest("PRACK"))[0]), "11");
});

async function infoCall() {
  const w = world({ legA: { dtmf: "info" }, legB: { dtmf: "info" } });
  const bs = autoAnswer(w.callee, () => sdp({ fmts: [0], te: null, address: "10.3.3.3" }));
  const a = w.caller.invite({ target: TARGET, from: FROM, sdp: sdp({ fmts: [0], te: null }) });
  await settle(w.clock);
  const got: SipRequest[] = [];
  const b = bs[0]! as InviteSession;
  b.handlers = { ...b.handlers, onRequest: (r, reply) => (got.push(r), reply(200)) };
  const info = (digit: string, maxForwards: number) =>
    sendInDialog(a, {
      method: "INFO",
      maxForwards,
      body: {
        contentType: "application/dtmf-relay",
        bytes: Buffer.from(`Signal=${digit}\r\nDuration=160\r\n`),
      },
    });
  return { w, a, got, info, media: w.medias[0]! };
}

test("a digit relayed INFO -> INFO carries the received Max-Forwards minus one; a digit of our own 70", async () => {
  const { w, got, info, media } = await infoCall();
  info("5", 10);
  await settle(w.clock);
  assert.deepEqual(
    media.digits.map((d) => d.digit),
    ["5"],
  );
  media.request.onSignal("b", "info", "5", 160); // the relay sends it on
  media.request.onSignal("b", "info", "9", 160); // a digit that came in RTP
  await settle(w.clock);
  assert.equal(got.length, 2);
  assert.equal(mf(got[0]), "9");
  assert.equal(mf(got[1]), "70");
});

test("RFC 3261 §16.3: an INFO digit with Max-Forwards 0 gets 483 and is not relayed", async () => {
  const { w, info, media } = await infoCall();
  info("3", 0);
  await settle(w.clock);
  const r = to(w.net, CALLER.host, isStatus(483, "INFO"))[0];
  assert.ok(r !== undefined && r.kind === "response");
  assert.equal(r.reason, "Too Many Hops");
  assert.equal(media.digits.length, 0);
});
