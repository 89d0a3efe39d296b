import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSip, getHeader, getHeaders } from "../../src/wire/sip/index.ts";
import type { SipRequest, SipResponse } from "../../src/wire/sip/index.ts";
import {
  DigestClient,
  DigestServer,
  digestResponse,
  parseAuthParams,
  chooseQop,
} from "../../src/auth/index.ts";

function sip(text: string): SipRequest | SipResponse {
  const r = parseSip(Buffer.from(text.replace(/\n/g, "\r\n")), "strict");
  assert.ok(r.ok, r.ok ? "" : r.error.message);
  return r.message;
}

const register = sip(`REGISTER sip:10.10.10.1;transport=udp SIP/2.0
Via: SIP/2.0/UDP 10.10.10.20:5060;branch=z9hG4bKreg1
Max-Forwards: 70
From: <sip:7001@10.10.10.1>;tag=f1
To: <sip:7001@10.10.10.1>
Call-ID: reg-call-1
CSeq: 1 REGISTER
Contact: <sip:7001@10.10.10.20:5060>
Expires: 3600
Content-Length: 0

`) as SipRequest;

test("RFC 2617 §3.5 example: Mufasa / Circle Of Life gives response 6629fae49393a05397450978507c4ef1", () => {
  const r = digestResponse({
    algorithm: "MD5",
    username: "Mufasa",
    realm: "testrealm@host.com",
    secret: { password: "Circle Of Life" },
    nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
    method: "GET",
    uri: "/dir/index.html",
    qop: "auth",
    nc: "00000001",
    cnonce: "0a4f113b",
  });
  assert.equal(r, "6629fae49393a05397450978507c4ef1");
});

test("RFC 2617 §3.5: a stored H(A1) gives the same response as the password", () => {
  const common = {
    algorithm: "MD5" as const,
    username: "Mufasa",
    realm: "testrealm@host.com",
    nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
    method: "GET",
    uri: "/dir/index.html",
    qop: "auth" as const,
    nc: "00000001",
    cnonce: "0a4f113b",
  };
  // H(Mufasa:testrealm@host.com:Circle Of Life), computed with Python hashlib
  const r = digestResponse({ ...common, secret: { ha1: "939e7578ed9e3c518a452acee763bce9" } });
  assert.equal(r, "6629fae49393a05397450978507c4ef1");
});

// Expected values computed independently with Python's hashlib (see the report).
test("CUCM realm ccmsipline without qop (RFC 2069 compatibility, RFC 3261 §22.4)", () => {
  const r = digestResponse({
    algorithm: "MD5",
    username: "7001",
    realm: "ccmsipline",
    secret: { password: "Cisco123" },
    nonce: "xYz0123AbCdEf",
    method: "REGISTER",
    uri: "sip:10.10.10.1;transport=udp",
    qop: null,
  });
  assert.equal(r, "0ac8ada2e61f29afa0708f17d58fe2a4");
});

test("ccmsipline with qop=auth and with MD5-sess", () => {
  const base = {
    username: "7001",
    realm: "ccmsipline",
    secret: { password: "Cisco123" },
    nonce: "xYz0123AbCdEf",
    method: "INVITE",
    uri: "sip:2001@10.10.10.1",
    qop: "auth" as const,
    cnonce: "c0ffee01",
  };
  assert.equal(
    digestResponse({ ...base, algorithm: "MD5", nc: "00000001" }),
    "1863891c70d0c4571d29267826a4b183",
  );
  assert.equal(
    digestResponse({ ...base, algorithm: "MD5-sess", nc: "00000002" }),
    "2503072431599dad19f9b153a514452a",
  );
});

test("auth-param parsing: quoted strings with escaped quotes and commas, tokens, any order", () => {
  const p = parseAuthParams('Digest realm="a,\\"b", nonce=abc, qop="auth,auth-int" , stale=TRUE');
  assert.deepEqual(p, {
    scheme: "Digest",
    params: { realm: 'a,"b', nonce: "abc", qop: "auth,auth-int", stale: "TRUE" },
  });
  assert.equal(parseAuthParams('Digest realm="unterminated'), null);
  assert.equal(parseAuthParams("Digest realm"), null);
  assert.equal(chooseQop("auth-int, auth"), "auth");
  assert.equal(chooseQop("auth-int"), "auth-int");
  assert.equal(chooseQop("token-only"), undefined);
  assert.equal(chooseQop(undefined), null);
});

