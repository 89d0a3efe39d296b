import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ackPairKey,
  cancelTargetKey,
  clientKeyOfRequest,
  clientKeyOfResponse,
  matchesCancelTarget,
  matchesServerTransaction,
  mergeKey,
  serverKeyOfRequest,
} from "../../src/transaction/matching.ts";
import { buildCancel } from "../../src/transaction/cancel.ts";
import { headerValue, headerValues, request, response } from "./helpers.ts";

test("§17.1.3: a response matches the client transaction by top-Via branch and CSeq method", () => {
  const invite = request();
  const cancel = request({ method: "CANCEL" });
  assert.equal(clientKeyOfResponse(response(invite, 180)), clientKeyOfRequest(invite));
  assert.notEqual(
    clientKeyOfResponse(response(cancel, 200)),
    clientKeyOfRequest(invite),
    "a CANCEL shares the branch but is a different transaction",
  );
  assert.equal(clientKeyOfResponse(response(cancel, 200)), clientKeyOfRequest(cancel));
  const other = request({ branch: "z9hG4bKzzz" });
  assert.notEqual(clientKeyOfResponse(response(other, 200)), clientKeyOfRequest(invite));
});

test("§17.2.3: a request matches by branch, sent-by and method; ACK matches the INVITE", () => {
  const invite = request();
  const ack = request({ method: "ACK", toTag: "99sa0xk" });
  assert.equal(serverKeyOfRequest(ack), serverKeyOfRequest(invite));
  assert.equal(matchesServerTransaction(ack, invite, "99sa0xk"), true);
  assert.equal(matchesServerTransaction(request(), invite, null), true, "a retransmission matches");
  assert.equal(
    matchesServerTransaction(request({ sentBy: "evil.example.com" }), invite, null),
    false,
    "the same branch from another sent-by is a different transaction",
  );
  assert.equal(matchesServerTransaction(request({ method: "BYE" }), invite, null), false);
});

test("§17.2.3 / §18.1.1: sent-by compares host case-insensitively and fills in the default port 5060", () => {
  const a = request({ sentBy: "PC33.atlanta.com" });
  const b = request({ sentBy: "pc33.atlanta.com:5060" });
  const c = request({ sentBy: "pc33.atlanta.com:5070" });
  assert.equal(serverKeyOfRequest(a), serverKeyOfRequest(b));
  assert.notEqual(serverKeyOfRequest(a), serverKeyOfRequest(c));
});

test("a branch without the magic cookie z9hG4bK gets no RFC 3261 key", () => {
  assert.equal(serverKeyOfRequest(request({ branch: "1234abc" })), null);
  assert.equal(serverKeyOfRequest(request({ branch: null })), null);
});

test("RFC 2543 fallback: the INVITE matches by Request-URI, To tag, From tag, Call-ID, CSeq and top Via", () => {
  const invite = request({ branch: null });
  assert.equal(matchesServerTransaction(request({ branch: null }), invite, null), true);
  assert.equal(matchesServerTransaction(request({ branch: null, cseq: 1 }), invite, null), false);
  assert.equal(matchesServerTransaction(request({ branch: null, fromTag: "x" }), invite, null), false);
  assert.equal(matchesServerTransaction(request({ branch: null, callId: "other" }), invite, null), false);
  assert.equal(
    matchesServerTransaction(request({ branch: null, uri: "sip:carol@biloxi.com" }), invite, null),
    false,
  );
  assert.equal(
    matchesServerTransaction(request({ branch: null, sentBy: "other.host" }), invite, null),
    false,
  );
});

test("RFC 2543 fallback: the ACK matches when its To tag equals the tag of the response the transaction sent", () => {
  const invite = request({ branch: null });
  const ack = request({ method: "ACK", branch: null, toTag: "resp-tag" });
  assert.equal(matchesServerTransaction(ack, invite, "resp-tag"), true);
  assert.equal(
    matchesServerTransaction(ack, invite, "another-tag"),
    false,
    "an ACK for a different response",
  );
  assert.equal(matchesServerTransaction(ack, invite, null), false);
});

test("§9.2: a CANCEL matches the INVITE server transaction it cancels, with or without the magic cookie", () => {
  const invite = request();
  const cancel = buildCancel(invite);
  assert.equal(cancelTargetKey(cancel), serverKeyOfRequest(invite));
  assert.equal(matchesCancelTarget(cancel, invite), true);
  assert.equal(matchesCancelTarget(cancel, request({ branch: "z9hG4bKnot" })), false);
  const legacy = request({ branch: null });
  assert.equal(matchesCancelTarget(buildCancel(legacy), legacy), true);
  assert.equal(matchesCancelTarget(buildCancel(legacy), request({ branch: null, cseq: 5 })), false);
});

test("§9.1: the CANCEL copies Request-URI, Call-ID, To, From, CSeq number, top Via and Route; no Require", () => {
  const invite = request({
    routes: ["<sip:p1.example.com;lr>"],
    extraVia: ["SIP/2.0/UDP p0.example.com;branch=z9hG4bKp0"],
    extra: [{ name: "require", raw: "Require", value: "100rel" }],
  });
  const cancel = buildCancel(invite);
  assert.equal(cancel.method, "CANCEL");
  assert.equal(cancel.uri, invite.uri);
  assert.deepEqual(headerValues(cancel, "via"), ["SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKabc123"]);
  for (const name of ["to", "from", "call-id"])
    assert.equal(headerValue(cancel, name), headerValue(invite, name), name);
  assert.equal(headerValue(cancel, "cseq"), "986759 CANCEL");
  assert.deepEqual(headerValues(cancel, "route"), ["<sip:p1.example.com;lr>"]);
  assert.equal(headerValue(cancel, "require"), undefined);
});

test("§8.2.2.2: a merge key exists only without a To tag and is equal for forked copies", () => {
  const first = request({ branch: "z9hG4bKpath1" });
  const forked = request({ branch: "z9hG4bKpath2" });
  assert.equal(mergeKey(first), mergeKey(forked));
  assert.notEqual(serverKeyOfRequest(first), serverKeyOfRequest(forked));
  assert.equal(mergeKey(request({ toTag: "abc" })), null, "in-dialog requests are never merged");
  assert.equal(mergeKey(request({ method: "ACK" })), null);
  assert.notEqual(mergeKey(request({ cseq: 2 })), mergeKey(first));
});

test("an ACK for a 2xx pairs with that 2xx by Call-ID, From tag, To tag and CSeq number", () => {
  const invite = request();
  const ok = response(invite, 200, "uas-tag");
  const ack = request({ method: "ACK", branch: "z9hG4bKnewbranch", toTag: "uas-tag" });
  assert.equal(ackPairKey(ack), ackPairKey(ok));
  assert.notEqual(ackPairKey(request({ method: "ACK", toTag: "other" })), ackPairKey(ok));
});
