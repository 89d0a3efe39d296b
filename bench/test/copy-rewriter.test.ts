import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { ipToLink } from "../../captures/src/pcap/link-builder.ts";
import { ipUdp } from "../../captures/src/pcap/packet-builder.ts";
import { parseSip } from "../../protocol/src/wire/sip/parse.ts";
import {
  CopyPlan,
  MAX_FRAME_BYTES,
  ipv4HeaderChecksum,
  parseIpv4Text,
  rewriteFrame,
  rewriteSipText,
  shiftIpv4,
  ssrcMask,
} from "../lib/copy-rewriter.ts";

const LOOP = parseIpv4Text("127.0.0.1")!;
const SEED = new Set([LOOP]);
const ETH = 1;

function invite(callId: string, ip: string, extraSdp = ""): string {
  const sdp = `v=0\r\no=user1 53655765 2353687637 IN IP4 ${ip}\r\ns=-\r\nc=IN IP4 ${ip}\r\nt=0 0\r\nm=audio 17020 RTP/AVP 8 101\r\n${extraSdp}a=rtpmap:8 PCMA/8000\r\n`;
  return (
    `INVITE sip:service@${ip}:17000 SIP/2.0\r\nVia: SIP/2.0/UDP ${ip}:17001;branch=z9hG4bK-1\r\n` +
    `From: sipp <sip:sipp@${ip}:17001>;tag=1\r\nTo: service <sip:service@${ip}:17000>\r\nCall-ID: ${callId}\r\n` +
    `CSeq: 1 INVITE\r\nContact: sip:sipp@${ip}:17001\r\nContent-Type: application/sdp\r\n` +
    `Content-Length:   ${Buffer.byteLength(sdp, "latin1")}\r\n\r\n${sdp}`
  );
}

function sipFrame(text: string): Buffer {
  return ipToLink(ETH, ipUdp("127.0.0.1", "127.0.0.1", 17001, 17000, Buffer.from(text, "latin1")));
}

function rtpFrame(ssrc: number, seq: number): Buffer {
  const rtp = Buffer.alloc(12 + 240);
  rtp[0] = 0x80;
  rtp[1] = 8;
  rtp.writeUInt16BE(seq, 2);
  rtp.writeUInt32BE(123456, 4);
  rtp.writeUInt32BE(ssrc, 8);
  return ipToLink(ETH, ipUdp("127.0.0.1", "127.0.0.1", 17020, 17004, rtp));
}

function rewrite(frame: Buffer, k: number): Buffer {
  const out = Buffer.alloc(MAX_FRAME_BYTES);
  const n = rewriteFrame(ETH, frame, 0, frame.length, new CopyPlan(k, SEED), out);
  return Buffer.from(out.subarray(0, n));
}

/** The RFC 791 checksum verifies when the one's-complement sum over the header, checksum included, is 0xffff. */
function ipHeaderVerifies(f: Buffer): boolean {
  const ihl = (f[14]! & 0x0f) * 4;
  const stored = f.readUInt16BE(14 + 10);
  return ipv4HeaderChecksum(f, 14, ihl) === stored;
}

test("address shift keeps the first octet and moves the rest by k x 2^16; copy 0 is the identity", () => {
  assert.equal(shiftIpv4(LOOP, 0), LOOP);
  assert.equal(shiftIpv4(LOOP, 3), parseIpv4Text("127.3.0.1"));
  assert.equal(shiftIpv4(parseIpv4Text("10.255.0.7")!, 1), parseIpv4Text("10.0.0.7"), "wraps inside the /8");
  assert.equal(parseIpv4Text("256.0.0.1"), null);
});

test("SSRC masks are non-zero and distinct for the first 4096 copies", () => {
  const seen = new Set<number>();
  for (let k = 1; k <= 4096; k++) seen.add(ssrcMask(k));
  assert.equal(seen.size, 4096);
  assert.ok(!seen.has(0));
});

test("SIP text: Call-ID prefixed, every seed address moved, Content-Length fixed to the new body", () => {
  const text = invite("1-32622@127.0.0.1", "127.0.0.1", "a=x-note:127.0.0.10 1127.0.0.1 127.0.0.1.5\r\n");
  const out = rewriteSipText(text, new CopyPlan(12, SEED));
  assert.match(out, /^Call-ID: k12-1-32622@127\.12\.0\.1\r$/m);
  assert.match(out, /^c=IN IP4 127\.12\.0\.1\r$/m);
  assert.match(out, /^o=user1 53655765 2353687637 IN IP4 127\.12\.0\.1\r$/m);
  assert.match(out, /^INVITE sip:service@127\.12\.0\.1:17000 SIP\/2\.0\r$/m);
  assert.match(out, /a=x-note:127\.0\.0\.10 1127\.0\.0\.1 127\.0\.0\.1\.5/, "look-alikes stay");
  const body = out.slice(out.indexOf("\r\n\r\n") + 4);
  assert.match(out, new RegExp(`^Content-Length:   ${Buffer.byteLength(body, "latin1")}\\r$`, "m"));
});

