import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseRtpHeader } from "../../../src/wire/rtp/header.ts";
import { looksLikeRtcp, looksLikeRtp } from "../../../src/wire/rtp/looks-like.ts";
import { buildRtpPacket, writeRtpHeader } from "../../../src/wire/rtp/write.ts";

test("builds the exact bytes of the SIPp NTE end packet (sipp-rtp-only-rfc2833-digit1.pcap frame 8)", () => {
  const pkt = buildRtpPacket({
    marker: false,
    payloadType: 101,
    sequence: 7991,
    timestamp: 13280,
    ssrc: 0x0e05384e,
    payload: Buffer.from("018a08c0", "hex"),
  });
  assert.equal(pkt.toString("hex"), "80651f37000033e00e05384e018a08c0");
});

test("writes CSRCs, extension and padding as the RFC 3550 diagrams lay them out", () => {
  const pkt = buildRtpPacket({
    marker: true,
    payloadType: 0,
    sequence: 1,
    timestamp: 2,
    ssrc: 3,
    csrcs: [0x11111111],
    extension: { profile: 0xbede, data: Buffer.from("01020304", "hex") },
    payload: Buffer.from("ff", "hex"),
    paddingLength: 3,
  });
  // V=2 P=1 X=1 CC=1 -> 0xb1; M=1 PT=0 -> 0x80
  assert.equal(
    pkt.toString("hex"),
    "b1800001" + "00000002" + "00000003" + "11111111" + "bede0001" + "01020304" + "ff" + "000003",
  );
});

test("writeRtpHeader returns the header length and writes at the offset", () => {
  const buf = Buffer.alloc(20, 0xee);
  const n = writeRtpHeader(buf, 4, {
    payloadType: 8,
    sequence: 0x1234,
    timestamp: 0x01020304,
    ssrc: 0xdeadbeef,
  });
  assert.equal(n, 12);
  assert.equal(buf.toString("hex"), "eeeeeeee" + "80081234" + "01020304" + "deadbeef" + "eeeeeeee");
});

test("out-of-range fields and short buffers throw RangeError (caller bugs)", () => {
  const base = { payloadType: 0, sequence: 0, timestamp: 0, ssrc: 0, payload: Buffer.alloc(0) };
  assert.throws(() => buildRtpPacket({ ...base, payloadType: 128 }), RangeError);
  assert.throws(() => buildRtpPacket({ ...base, sequence: 65536 }), RangeError);
  assert.throws(() => buildRtpPacket({ ...base, timestamp: 2 ** 32 }), RangeError);
  assert.throws(() => buildRtpPacket({ ...base, ssrc: -1 }), RangeError);
  assert.throws(() => buildRtpPacket({ ...base, csrcs: new Array<number>(16).fill(0) }), RangeError);
  assert.throws(
    () => buildRtpPacket({ ...base, extension: { profile: 0, data: Buffer.alloc(3) } }),
    RangeError,
  );
  assert.throws(() => buildRtpPacket({ ...base, paddingLength: 256 }), RangeError);
  assert.throws(() => writeRtpHeader(Buffer.alloc(11), 0, base), RangeError);
});

const fieldsArb = fc.record({
  marker: fc.boolean(),
  payloadType: fc.integer({ min: 0, max: 127 }),
  sequence: fc.integer({ min: 0, max: 0xffff }),
  timestamp: fc.integer({ min: 0, max: 0xffffffff }),
  ssrc: fc.integer({ min: 0, max: 0xffffffff }),
  csrcs: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 15 }),
  extension: fc.option(
    fc.record({
      profile: fc.integer({ min: 0, max: 0xffff }),
      data: fc
        .integer({ min: 0, max: 4 })
        .chain((w) => fc.uint8Array({ minLength: w * 4, maxLength: w * 4 })),
    }),
    { nil: undefined },
  ),
  payload: fc.uint8Array({ maxLength: 64 }),
  paddingLength: fc.integer({ min: 0, max: 255 }),
});

test("property: build -> parse round-trips every field", () => {
  fc.assert(
    fc.property(fieldsArb, (f) => {
      const pkt = buildRtpPacket(f);
      const h = parseRtpHeader(pkt, 0, pkt.length);
      assert.ok(h.ok, JSON.stringify(h));
      assert.equal(h.marker, f.marker);
      assert.equal(h.payloadType, f.payloadType);
      assert.equal(h.sequence, f.sequence);
      assert.equal(h.timestamp, f.timestamp);
      assert.equal(h.ssrc, f.ssrc);
      assert.deepEqual([...h.csrcs], f.csrcs);
      assert.equal(h.extensionProfile, f.extension ? f.extension.profile : null);
      assert.equal(h.paddingLength, f.paddingLength);
      assert.deepEqual(
        new Uint8Array(pkt.subarray(h.payloadOffset, h.payloadOffset + h.payloadLength)),
        new Uint8Array(f.payload),
      );
      // PT 64-95 with M=1 collides with RTCP by design (RFC 5761 §4); everything else is RTP.
      const b1 = pkt[1]!;
      assert.equal(looksLikeRtp(pkt, 0, pkt.length), b1 < 192 || b1 > 223);
    }),
    { numRuns: 300 },
  );
});

test("property: random bytes never make the parsers or checks throw", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 80 }),
      fc.integer({ min: -2, max: 90 }),
      fc.integer({ min: -2, max: 90 }),
      (bytes, off, len) => {
        const buf = Buffer.from(bytes);
        const h = parseRtpHeader(buf, off, len);
        if (h.ok) {
          assert.ok(h.payloadOffset + h.payloadLength + h.paddingLength === off + len);
          assert.ok(h.payloadLength >= 0);
        }
        looksLikeRtp(buf, off, len);
        looksLikeRtcp(buf, off, len);
      },
    ),
    { numRuns: 500 },
  );
});
