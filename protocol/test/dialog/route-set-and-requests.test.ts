import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader, getHeaders, parseSip } from "../../src/wire/sip/index.ts";
import type { SipRequest, SipResponse } from "../../src/wire/sip/index.ts";
import {
  buildAck2xx,
  buildInDialogRequest,
  createUacDialog,
  createUasDialog,
  Dialog,
  nextHopUri,
  requestTarget,
  routeSetFrom,
} from "../../src/dialog/index.ts";

function msg(text: string): SipRequest | SipResponse {
  const r = parseSip(Buffer.from(text.replace(/\n/g, "\r\n")), "strict");
  assert.ok(r.ok, r.ok ? "" : r.error.message);
  return r.message;
}

// RFC 3261 §24.2-style INVITE through two record-routing proxies
const invite = msg(`INVITE sip:bob@biloxi.example.com SIP/2.0
Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKnashds8
Record-Route: <sip:p2.biloxi.example.com;lr>
Record-Route: <sip:p1.atlanta.example.com;lr>
Max-Forwards: 68
To: Bob <sip:bob@biloxi.example.com>
From: "Alice A." <sip:alice@atlanta.example.com>;tag=1928301774
Call-ID: a84b4c76e66710
CSeq: 314159 INVITE
Contact: <sip:alice@10.0.0.1:5060>
Authorization: Digest username="alice", realm="atlanta.example.com", nonce="n", uri="sip:bob@biloxi.example.com", response="0123456789abcdef0123456789abcdef"
Content-Length: 0

`) as SipRequest;

const ok = msg(`SIP/2.0 200 OK
Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKnashds8
Record-Route: <sip:p2.biloxi.example.com;lr>
Record-Route: <sip:p1.atlanta.example.com;lr>
To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf
From: "Alice A." <sip:alice@atlanta.example.com>;tag=1928301774
Call-ID: a84b4c76e66710
CSeq: 314159 INVITE
Contact: <sip:bob@10.0.0.2:5062;transport=tcp>
Content-Length: 0

`) as SipResponse;

test("RFC 3261 §12.1.2: the UAC's route set is the 2xx's Record-Route reversed, remote target its Contact", () => {
  const made = createUacDialog(invite, ok);
  assert.ok(made.ok);
  assert.deepEqual(made.dialog.snapshot(), {
    id: { callId: "a84b4c76e66710", localTag: "1928301774", remoteTag: "a6c85cf" },
    role: "uac",
    state: "confirmed",
    localUri: '"Alice A." <sip:alice@atlanta.example.com>',
    remoteUri: "Bob <sip:bob@biloxi.example.com>",
    remoteTarget: "sip:bob@10.0.0.2:5062;transport=tcp",
    routeSet: ["<sip:p1.atlanta.example.com;lr>", "<sip:p2.biloxi.example.com;lr>"],
    localSeq: 314159,
    remoteSeq: null,
    secure: false,
  });
});

test("RFC 3261 §12.1.1: the UAS's route set is the request's Record-Route in order; local CSeq empty", () => {
  const made = createUasDialog(invite, "a6c85cf", "early");
  assert.ok(made.ok);
  const d = made.dialog.snapshot();
  assert.deepEqual(d.id, { callId: "a84b4c76e66710", localTag: "a6c85cf", remoteTag: "1928301774" });
  assert.deepEqual(d.routeSet, ["<sip:p2.biloxi.example.com;lr>", "<sip:p1.atlanta.example.com;lr>"]);
  assert.equal(d.remoteTarget, "sip:alice@10.0.0.1:5060");
  assert.equal(d.localSeq, null);
  assert.equal(d.remoteSeq, 314159);
  assert.equal(d.state, "early");
  assert.equal(d.localUri, "Bob <sip:bob@biloxi.example.com>");
});

