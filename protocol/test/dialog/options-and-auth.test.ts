/** Out-of-dialog handling of the UA core: OPTIONS, 481, 420, 405, 503, and digest auth retries. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader, getHeaders } from "../../src/wire/sip/index.ts";
import type { SipResponse } from "../../src/wire/sip/index.ts";
import { DigestServer, parseAuthParams } from "../../src/auth/index.ts";
import { DEFAULT_CAPABILITIES } from "../../src/dialog/index.ts";
import { BOB, OFFER_A, ANSWER_B, isMethod, ladder, pair } from "./helpers.ts";

const toBob = { ...BOB, transport: "udp" as const };

test("RFC 3261 §11.2: OPTIONS is answered 200 with Allow, Accept, Supported and Allow-Events", () => {
  const { clock, alice } = pair(
    {},
    { capabilities: { ...DEFAULT_CAPABILITIES, allowEvents: ["kpml", "telephone-event"] } },
  );
  let got: SipResponse | null = null;
  alice.request(
    { method: "OPTIONS", target: "sip:bob@10.0.0.2", from: "<sip:alice@10.0.0.1>", nextHop: toBob },
    (r) => (got = r),
  );
  clock.advance(0);
  const r = got as SipResponse | null;
  assert.equal(r?.status, 200);
  assert.deepEqual(getHeaders(r!, "allow"), [
    "INVITE",
    "ACK",
    "CANCEL",
    "BYE",
    "OPTIONS",
    "PRACK",
    "UPDATE",
    "INFO",
  ]);
  assert.equal(getHeader(r!, "accept"), "application/sdp");
  assert.deepEqual(getHeaders(r!, "supported"), ["100rel", "timer"]);
  assert.equal(getHeader(r!, "allow-events"), "kpml, telephone-event");
  assert.match(getHeader(r!, "to")!, /;tag=/);
});

function outOfDialog(
  method: string,
  headers: { name: string; raw: string; value: string }[] = [],
  toTag = false,
) {
  const env = pair();
  const statuses: (number | null)[] = [];
  env.alice.request(
    {
      method,
      target: "sip:bob@10.0.0.2",
      from: "<sip:alice@10.0.0.1>",
      to: toTag ? "<sip:bob@10.0.0.2>;tag=nosuchdialog" : "<sip:bob@10.0.0.2>",
      headers,
      nextHop: toBob,
    },
    (r) => statuses.push(r?.status ?? null),
  );
  env.clock.advance(0);
  return { ...env, statuses };
}

test("RFC 3261 §12.2.2: a request with a To tag that matches no dialog gets 481", () => {
  assert.deepEqual(outOfDialog("BYE", [], true).statuses, [481]);
  assert.deepEqual(outOfDialog("INFO", [], true).statuses, [481]);
});

test("RFC 3261 §8.2.2.3: an unknown Require option tag gets 420 with Unsupported", () => {
  const { statuses, net } = outOfDialog("OPTIONS", [
    { name: "require", raw: "Require", value: "foo, timer" },
  ]);
  assert.deepEqual(statuses, [420]);
  const r = net.delivered((m) => m.kind === "response")[0]!.message!;
  assert.equal(getHeader(r, "unsupported"), "foo");
});

test("RFC 3261 §8.2.1: a method we do not allow gets 405 with Allow", () => {
  const { statuses, net } = outOfDialog("SUBSCRIBE");
  assert.deepEqual(statuses, [405]);
  assert.ok(getHeader(net.delivered((m) => m.kind === "response")[0]!.message!, "allow")?.includes("INVITE"));
});

test("an INVITE with no one to take it gets 480; beyond maxSessions, 503 with Retry-After", () => {
  const env = pair({}, { maxSessions: 1, retryAfterS: 7 });
  const failures: number[] = [];
  const start = () => {
    const s = env.alice.invite({
      target: "sip:bob@10.0.0.2",
      from: "<sip:alice@10.0.0.1>",
      sdp: OFFER_A,
      nextHop: toBob,
    });
    s.handlers.onFailure = (st) => void failures.push(st);
  };
  start();
  env.clock.advance(0);
  env.bob.onInvite = () => undefined; // keeps the call ringing
  start();
  start();
  env.clock.advance(0);
  assert.deepEqual(failures, [480, 503]);
  const r503 = env.net.delivered((m) => m.kind === "response" && m.status === 503)[0]!.message!;
  assert.equal(getHeader(r503, "retry-after"), "7");
});

test("maxTransactions: at the cap of live transactions, a new request gets 503 with Retry-After from the transaction layer", () => {
  const env = pair({}, { maxTransactions: 1, retryAfterS: 3 });
  env.bob.onInvite = (s) => s.progress(180); // rings: its INVITE server transaction stays live
  const failures: number[] = [];
  for (let i = 0; i < 2; i++) {
    const s = env.alice.invite({
      target: "sip:bob@10.0.0.2",
      from: "<sip:alice@10.0.0.1>",
      sdp: OFFER_A,
      nextHop: toBob,
    });
    s.handlers.onFailure = (st) => void failures.push(st);
  }
  env.clock.advance(0);
  assert.deepEqual(failures, [503]);
  assert.equal(env.bob.sessionCount, 1, "the second INVITE never reached the core");
  const r503 = env.net.delivered((m) => m.kind === "response" && m.status === 503)[0]!.message!;
  assert.equal(getHeader(r503, "retry-after"), "3");
});

test("Max-Forwards: 70 by default (RFC 3261 §8.1.1.6); the INVITE, a re-INVITE and the BYE take another value when told", () => {
  const env = pair({ sessionTimer: null }, { sessionTimer: null });
  env.bob.onInvite = (s) => s.accept({ sdp: ANSWER_B });
  const call = env.alice.invite({
    target: "sip:bob@10.0.0.2",
    from: "<sip:alice@10.0.0.1>",
    sdp: OFFER_A,
    nextHop: toBob,
    maxForwards: 12,
  });
  env.clock.advance(0);
  call.reinvite({ sdp: OFFER_A.replace("o=- 100 1", "o=- 100 2"), maxForwards: 3 });
  env.clock.advance(0);
  call.request("INFO", {});
  env.clock.advance(0);
  call.bye({ maxForwards: 9 });
  env.clock.advance(0);
  const sent = env.net.log
    .map((r) => r.message!)
    .filter((m) => m.kind === "request" && m.method !== "ACK")
    .map((m) => `${m.kind === "request" ? m.method : ""} ${getHeader(m, "max-forwards")}`);
  assert.deepEqual(sent, ["INVITE 12", "INVITE 3", "INFO 70", "BYE 9"]);
});

test("RFC 3261 §22.2 with a fake registrar: REGISTER, 401 (realm ccmsipline), REGISTER with Authorization, CSeq + 1, same Call-ID, 200", () => {
  const env = pair();
  const registrar = new DigestServer({ realm: "ccmsipline", now: () => env.clock.now() });
  const bindings: string[] = [];
  env.bob.onRequest = (req, reply) => {
    if (req.method !== "REGISTER") return reply(405);
    const v = registrar.authenticate(req, (user) => (user === "7001" ? { password: "Cisco123" } : null));
    if (!v.ok) {
      const ch = v.response;
      return reply(ch.status, { headers: ch.headers.filter((h) => h.name === "www-authenticate") });
    }
    bindings.push(`${v.username} ${getHeader(req, "contact")}`);
    reply(200, {
      headers: [{ name: "contact", raw: "Contact", value: `${getHeader(req, "contact")};expires=3600` }],
    });
  };
  const finals: (number | null)[] = [];
  env.alice.request(
    {
      method: "REGISTER",
      target: "sip:10.0.0.2",
      from: "<sip:7001@10.0.0.2>",
      to: "<sip:7001@10.0.0.2>",
      headers: [{ name: "expires", raw: "Expires", value: "3600" }],
      nextHop: toBob,
      credentials: { username: "7001", password: "Cisco123" },
    },
    (r) => finals.push(r?.status ?? null),
  );
  env.clock.advance(0);
  assert.deepEqual(ladder(env.net), ["REGISTER", "401 REGISTER", "REGISTER", "200 REGISTER"]);
  assert.deepEqual(finals, [200], "the application sees only the final answer");
  const [first, , second] = env.net.log.map((r) => r.message!);
  assert.equal(getHeader(second!, "call-id"), getHeader(first!, "call-id"));
  assert.equal(getHeader(second!, "from"), getHeader(first!, "from"));
  assert.equal(
    Number(getHeader(second!, "cseq")!.split(" ")[0]),
    Number(getHeader(first!, "cseq")!.split(" ")[0]) + 1,
  );
  const auth = parseAuthParams(getHeader(second!, "authorization")!)!;
  assert.equal(auth.params["realm"], "ccmsipline");
  assert.equal(auth.params["uri"], "sip:10.0.0.2");
  assert.deepEqual(bindings, ["7001 <sip:alice@10.0.0.1:5060>"]);
});

test("wrong credentials: one retry, then the 401 is final (no loop)", () => {
  const env = pair();
  const registrar = new DigestServer({ realm: "ccmsipline" });
  env.bob.onRequest = (req, reply) => {
    const v = registrar.authenticate(req, () => ({ password: "right" }));
    if (!v.ok)
      return reply(v.response.status, {
        headers: v.response.headers.filter((h) => h.name === "www-authenticate"),
      });
    reply(200);
  };
  const finals: (number | null)[] = [];
  env.alice.request(
    {
      method: "REGISTER",
      target: "sip:10.0.0.2",
      from: "<sip:u@10.0.0.2>",
      nextHop: toBob,
      credentials: { username: "u", password: "wrong" },
    },
    (r) => finals.push(r?.status ?? null),
  );
  env.clock.advance(0);
  assert.deepEqual(finals, [401]);
  assert.equal(env.net.log.filter(isMethod("REGISTER")).length, 2);
});

test("RFC 3261 §22.3: an INVITE challenged with 407 is re-sent with Proxy-Authorization; the ACK for the 2xx carries the same credentials", () => {
  const env = pair(
    {},
    {
      authenticator: {
        server: new DigestServer({ realm: "ccmsipline", proxy: true }),
        lookup: () => ({ password: "pw" }),
        methods: ["INVITE"],
      },
    },
  );
  env.bob.onInvite = (s) => s.accept({ sdp: ANSWER_B });
  const call = env.alice.invite({
    target: "sip:bob@10.0.0.2",
    from: "<sip:alice@10.0.0.1>",
    sdp: OFFER_A,
    nextHop: toBob,
    credentials: { username: "alice", password: "pw" },
  });
  env.clock.advance(0);
  assert.deepEqual(ladder(env.net), ["INVITE", "407 INVITE", "ACK", "INVITE", "200 INVITE", "ACK"]);
  const msgs = env.net.log.map((r) => r.message!);
  assert.ok(getHeader(msgs[3]!, "proxy-authorization")?.startsWith("Digest "));
  assert.equal(getHeader(msgs[5]!, "proxy-authorization"), getHeader(msgs[3]!, "proxy-authorization"));
  assert.equal(call.state, "confirmed");
});