test("RFC 3261 §22.2: the UAC answers a 401 with Authorization, CSeq + 1, the same Call-ID and From tag, a new branch", () => {
  const challenge = sip(`SIP/2.0 401 Unauthorized
Via: SIP/2.0/UDP 10.10.10.20:5060;branch=z9hG4bKreg1
From: <sip:7001@10.10.10.1>;tag=f1
To: <sip:7001@10.10.10.1>;tag=cucm1
Call-ID: reg-call-1
CSeq: 1 REGISTER
WWW-Authenticate: Digest realm="ccmsipline", nonce="xYz0123AbCdEf", algorithm=MD5
Content-Length: 0

`) as SipResponse;
  const client = new DigestClient({ username: "7001", password: "Cisco123" });
  const result = client.authorize(register, challenge);
  assert.ok(result.ok);
  const req = result.request;
  assert.equal(getHeader(req, "cseq"), "2 REGISTER");
  assert.equal(getHeader(req, "call-id"), "reg-call-1");
  assert.equal(getHeader(req, "from"), "<sip:7001@10.10.10.1>;tag=f1");
  assert.equal(getHeader(req, "to"), "<sip:7001@10.10.10.1>");
  assert.notEqual(getHeaders(req, "via")[0], getHeaders(register, "via")[0]);
  assert.match(getHeaders(req, "via")[0]!, /;branch=z9hG4bK[0-9a-f]+$/);
  const auth = parseAuthParams(getHeader(req, "authorization")!);
  assert.deepEqual(auth?.params, {
    username: "7001",
    realm: "ccmsipline",
    nonce: "xYz0123AbCdEf",
    uri: "sip:10.10.10.1;transport=udp",
    response: "0ac8ada2e61f29afa0708f17d58fe2a4",
    algorithm: "MD5",
  });
  // Content-Length stays the last header
  assert.equal(req.headers.at(-1)?.name, "content-length");
});

test("RFC 3261 §22.3: a 407 is answered with Proxy-Authorization, qop=auth with nc counting per nonce", () => {
  const invite = sip(`INVITE sip:2001@10.10.10.1 SIP/2.0
Via: SIP/2.0/TCP 10.10.10.20:5060;branch=z9hG4bKinv1
Max-Forwards: 70
From: <sip:7001@10.10.10.1>;tag=f2
To: <sip:2001@10.10.10.1>
Call-ID: inv-call-1
CSeq: 10 INVITE
Content-Length: 0

`) as SipRequest;
  const challenge = sip(`SIP/2.0 407 Proxy Authentication Required
Via: SIP/2.0/TCP 10.10.10.20:5060;branch=z9hG4bKinv1
From: <sip:7001@10.10.10.1>;tag=f2
To: <sip:2001@10.10.10.1>;tag=p1
Call-ID: inv-call-1
CSeq: 10 INVITE
Proxy-Authenticate: Digest realm="ccmsipline", nonce="xYz0123AbCdEf", qop="auth", opaque="op1"
Content-Length: 0

`) as SipResponse;
  const client = new DigestClient(
    { username: "7001", password: "Cisco123", realm: "ccmsipline" },
    { cnonce: () => "c0ffee01" },
  );
  const first = client.authorize(invite, challenge);
  assert.ok(first.ok);
  assert.equal(getHeader(first.request, "authorization"), undefined);
  const p = parseAuthParams(getHeader(first.request, "proxy-authorization")!)!.params;
  assert.equal(p["response"], "1863891c70d0c4571d29267826a4b183");
  assert.equal(p["nc"], "00000001");
  assert.equal(p["qop"], "auth");
  assert.equal(p["opaque"], "op1");
  assert.equal(getHeader(first.request, "cseq"), "11 INVITE");
  // the same nonce again (e.g. on a new request) counts up
  const again = client.authorize(invite, challenge);
  assert.ok(again.ok);
  assert.equal(parseAuthParams(getHeader(again.request, "proxy-authorization")!)!.params["nc"], "00000002");
});

test("RFC 2617 §3.2.1 stale: a second challenge for an answered realm is a refusal unless stale=TRUE", () => {
  const server = new DigestServer({ realm: "ccmsipline", now: () => 1000 });
  const client = new DigestClient({ username: "7001", password: "wrong" });
  const first = client.authorize(register, server.challenge(register));
  assert.ok(first.ok);
  const again = client.authorize(first.request, server.challenge(first.request));
  assert.deepEqual(again, { ok: false, reason: "credentials-rejected" });
  const stale = client.authorize(first.request, server.challenge(first.request, true));
  assert.ok(stale.ok);
  assert.equal(getHeaders(stale.request, "authorization").length, 1, "the old credentials are replaced");
  assert.equal(getHeader(stale.request, "cseq"), "3 REGISTER");
});