test("RFC 3261 §12.1.1 / §12.1.2: no dialog without the tags, and a UAS dialog needs the request's Contact", () => {
  const noTag = {
    ...ok,
    headers: ok.headers.map((h) => (h.name === "to" ? { ...h, value: "<sip:bob@biloxi.example.com>" } : h)),
  };
  assert.deepEqual(createUacDialog(invite, noTag), { ok: false, reason: "response has no To tag" });
  const noContact = { ...invite, headers: invite.headers.filter((h) => h.name !== "contact") };
  assert.equal(createUasDialog(noContact, "x", "early").ok, false);
});

// RFC 3261 §12.2.1.1 as a table: route set + remote target -> Request-URI and Route values
const TARGET_TABLE: readonly [string, readonly string[], string, readonly string[]][] = [
  ["empty route set: Request-URI is the remote target, no Route", [], "sip:bob@10.0.0.2", []],
  [
    "loose router first: Request-URI is the remote target, Route is the whole set",
    ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"],
    "sip:bob@10.0.0.2",
    ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"],
  ],
  [
    "strict router first: it becomes the Request-URI, the rest and the remote target go in Route",
    ["<sip:p1.example.com>", "<sip:p2.example.com;lr>"],
    "sip:p1.example.com",
    ["<sip:p2.example.com;lr>", "<sip:bob@10.0.0.2>"],
  ],
  [
    "strict router with parameters not allowed in a Request-URI: method and headers stripped",
    ["<sip:p1.example.com;method=INVITE;transport=tcp?Subject=x>"],
    "sip:p1.example.com;transport=tcp",
    ["<sip:bob@10.0.0.2>"],
  ],
];

for (const [what, routeSet, requestUri, routes] of TARGET_TABLE) {
  test(`RFC 3261 §12.2.1.1: ${what}`, () => {
    const t = requestTarget(routeSet, "sip:bob@10.0.0.2");
    assert.deepEqual(t, { requestUri, routes });
  });
}

test("RFC 3261 §12.2.1.1: a BYE in the UAC's dialog: To/From/Call-ID from the dialog, CSeq + 1, Route set, Request-URI = remote target", () => {
  const made = createUacDialog(invite, ok);
  assert.ok(made.ok);
  const d = made.dialog;
  const via = { transport: "UDP" as const, host: "10.0.0.1", port: 5060, branch: "z9hG4bKbye1", rport: true };
  const bye = buildInDialogRequest(d, "BYE", { via, cseq: d.nextLocalSeq() });
  assert.equal(bye.method, "BYE");
  assert.equal(bye.uri, "sip:bob@10.0.0.2:5062;transport=tcp");
  assert.deepEqual(getHeaders(bye, "route"), [
    "<sip:p1.atlanta.example.com;lr>",
    "<sip:p2.biloxi.example.com;lr>",
  ]);
  assert.equal(getHeader(bye, "to"), "Bob <sip:bob@biloxi.example.com>;tag=a6c85cf");
  assert.equal(getHeader(bye, "from"), '"Alice A." <sip:alice@atlanta.example.com>;tag=1928301774');
  assert.equal(getHeader(bye, "call-id"), "a84b4c76e66710");
  assert.equal(getHeader(bye, "cseq"), "314160 BYE");
  assert.equal(getHeader(bye, "via"), "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKbye1;rport");
  assert.equal(getHeader(bye, "max-forwards"), "70");
  assert.equal(getHeader(bye, "contact"), undefined, "BYE is not a target refresh request");
  assert.equal(getHeader(bye, "content-length"), "0");
  assert.equal(
    nextHopUri(bye),
    "sip:p1.atlanta.example.com;lr",
    "RFC 3261 §8.1.2: loose routing sends to the first Route",
  );
});

