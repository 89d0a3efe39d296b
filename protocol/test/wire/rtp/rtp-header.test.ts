import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRtpHeader } from "../../../src/wire/rtp/header.ts";
import { looksLikeRtcp, looksLikeRtp } from "../../../src/wire/rtp/looks-like.ts";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");

/**
 * Real packets and tshark 4.0's dissection of them, pasted as the oracle:
 *   tshark -r captures/public/sipp-rtp-only-rfc2833-digit1.pcap -T fields -e udp.payload
 *   tshark -r ... -d udp.port==10000,rtp -T fields -e rtp.marker -e rtp.p_type -e rtp.seq
 *          -e rtp.timestamp -e rtp.ssrc
 * (likewise sipp-rtp-only-rfc2833-pound.pcap, and sipp-rtp-only-pcma.pcap with udp.port==2006)
 */
const REAL = [
  {
    what: "sipp-rtp-only-rfc2833-digit1.pcap frame 1 (first NTE packet)",
    bytes: "80e51f30000033e00e05384e010a0000",
    tshark: { marker: 1, pt: 101, seq: 7984, ts: 13280, ssrc: 0x0e05384e, payloadLength: 4 },
  },
  {
    what: "sipp-rtp-only-rfc2833-digit1.pcap frame 8 (end packet)",
    bytes: "80651f37000033e00e05384e018a08c0",
    tshark: { marker: 0, pt: 101, seq: 7991, ts: 13280, ssrc: 0x0e05384e, payloadLength: 4 },
  },
  {
    what: "sipp-rtp-only-rfc2833-pound.pcap frame 1",
    bytes: "80e520f4000169e00e05384e0b0a0000",
    tshark: { marker: 1, pt: 101, seq: 8436, ts: 92640, ssrc: 0x0e05384e, payloadLength: 4 },
  },
  {
    what: "sipp-rtp-only-pcma.pcap frame 1 (udp.length 260: 12 + 240 bytes of 0xd5)",
    bytes: "8088e6fd000000f0dee0ee8f" + "d5".repeat(240),
    tshark: { marker: 1, pt: 8, seq: 59133, ts: 240, ssrc: 0xdee0ee8f, payloadLength: 240 },
  },
] as const;

for (const p of REAL) {
  test(`decodes ${p.what} as tshark does`, () => {
    const buf = hex(p.bytes);
    const h = parseRtpHeader(buf, 0, buf.length);
    assert.ok(h.ok, JSON.stringify(h));
    assert.equal(h.version, 2);
    assert.equal(h.marker, p.tshark.marker === 1);
    assert.equal(h.payloadType, p.tshark.pt);
    assert.equal(h.sequence, p.tshark.seq);
    assert.equal(h.timestamp, p.tshark.ts);
    assert.equal(h.ssrc, p.tshark.ssrc);
    assert.equal(h.payloadOffset, 12);
    assert.equal(h.payloadLength, p.tshark.payloadLength);
    assert.equal(looksLikeRtp(buf, 0, buf.length), true);
    assert.equal(looksLikeRtcp(buf, 0, buf.length), false);
  });
}

test("honours offset and length inside a larger buffer (payload offset is absolute)", () => {
  const inner = hex("80e51f30000033e00e05384e010a0000");
  const buf = Buffer.concat([hex("deadbeef"), inner, hex("ffff")]);
  const h = parseRtpHeader(buf, 4, inner.length);
  assert.ok(h.ok);
  assert.equal(h.sequence, 7984);
  assert.equal(h.payloadOffset, 16);
  assert.equal(h.payloadLength, 4);
});