test("the UAC gives up on challenges it cannot answer", () => {
  const server = new DigestServer({ realm: "other" });
  const noCreds = new DigestClient({ username: "u", password: "p", realm: "ccmsipline" });
  assert.deepEqual(noCreds.authorize(register, server.challenge(register)), {
    ok: false,
    reason: "no-credentials",
  });
  const sha = sip(`SIP/2.0 401 Unauthorized
Via: SIP/2.0/UDP 10.10.10.20:5060;branch=z9hG4bKreg1
From: <sip:7001@10.10.10.1>;tag=f1
To: <sip:7001@10.10.10.1>;tag=x
Call-ID: reg-call-1
CSeq: 1 REGISTER
WWW-Authenticate: Digest realm="r", nonce="n", algorithm=SHA-512-256
Content-Length: 0

`) as SipResponse;
  assert.deepEqual(new DigestClient({ username: "u", password: "p" }).authorize(register, sha), {
    ok: false,
    reason: "unsupported-algorithm",
  });
  const ok200 = { ...sha, status: 200 };
  assert.deepEqual(new DigestClient({ username: "u", password: "p" }).authorize(register, ok200), {
    ok: false,
    reason: "not-a-challenge",
  });
});

test("the server challenges, accepts the right answer, and refuses a wrong password, a forged nonce and a wrong uri", () => {
  let now = 50_000;
  const server = new DigestServer({ realm: "ccmsipline", now: () => now, nonceTtlMs: 60_000 });
  const users = (u: string) => (u === "7001" ? { password: "Cisco123" } : null);
  const challenge = server.challenge(register);
  assert.equal(challenge.status, 401);
  assert.match(getHeader(challenge, "to")!, /;tag=/);
  const wa = parseAuthParams(getHeader(challenge, "www-authenticate")!)!;
  assert.equal(wa.params["realm"], "ccmsipline");
  assert.equal(wa.params["qop"], "auth");
  assert.equal(server.verify(register, users).ok, false);

  const good = new DigestClient({ username: "7001", password: "Cisco123" }).authorize(register, challenge);
  assert.ok(good.ok);
  assert.deepEqual(server.verify(good.request, users), { ok: true, username: "7001" });

  const bad = new DigestClient({ username: "7001", password: "nope" }).authorize(register, challenge);
  assert.ok(bad.ok);
  assert.deepEqual(server.verify(bad.request, users), { ok: false, reason: "bad-response" });

  const stranger = new DigestClient({ username: "9999", password: "x" }).authorize(register, challenge);
  assert.ok(stranger.ok);
  const s = server.authenticate(stranger.request, users);
  assert.ok(!s.ok && s.response.status === 403);

  const forged = good.request.headers.map((h) =>
    h.name === "authorization" ? { ...h, value: h.value.replace(/nonce="[^"]*"/, 'nonce="AAAA.BBBB"') } : h,
  );
  assert.deepEqual(server.verify({ ...good.request, headers: forged }, users), {
    ok: false,
    reason: "bad-nonce",
  });

  const otherUri = { ...good.request, uri: "sip:elsewhere.example.com" };
  const u = server.authenticate(otherUri, users);
  assert.ok(!u.ok && u.reason === "uri-mismatch" && u.response.status === 400);

  // a nonce from another server key is not ours
  const other = new DigestServer({ realm: "ccmsipline", now: () => now });
  assert.deepEqual(other.verify(good.request, users), { ok: false, reason: "bad-nonce" });

  // past its lifetime the nonce is stale: the answer is a new challenge with stale=TRUE
  now += 60_001;
  const late = server.authenticate(good.request, users);
  assert.ok(!late.ok);
  assert.equal(late.reason, "stale-nonce");
  assert.equal(late.response.status, 401);
  assert.equal(parseAuthParams(getHeader(late.response, "www-authenticate")!)!.params["stale"], "TRUE");
});

test("a proxy-mode server challenges with 407 Proxy-Authenticate and reads Proxy-Authorization", () => {
  const server = new DigestServer({ realm: "ccmsipline", proxy: true, algorithm: "MD5-sess" });
  const ch = server.challenge(register);
  assert.equal(ch.status, 407);
  assert.ok(getHeader(ch, "proxy-authenticate")?.includes("algorithm=MD5-sess"));
  const ans = new DigestClient({ username: "7001", password: "Cisco123" }).authorize(register, ch);
  assert.ok(ans.ok);
  assert.deepEqual(
    server.verify(ans.request, () => ({ password: "Cisco123" })),
    { ok: true, username: "7001" },
  );
});