test("RFC 3261 §13.2.2.4: the ACK for a 2xx has the INVITE's CSeq number with method ACK, the same credentials, the dialog's route", () => {
  const made = createUacDialog(invite, ok);
  assert.ok(made.ok);
  const d = made.dialog;
  d.nextLocalSeq(); // a later request must not change the ACK's CSeq
  const via = {
    transport: "UDP" as const,
    host: "10.0.0.1",
    port: 5060,
    branch: "z9hG4bKack1",
    rport: false,
  };
  const ack = buildAck2xx(d, invite, {
    via,
    inviteSeq: 314159,
    body: { contentType: "application/sdp", text: "v=0\r\n" },
  });
  assert.equal(ack.method, "ACK");
  assert.equal(getHeader(ack, "cseq"), "314159 ACK");
  assert.equal(getHeader(ack, "authorization"), getHeader(invite, "authorization"));
  assert.deepEqual(getHeaders(ack, "route"), [
    "<sip:p1.atlanta.example.com;lr>",
    "<sip:p2.biloxi.example.com;lr>",
  ]);
  assert.equal(ack.uri, "sip:bob@10.0.0.2:5062;transport=tcp");
  assert.notEqual(
    getHeader(ack, "via"),
    getHeader(invite, "via"),
    "the ACK for a 2xx is its own transaction (new branch)",
  );
  assert.equal(getHeader(ack, "content-type"), "application/sdp");
  assert.equal(getHeader(ack, "content-length"), "5");
});

test("RFC 3261 §12.2.1.1: local CSeq starts below 2**31 when empty and then increases by exactly one", () => {
  const made = createUasDialog(invite, "a6c85cf", "confirmed");
  assert.ok(made.ok);
  const d = made.dialog;
  const first = d.nextLocalSeq(() => 0.999999);
  assert.ok(first >= 1 && first < 2 ** 31);
  assert.equal(d.nextLocalSeq(), first + 1);
  assert.equal(d.nextLocalSeq(), first + 2);
});

// RFC 3261 §12.2.2 as a table: remote sequence before, request CSeq + method -> verdict, remote after
const CSEQ_TABLE: readonly [number | null, number, string, string, number | null][] = [
  [null, 7, "BYE", "in-order", 7],
  [5, 6, "INFO", "in-order", 6],
  [5, 100, "INVITE", "in-order", 100],
  [5, 4, "INFO", "out-of-order", 5],
  [5, 5, "UPDATE", "out-of-order", 5],
  [5, 5, "ACK", "in-order", 5],
  [5, 3, "CANCEL", "in-order", 5],
];
for (const [before, seq, method, verdict, after] of CSEQ_TABLE) {
  test(`RFC 3261 §12.2.2: remote CSeq ${before ?? "empty"}, ${method} with ${seq} is ${verdict}`, () => {
    const d = new Dialog({
      id: { callId: "c", localTag: "l", remoteTag: "r" },
      role: "uas",
      state: "confirmed",
      localUri: "<sip:l@x>",
      remoteUri: "<sip:r@y>",
      remoteTarget: "sip:r@10.0.0.1",
      routeSet: [],
      localSeq: null,
      remoteSeq: before,
      secure: false,
    });
    assert.equal(d.acceptRemoteSeq(seq, method), verdict);
    assert.equal(d.remoteSeq, after);
  });
}

test("RFC 3261 §12.2.1.2: a 2xx to a target refresh replaces the remote target; §13.2.2.4: the 2xx recomputes an early dialog's route set", () => {
  const early = {
    ...ok,
    status: 180,
    reason: "Ringing",
    headers: ok.headers.filter((h) => h.name !== "record-route"),
  };
  const made = createUacDialog(invite, early);
  assert.ok(made.ok);
  assert.deepEqual(made.dialog.routeSet, []);
  assert.equal(made.dialog.state, "early");
  made.dialog.confirmWith(ok);
  assert.equal(made.dialog.state, "confirmed");
  assert.deepEqual(made.dialog.routeSet, routeSetFrom(ok, "uac"));
  assert.throws(() => made.dialog.transition("early"), /bug: dialog confirmed -> early/);
});
