import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSdp } from "../../../src/wire/sdp/index.ts";
import { rejectingAnswer } from "../../../src/wire/sdp/rejecting-answer.ts";

const OFFER = [
  "v=0",
  "o=cucm 1 2 IN IP4 10.1.1.1",
  "s=SIP Call",
  "c=IN IP4 10.1.1.1",
  "t=0 0",
  "m=audio 16384 RTP/AVP 0 8 101",
  "a=rtpmap:101 telephone-event/8000",
  "a=fmtp:101 0-15",
  "m=video 16386 RTP/AVP 97",
  "a=rtpmap:97 H264/90000",
  "m=image 16388 udptl t38",
  "",
].join("\r\n");

test("RFC 3264 §6: the refusing answer has the offer's m-lines in order, each at port 0 with one format", () => {
  const text = rejectingAnswer(OFFER, "192.0.2.7");
  assert.ok(text !== null);
  const a = parseSdp(text);
  assert.ok(a.ok, "it parses");
  assert.deepEqual(
    a.sdp.media.map((m) => [m.type, m.port, m.proto, m.formats.join(" ")]),
    [
      ["audio", 0, "RTP/AVP", "0"],
      ["video", 0, "RTP/AVP", "97"],
      ["image", 0, "udptl", "t38"],
    ],
  );
  assert.equal(a.sdp.origin?.address, "192.0.2.7", "o= is ours");
  assert.equal(a.sdp.connection, "192.0.2.7");
  assert.doesNotMatch(text, /rtpmap|fmtp/, "formats of a refused stream are ignored: none described");
  assert.match(text, /\r\n$/);
});

test("the refusing answer: IPv6 origin, and null for an offer that does not parse", () => {
  const text = rejectingAnswer(OFFER, "2001:db8::7");
  assert.ok(text !== null);
  assert.match(text, /^o=- \d+ \d+ IN IP6 2001:db8::7\r$/m);
  assert.equal(rejectingAnswer("this is not SDP", "192.0.2.7"), null);
});
