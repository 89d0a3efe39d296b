/**
 * Loop protection (RFC 3261 §16.3 step 2, §16.6 step 3): what the B2BUA sends because it received
 * a request carries the received Max-Forwards minus one; a request that arrives with 0 is not
 * relayed but answered 483 Too Many Hops.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader } from "../../src/wire/sip/index.ts";
import type { SipRequest } from "../../src/wire/sip/index.ts";
import { byeMaxForwards, relayedMaxForwards } from "../../src/b2bua/index.ts";
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

const mf = (m: { headers: SipRequest["headers"] } | undefined) =>
  m === undefined ? undefined : getHeader(m as SipRequest, "max-forwards");

function withMaxForwards(value: string | null): SipRequest {
  return {
    kind: "request",
    method: "INVITE",
    uri: "sip:x@10.0.0.2",
    version: "SIP/2.0",
    headers: value === null ? [] : [{ name: "max-forwards", raw: "Max-Forwards", value }],
    body: Buffer.alloc(0),
  };
}

test("RFC 3261 §16.6 step 3: the relayed value is the received one minus one; 70 when absent; 0 stops", () => {
  const table: [string | null, number | "too-many-hops"][] = [
    [null, 70],
    ["70", 69],
    ["1", 0],
    ["0", "too-many-hops"],
    [" 12 ", 11],
    ["300", 254], // §20.22: 0-255
    ["lots", 70], // unreadable counts as absent
  ];
  for (const [value, expected] of table)
    assert.equal(relayedMaxForwards(withMaxForwards(value)), expected, String(value));
  assert.equal(relayedMaxForwards(null), 70);
  assert.equal(byeMaxForwards(withMaxForwards("0")), 70, "ending our own dialog is not forwarding");
  assert.equal(byeMaxForwards(withMaxForwards("9")), 8);
});

async function established(maxForwards?: number) {
  const w = world();
  const bs: InviteSession[] = [];
  w.callee.onInvite = (s) => {
    bs.push(s);
    s.accept({ sdp: sdp({ fmts: [0], te: 96, address: "10.3.3.3" }) });
  };
  const a = w.caller.invite({
    target: TARGET,
    from: FROM,
    sdp: sdp({ fmts: [0, 8], te: 101 }),
    ...(maxForwards === undefined ? {} : { maxForwards }),
  });
  await settle(w.clock);
  return { w, a, b: bs[0] };
}

test("the INVITE on leg b carries the caller's Max-Forwards minus one", async () => {
  const { w, a } = await established(10);
  assert.equal(mf(to(w.net, B2B.host, isRequest("INVITE"))[0]), "10");
  assert.equal(mf(to(w.net, CALLEE.host, isRequest("INVITE"))[0]), "9");
  assert.equal(a.state, "confirmed");
});

test("RFC 3261 §16.3: an INVITE with Max-Forwards 0 gets 483 Too Many Hops and never reaches the next hop", async () => {
  const { w, a } = await established(0);
  const r = to(w.net, CALLER.host, isStatus(483))[0];
  assert.ok(r !== undefined && r.kind === "response");
  assert.equal(r.reason, "Too Many Hops");
  assert.equal(a.state, "terminated");
  assert.equal(to(w.net, CALLEE.host).length, 0);
  w.clock.advance(ALL_TIMERS_MS);
  assert.deepEqual(leftovers(w), CLEAN);
});

test("a relayed re-INVITE carries the received Max-Forwards minus one; with 0 it gets 483 and is not relayed", async () => {
  const { w, a, b } = await established();
  const results: number[] = [];
  a.handlers = { ...a.handlers, onRefreshResult: (_m, st) => void results.push(st) };
  a.reinvite({ sdp: sdp({ fmts: [0, 8], te: 101, direction: "sendonly", version: 2 }), maxForwards: 5 });
  await settle(w.clock);
  assert.deepEqual(results, [200]);
  assert.equal(mf(to(w.net, CALLEE.host, isRequest("INVITE"))[1]), "4");
  a.reinvite({ sdp: sdp({ fmts: [0, 8], te: 101, version: 3 }), maxForwards: 0 });
  await settle(w.clock);
  assert.deepEqual(results, [200, 483]);
  assert.equal(to(w.net, CALLEE.host, isRequest("INVITE")).length, 2, "not relayed");
  a.reinvite({ maxForwards: 0 });
  await settle(w.clock);
  assert.deepEqual(results, [200, 483, 483], "nor a re-INVITE without SDP");
  assert.equal(b!.state, "confirmed");
});

test("the BYE ending the other leg carries the received BYE's Max-Forwards minus one", async () => {
  const { w, a, b } = await established();
  a.bye({ maxForwards: 7 });
  await settle(w.clock);
  assert.equal(mf(to(w.net, CALLEE.host, isRequest("BYE"))[0]), "6");
  assert.equal(b!.terminationReason, "remote-bye");
  const second = await established();
  second.b!.bye({ maxForwards: 0 });
  await settle(second.w.clock);
  assert.equal(
    mf(to(second.w.net, CALLER.host, isRequest("BYE"))[0]),
    "70",
    "a BYE still ends our other leg",
  );
  assert.equal(second.a.terminationReason, "remote-bye");
});
