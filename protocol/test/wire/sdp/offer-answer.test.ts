import { test } from "node:test";
import assert from "node:assert/strict";
import { negotiatedAudio, firstAudio } from "../../../src/wire/sdp/offer-answer.ts";
import { parseSdp } from "../../../src/wire/sdp/parse.ts";
import type { SdpMedia } from "../../../src/wire/sdp/types.ts";
import * as F from "./fixtures.ts";

function audio(text: string): SdpMedia {
  const r = parseSdp(text);
  assert.ok(r.ok);
  const m = firstAudio(r.sdp);
  assert.ok(m);
  return m;
}

/** a one-m-line SDP: `audio("0 101", "a=rtpmap:101 telephone-event/8000")` */
function m(fmts: string, ...attrs: string[]): SdpMedia {
  return audio(["v=0", "c=IN IP4 192.0.2.1", `m=audio 4000 RTP/AVP ${fmts}`, ...attrs].join("\r\n"));
}

test("delayed offer (200 OK offer, ACK answer, real capture): PCMA with telephone-event 96 on both sides", () => {
  const n = negotiatedAudio(audio(F.DELAYED_OFFER_200), audio(F.DELAYED_ANSWER_ACK));
  assert.deepEqual(n, {
    codec: { pt: 8, name: "PCMA", clockRate: 8000 },
    answerNotInOffer: [],
    answerUnmapped: [],
    telephoneEvent: { offerPt: 96, answerPt: 96, clockRateMismatch: false, codecRateMismatch: false },
    rejected: false,
  });
});

test("codec is the answer's first format also in the offer, skipping telephone-event and CN (RFC 3264 §6.1)", () => {
  const offer = m("0 8 13 101", "a=rtpmap:101 telephone-event/8000");
  const answer = m("101 13 8 0", "a=rtpmap:101 telephone-event/8000");
  assert.deepEqual(negotiatedAudio(offer, answer).codec, { pt: 8, name: "PCMA", clockRate: 8000 });
});

test("formats match by name (case-insensitive) and clock rate, not by PT number", () => {
  const offer = m("97", "a=rtpmap:97 iLBC/8000");
  const answer = m("98", "a=rtpmap:98 ilbc/8000");
  const n = negotiatedAudio(offer, answer);
  assert.deepEqual(n.codec, { pt: 98, name: "ilbc", clockRate: 8000 });
  assert.deepEqual(n.answerNotInOffer, []);
  const otherRate = negotiatedAudio(m("96", "a=rtpmap:96 opus/48000/2"), m("96", "a=rtpmap:96 opus/16000/2"));
  assert.equal(otherRate.codec, null);
});

test("asymmetric telephone-event PT (offer 101, answer 96) is reported per side", () => {
  const n = negotiatedAudio(
    m("0 101", "a=rtpmap:101 telephone-event/8000"),
    m("0 96", "a=rtpmap:96 telephone-event/8000"),
  );
  assert.deepEqual(n.telephoneEvent, {
    offerPt: 101,
    answerPt: 96,
    clockRateMismatch: false,
    codecRateMismatch: false,
  });
  assert.deepEqual(n.answerNotInOffer, []);
});

test("telephone-event clock rate mismatch with the offer and with the codec", () => {
  const n = negotiatedAudio(
    m("0 101", "a=rtpmap:101 telephone-event/8000"),
    m("0 101", "a=rtpmap:101 telephone-event/16000"),
  );
  assert.deepEqual(n.telephoneEvent, {
    offerPt: 101,
    answerPt: 101,
    clockRateMismatch: true,
    codecRateMismatch: true,
  });
  assert.deepEqual(n.answerNotInOffer, [{ pt: 101, name: "telephone-event", clockRate: 16000 }]);
});

test("a matching telephone-event rate is preferred when the offer lists several (WebRTC style)", () => {
  const offer = m(
    "111 110 126",
    "a=rtpmap:111 opus/48000/2",
    "a=rtpmap:110 telephone-event/48000",
    "a=rtpmap:126 telephone-event/8000",
  );
  const answer = m("0 101", "a=rtpmap:101 telephone-event/8000");
  const n = negotiatedAudio(offer, answer);
  assert.deepEqual(n.telephoneEvent, {
    offerPt: 126,
    answerPt: 101,
    clockRateMismatch: false,
    codecRateMismatch: false,
  });
  assert.equal(n.codec, null, "PCMU was not offered");
  assert.deepEqual(n.answerNotInOffer, [{ pt: 0, name: "PCMU", clockRate: 8000 }]);
});

test("telephone-event on one side only gives null", () => {
  assert.equal(negotiatedAudio(m("0 101", "a=rtpmap:101 telephone-event/8000"), m("0")).telephoneEvent, null);
  assert.equal(negotiatedAudio(m("0"), m("0 101", "a=rtpmap:101 telephone-event/8000")).telephoneEvent, null);
});

test("answer with only a codec absent from the offer: no codec, violation listed", () => {
  const n = negotiatedAudio(m("0"), m("18"));
  assert.equal(n.codec, null);
  assert.deepEqual(n.answerNotInOffer, [{ pt: 18, name: "G729", clockRate: 8000 }]);
  assert.equal(n.rejected, false);
});

test("answer PT without rtpmap is reported as unmapped", () => {
  const n = negotiatedAudio(m("0 97", "a=rtpmap:97 telephone-event/8000"), m("0 97"));
  assert.deepEqual(n.answerUnmapped, [97]);
  assert.equal(n.telephoneEvent, null);
});

test("port 0 in the answer is a rejection (RFC 3264 §6): no codec", () => {
  const n = negotiatedAudio(audio(F.DOMAIN_OFFER), audio(F.REJECTED_ANSWER));
  assert.equal(n.rejected, true);
  assert.equal(n.codec, null);
  assert.equal(n.telephoneEvent, null);
});

test("firstAudio skips image m-lines and returns null without audio", () => {
  const r = parseSdp("v=0\r\nm=image 4000 udptl t38\r\nm=audio 4002 RTP/AVP 8\r\n");
  assert.ok(r.ok);
  assert.equal(firstAudio(r.sdp)?.port, 4002);
  const none = parseSdp("v=0\r\nm=image 4000 udptl t38\r\n");
  assert.ok(none.ok);
  assert.equal(firstAudio(none.sdp), null);
});
