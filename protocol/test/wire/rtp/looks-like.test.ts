import { test } from "node:test";
import assert from "node:assert/strict";
import { looksLikeRtcp, looksLikeRtp } from "../../../src/wire/rtp/looks-like.ts";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");

/**
 * ws-sample-sip-call-rtp-g711.pcap frame 504 (udp.payload); tshark 4.0: rtcp.pt 200,201
 * (SR with one report block, then RR), rtcp.length 12,7, sender SSRC 0xd2bd4e3e.
 */
const RTCP_SR_RR =
  "81c8000cd2bd4e3ec59286d4e6e978d5000001400000000200000140d2bd4e3e00000000000200020000000086d4e6e9" +
  "0000000181c90007d2bd4e3e0000000000000000000000000000000086d4e6e900000001";

test("a real SR+RR compound packet is RTCP, not RTP", () => {
  const buf = hex(RTCP_SR_RR);
  assert.equal(buf.length, 84);
  assert.equal(looksLikeRtcp(buf, 0, buf.length), true);
  assert.equal(looksLikeRtp(buf, 0, buf.length), false);
});

test("second byte 192-223 is RTCP (RFC 5761 §4), 191 and 224 are RTP", () => {
  for (const b1 of [192, 200, 201, 202, 203, 204, 205, 206, 207, 223]) {
    const buf = hex("80" + b1.toString(16) + "0002 00000001 00000000");
    assert.equal(looksLikeRtp(buf, 0, buf.length), false, `b1=${b1}`);
    assert.equal(looksLikeRtcp(buf, 0, buf.length), true, `b1=${b1}`);
  }
  for (const b1 of [0, 8, 101, 127, 128, 191, 224, 229, 255]) {
    const buf = hex("80" + b1.toString(16).padStart(2, "0") + "0002 00000001 00000000");
    assert.equal(looksLikeRtp(buf, 0, buf.length), true, `b1=${b1}`);
    assert.equal(looksLikeRtcp(buf, 0, buf.length), false, `b1=${b1}`);
  }
});

test("RTCP length field must fit the datagram", () => {
  const buf = hex("81c9 0007 d2bd4e3e"); // says 32 bytes, has 8
  assert.equal(looksLikeRtcp(buf, 0, buf.length), false);
  const rr = hex("80c9 0001 d2bd4e3e"); // RR with no report blocks: 8 bytes
  assert.equal(looksLikeRtcp(rr, 0, rr.length), true);
});

test("version other than 2 or too short is neither", () => {
  const v1 = hex("40000001 00000002 00000003");
  assert.equal(looksLikeRtp(v1, 0, v1.length), false);
  const short = hex("80000001 00000002 000000");
  assert.equal(looksLikeRtp(short, 0, short.length), false);
  assert.equal(looksLikeRtcp(hex("81c8"), 0, 2), false);
  assert.equal(looksLikeRtp(v1, 4, v1.length), false, "range past the end");
});