test("SIP text: a short Call-ID is prefixed in its header only", () => {
  const out = rewriteSipText(invite("1", "127.0.0.1"), new CopyPlan(2, SEED));
  assert.match(out, /^Call-ID: k2-1\r$/m);
  assert.match(out, /m=audio 17020 RTP\/AVP 8 101/, "digits elsewhere untouched");
});

test("SIP text: Cisco-Guid prefixed and Session-ID UUIDs renumbered, so copies are distinct calls", () => {
  const text =
    "INVITE sip:1000@127.0.0.1 SIP/2.0\r\nCall-ID: abc\r\nCisco-Guid: 1234-5678\r\n" +
    "Session-ID: 0123456789abcdef0123456789abcdef;remote=fedcba9876543210fedcba9876543210\r\n" +
    "Content-Length: 0\r\n\r\n";
  const out = rewriteSipText(text, new CopyPlan(26, SEED));
  assert.match(out, /^Cisco-Guid: k26-1234-5678\r$/m);
  assert.match(
    out,
    /^Session-ID: 001a456789abcdef0123456789abcdef;remote=001aba9876543210fedcba9876543210\r$/m,
  );
});

test("a SIP frame of copy k parses with the new Call-ID, its whole body, and consistent IP/UDP lengths", () => {
  const frame = sipFrame(invite("7-99@127.0.0.1", "127.0.0.1"));
  const f = rewrite(frame, 25);
  assert.equal(f.readUInt16BE(14 + 2), f.length - 14, "IPv4 total length");
  assert.equal(f.readUInt16BE(14 + 20 + 4), f.length - 14 - 20, "UDP length");
  assert.equal(f.readUInt16BE(14 + 20 + 6), 0, "UDP checksum zeroed");
  assert.ok(ipHeaderVerifies(f));
  assert.equal(f.readUInt32BE(14 + 12), parseIpv4Text("127.25.0.1"));
  assert.equal(f.readUInt32BE(14 + 16), parseIpv4Text("127.25.0.1"));
  const r = parseSip(f.subarray(14 + 28), "strict");
  assert.ok(r.ok, "parses strictly");
  const callId = r.message.headers.find((h) => h.name === "call-id")?.value;
  assert.equal(callId, "k25-7-99@127.25.0.1");
  assert.ok(
    r.message.body.toString("latin1").endsWith("a=rtpmap:8 PCMA/8000\r\n"),
    "body not cut by Content-Length",
  );
});

test("an RTP frame of copy k: SSRC XORed, sequence number and payload kept, checksum valid", () => {
  const frame = rtpFrame(0xdee0ee8f, 4242);
  const f = rewrite(frame, 3);
  assert.equal(f.length, frame.length);
  assert.equal(f.readUInt32BE(42 + 8), (0xdee0ee8f ^ ssrcMask(3)) >>> 0);
  assert.equal(f.readUInt16BE(42 + 2), 4242);
  assert.deepEqual(f.subarray(42 + 12), frame.subarray(42 + 12));
  assert.ok(ipHeaderVerifies(f));
});

test("copy 0 is the seed frame byte for byte", () => {
  for (const frame of [sipFrame(invite("1-2@127.0.0.1", "127.0.0.1")), rtpFrame(1, 2)]) {
    assert.deepEqual(rewrite(frame, 0), frame);
  }
});

test("property: for any copy and SDP padding, the rewritten SIP frame parses with its full body", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 255 }),
      fc.array(fc.stringMatching(/^[a-z0-9 .:=-]{0,40}$/), { maxLength: 6 }),
      (k, lines) => {
        const extra = lines.map((l) => `a=x-${l}127.0.0.1\r\n`).join("");
        const f = rewrite(sipFrame(invite(`${k}-abcdef@127.0.0.1`, "127.0.0.1", extra)), k);
        const r = parseSip(f.subarray(14 + 28), "strict");
        if (!r.ok) return false;
        const body = r.message.body.toString("latin1");
        return (
          body.endsWith("a=rtpmap:8 PCMA/8000\r\n") &&
          !body.includes(" 127.0.0.1\r") &&
          f.readUInt16BE(14 + 2) === f.length - 14 &&
          ipHeaderVerifies(f)
        );
      },
    ),
    { numRuns: 300 },
  );
});