/** Hand-built from the RFC 3550 §5.1 / §5.3.1 diagrams. */
test("CSRC list: CC=2 puts the payload after 8 more bytes", () => {
  // V=2 P=0 X=0 CC=2 | M=0 PT=0 | seq 1 | ts 2 | ssrc 3 | csrc 0x11111111 0x22222222 | "abcd"
  const buf = hex("8200 0001 00000002 00000003 11111111 22222222 61626364");
  const h = parseRtpHeader(buf, 0, buf.length);
  assert.ok(h.ok);
  assert.equal(h.csrcCount, 2);
  assert.deepEqual(h.csrcs, [0x11111111, 0x22222222]);
  assert.equal(h.headerLength, 20);
  assert.equal(buf.subarray(h.payloadOffset, h.payloadOffset + h.payloadLength).toString(), "abcd");
});

test("header extension: profile, length in 32-bit words excluding its own 4 bytes", () => {
  // V=2 X=1 | M=1 PT=96 | seq 0xffff | ts 0xffffffff | ssrc 0x80000000 | BEDE 0002 + 8 bytes | payload 2 bytes
  const buf = hex("90e0 ffff ffffffff 80000000 bede0002 1020304050607080 aabb");
  const h = parseRtpHeader(buf, 0, buf.length);
  assert.ok(h.ok);
  assert.equal(h.marker, true);
  assert.equal(h.payloadType, 96);
  assert.equal(h.sequence, 65535);
  assert.equal(h.timestamp, 4294967295);
  assert.equal(h.ssrc, 0x80000000);
  assert.equal(h.extensionProfile, 0xbede);
  assert.equal(h.extensionOffset, 16);
  assert.equal(h.extensionLength, 8);
  assert.equal(h.payloadOffset, 24);
  assert.equal(h.payloadLength, 2);
});

test("padding: last octet counts the padding including itself", () => {
  // V=2 P=1 | PT 0 | payload 0102 | padding 00 00 03
  const buf = hex("a000 0005 00000010 00000020 0102 000003");
  const h = parseRtpHeader(buf, 0, buf.length);
  assert.ok(h.ok);
  assert.equal(h.padding, true);
  assert.equal(h.paddingLength, 3);
  assert.equal(h.payloadLength, 2);
});

const BAD: readonly { what: string; bytes: string; code: string; offset?: number; length?: number }[] = [
  { what: "11 bytes", bytes: "80000001 00000002 000000", code: "too-short" },
  { what: "version 1", bytes: "40000001 00000002 00000003", code: "bad-version" },
  { what: "version 0 (e.g. STUN)", bytes: "00010000 2112a442 00000000 00000000", code: "bad-version" },
  { what: "CC=15 with no CSRCs", bytes: "8f000001 00000002 00000003 00000004", code: "truncated-csrc" },
  { what: "X=1 with no extension header", bytes: "90000001 00000002 00000003", code: "truncated-extension" },
  {
    what: "extension length past the end",
    bytes: "90000001 00000002 00000003 bede0002 00000000",
    code: "truncated-extension",
  },
  { what: "padding count 0", bytes: "a0000001 00000002 00000003 01020300", code: "bad-padding" },
  {
    what: "padding count larger than the payload",
    bytes: "a0000001 00000002 00000003 01020309",
    code: "bad-padding",
  },
  { what: "length past the buffer", bytes: "80000001 00000002 00000003", code: "bad-range", length: 13 },
  { what: "negative offset", bytes: "80000001 00000002 00000003", code: "bad-range", offset: -1 },
];

for (const b of BAD) {
  test(`rejects ${b.what} with ${b.code}`, () => {
    const buf = hex(b.bytes);
    const h = parseRtpHeader(buf, b.offset ?? 0, b.length ?? buf.length);
    assert.equal(h.ok, false);
    assert.equal(!h.ok && h.code, b.code);
  });
}

test("padding may follow an extension exactly at the end (payload length 0)", () => {
  const buf = hex("b0000001 00000002 00000003 00010001 00000000 00000004");
  const h = parseRtpHeader(buf, 0, buf.length);
  assert.ok(h.ok);
  assert.equal(h.payloadLength, 0);
  assert.equal(h.paddingLength, 4);
});
