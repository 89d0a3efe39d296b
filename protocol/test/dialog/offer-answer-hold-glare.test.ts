import { test } from "node:test";
import assert from "node:assert/strict";
import {
  OfferAnswer,
  answerDirection,
  glareRetryDelayMs,
  glareVerdict,
  holdOf,
  retryAfterS,
} from "../../src/dialog/index.ts";
import type { OfferAnswerEvent, OfferAnswerState } from "../../src/dialog/index.ts";
import { sdp } from "./helpers.ts";

// RFC 3264 / RFC 6337 §2.2: event sequences and where they leave the state
const OA_TABLE: readonly [string, readonly OfferAnswerEvent[], OfferAnswerState, boolean][] = [
  ["early offer: offer in INVITE, answer in 2xx", ["local-offer", "remote-answer"], "stable", true],
  ["delayed offer: offer in 2xx, answer in ACK", ["remote-offer", "local-answer"], "stable", true],
  ["re-offer from stable", ["local-offer", "remote-answer", "remote-offer"], "offer-received", true],
  ["a rejected first offer returns to no-offer", ["local-offer", "rejected"], "no-offer", true],
  [
    "a rejected re-offer keeps the session (stable)",
    ["remote-offer", "local-answer", "local-offer", "rejected"],
    "stable",
    true,
  ],
  [
    "RFC 3264 §4: no second offer while one is outstanding",
    ["local-offer", "local-offer"],
    "offer-sent",
    false,
  ],
  [
    "RFC 3264 §4: no offer while an offer received is unanswered",
    ["remote-offer", "local-offer"],
    "offer-received",
    false,
  ],
  ["an answer without an offer is refused", ["remote-answer"], "no-offer", false],
];
for (const [what, events, end, allAccepted] of OA_TABLE) {
  test(`offer/answer: ${what}`, () => {
    const oa = new OfferAnswer();
    const results = events.map((e, i) => oa.transition(e, `sdp${i}`));
    assert.equal(oa.state, end);
    assert.equal(results.every(Boolean), allAccepted);
  });
}

test("offer/answer: the negotiated pair is the completed exchange, not the pending offer", () => {
  const oa = new OfferAnswer();
  oa.transition("local-offer", "ours-1");
  oa.transition("remote-answer", "theirs-1");
  oa.transition("remote-offer", "theirs-2");
  assert.equal(oa.pendingOffer, "theirs-2");
  assert.deepEqual([oa.localSdp, oa.remoteSdp], ["ours-1", "theirs-1"]);
  oa.transition("local-answer", "ours-2");
  assert.deepEqual([oa.localSdp, oa.remoteSdp, oa.pendingOffer], ["ours-2", "theirs-2", null]);
});

// RFC 3264 §8.4 and the RFC 2543 connection address 0.0.0.0
const HOLD_TABLE: readonly [string, string, boolean, string | null][] = [
  ["sendrecv", sdp(4000, "sendrecv"), false, null],
  ["a=sendonly (RFC 3264 §8.4 hold)", sdp(4000, "sendonly"), true, "sendonly"],
  ["a=inactive", sdp(4000, "inactive"), true, "inactive"],
  ["a=recvonly is not hold by the sender", sdp(4000, "recvonly"), false, null],
  ["legacy c=IN IP4 0.0.0.0 (RFC 2543)", sdp(4000, "sendrecv", "0.0.0.0"), true, "connection-0.0.0.0"],
  [
    "session-level a=sendonly applies to the stream",
    sdp(4000, "sendrecv").replace("t=0 0\r\n", "t=0 0\r\na=sendonly\r\n").replace("a=sendrecv\r\n", ""),
    true,
    "sendonly",
  ],
  ["port 0 (stream removed) is not hold", sdp(0, "inactive"), false, null],
];
for (const [what, text, onHold, method] of HOLD_TABLE) {
  test(`hold detection: ${what}`, () => {
    assert.deepEqual(holdOf(text), { onHold, method });
  });
}

test("RFC 3264 §6.1: answer directions", () => {
  assert.equal(answerDirection("sendonly"), "recvonly");
  assert.equal(answerDirection("recvonly"), "sendonly");
  assert.equal(answerDirection("inactive", "sendrecv"), "inactive");
  assert.equal(answerDirection("sendrecv", "sendonly"), "sendonly");
  assert.equal(answerDirection("sendonly", "sendonly"), "inactive");
});

test("RFC 3261 §14.1: the glare retry timer is 2.1-4 s for the Call-ID owner, 0-2 s otherwise, in 10 ms units", () => {
  assert.equal(
    glareRetryDelayMs(true, () => 0),
    2100,
  );
  assert.equal(
    glareRetryDelayMs(true, () => 0.9999999),
    4000,
  );
  assert.equal(
    glareRetryDelayMs(false, () => 0),
    0,
  );
  assert.equal(
    glareRetryDelayMs(false, () => 0.9999999),
    2000,
  );
  for (let i = 0; i < 200; i++) {
    const r = Math.random;
    const owner = glareRetryDelayMs(true, r);
    const other = glareRetryDelayMs(false, r);
    assert.ok(owner >= 2100 && owner <= 4000 && owner % 10 === 0);
    assert.ok(other >= 0 && other <= 2000 && other % 10 === 0);
  }
  assert.ok([0, 0.5, 0.9999].every((x) => retryAfterS(() => x) >= 0 && retryAfterS(() => x) <= 10));
});

const base = { ourInvitePending: false, theirInvitePending: false, offerAnswer: "stable" as const };
test("RFC 3261 §14.2: a re-INVITE while our INVITE is in progress gets 491", () => {
  assert.deepEqual(glareVerdict({ ...base, method: "INVITE", hasOffer: true, ourInvitePending: true }), {
    status: 491,
  });
  assert.deepEqual(glareVerdict({ ...base, method: "INVITE", hasOffer: false, ourInvitePending: true }), {
    status: 491,
  });
});
test("RFC 3261 §14.2: a second INVITE before our final response to the first gets 500 with Retry-After 0-10", () => {
  const v = glareVerdict({ ...base, method: "INVITE", hasOffer: true, theirInvitePending: true }, () => 0.35);
  assert.deepEqual(v, { status: 500, retryAfterS: 3 });
});
test("RFC 3311 §5.2: an UPDATE offer while our offer is outstanding gets 491; while theirs is unanswered, 500", () => {
  assert.deepEqual(glareVerdict({ ...base, method: "UPDATE", hasOffer: true, offerAnswer: "offer-sent" }), {
    status: 491,
  });
  assert.equal(
    glareVerdict({ ...base, method: "UPDATE", hasOffer: true, offerAnswer: "offer-received" })?.status,
    500,
  );
  assert.equal(
    glareVerdict({ ...base, method: "UPDATE", hasOffer: false, offerAnswer: "offer-sent" }),
    null,
    "an UPDATE without offer is only a refresh",
  );
  assert.equal(glareVerdict({ ...base, method: "UPDATE", hasOffer: true }), null);
});
