/**
 * Digest credentials for leg b (RFC 3261 §22.2): a 401/407 from the next hop is answered with the
 * policy's credentials (CSeq + 1) and the call goes through; without credentials, or with wrong
 * ones (one retry, no loop), the challenge reaches the caller. And the transaction cap the B2BUA
 * hands its user agent (503 + Retry-After beyond it).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader } from "../../src/wire/sip/index.ts";
import type { SipMessage } from "../../src/wire/sip/index.ts";
import { DigestServer, parseAuthParams } from "../../src/auth/index.ts";
import {
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

const cseq = (m: SipMessage) => Number((getHeader(m, "cseq") ?? "").split(" ")[0]);

function challenging(proxy: boolean) {
  return {
    authenticator: {
      server: new DigestServer({ realm: "ccmsipline", proxy }),
      lookup: (user: string) => (user === "mvs" ? { password: "s3cret" } : null),
      methods: ["INVITE"],
    },
  };
}

async function call(w: ReturnType<typeof world>) {
  w.callee.onInvite = (s) => s.accept({ sdp: sdp({ fmts: [0], te: 96, address: "10.3.3.3" }) });
  const failures: number[] = [];
  const a = w.caller.invite({ target: TARGET, from: FROM, sdp: sdp({ fmts: [0, 8], te: 101 }) });
  a.handlers = { ...a.handlers, onFailure: (st) => void failures.push(st) };
  await settle(w.clock);
  return { a, failures };
}

for (const proxy of [false, true]) {
  const [status, answerHeader] = proxy ? [407, "proxy-authorization"] : [401, "authorization"];
  test(`RFC 3261 §22.2: a ${status} from the next hop is answered with the policy's credentials, CSeq + 1, and the call connects`, async () => {
    const w = world({
      legB: { credentials: { username: "mvs", password: "s3cret", realm: "ccmsipline" } },
      callee: challenging(proxy),
    });
    const { a, failures } = await call(w);
    assert.deepEqual(failures, []);
    assert.equal(a.state, "confirmed");
    const invites = to(w.net, CALLEE.host, isRequest("INVITE"));
    assert.equal(invites.length, 2);
    assert.equal(getHeader(invites[0]!, answerHeader), undefined);
    const creds = parseAuthParams(getHeader(invites[1]!, answerHeader) ?? "");
    assert.equal(creds?.params["username"], "mvs");
    assert.equal(creds?.params["realm"], "ccmsipline");
    assert.equal(cseq(invites[1]!), cseq(invites[0]!) + 1);
    assert.equal(getHeader(invites[1]!, "call-id"), getHeader(invites[0]!, "call-id"));
    assert.equal(to(w.net, CALLER.host, isStatus(status)).length, 0, "the caller never sees the challenge");
    a.bye();
    await settle(w.clock);
    w.clock.advance(ALL_TIMERS_MS);
    assert.deepEqual(leftovers(w), CLEAN);
  });
}

test("without credentials the 401 reaches the caller (as before)", async () => {
  const w = world({ callee: challenging(false) });
  const { a, failures } = await call(w);
  assert.deepEqual(failures, [401]);
  assert.equal(a.state, "terminated");
  assert.equal(to(w.net, CALLEE.host, isRequest("INVITE")).length, 1);
});

test("wrong credentials: one retry, then the 401 reaches the caller (no loop)", async () => {
  const w = world({
    legB: { credentials: { username: "mvs", password: "wrong" } },
    callee: challenging(false),
  });
  const { failures } = await call(w);
  assert.deepEqual(failures, [401]);
  assert.equal(to(w.net, CALLEE.host, isRequest("INVITE")).length, 2);
  w.clock.advance(ALL_TIMERS_MS);
  assert.deepEqual(leftovers(w), CLEAN);
});

test("credentials for another realm are not used: the 401 reaches the caller", async () => {
  const w = world({
    legB: { credentials: { username: "mvs", password: "s3cret", realm: "elsewhere" } },
    callee: challenging(false),
  });
  const { failures } = await call(w);
  assert.deepEqual(failures, [401]);
  assert.equal(to(w.net, CALLEE.host, isRequest("INVITE")).length, 1);
});

test("maxTransactions reaches the user agent: beyond the live transactions, a new INVITE gets 503 with Retry-After", async () => {
  const w = world({ b2bua: { maxTransactions: 2 }, policy: { retryAfterS: 4 } });
  w.callee.onInvite = (s) => s.progress(180); // rings: leg a's and leg b's INVITE transactions stay live
  const failures: number[] = [];
  for (let i = 0; i < 2; i++) {
    const a = w.caller.invite({ target: TARGET, from: FROM, sdp: sdp({ fmts: [0, 8], te: 101 }) });
    a.handlers = { ...a.handlers, onFailure: (st) => void failures.push(st) };
    await settle(w.clock);
  }
  assert.deepEqual(failures, [503]);
  assert.equal(getHeader(to(w.net, CALLER.host, isStatus(503))[0]!, "retry-after"), "4");
  assert.equal(w.b2bua.callCount, 1);
  assert.equal(to(w.net, CALLEE.host, isRequest("INVITE")).length, 1, "the second call never reached leg b");
  assert.ok(
    !w.events.some((e) => e.kind === "call-refused"),
    "refused by the transaction layer, not maxCalls",
  );
  await w.b2bua.shutdown(0);
  await settle(w.clock);
  w.clock.advance(ALL_TIMERS_MS);
  assert.deepEqual(leftovers(w), CLEAN);
});
