/**
 * Every public capture (in captures/fixtures/public/) against tshark: counts written
 * down from tshark 4.0.17, and — when tshark is installed — a live comparison frame by frame.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { readTransport } from "../../src/pcap/decode.ts";
import { readCapture } from "../../src/pcap/reader.ts";
import type { TransportPayload, UndecodedFrame } from "../../src/pcap/types.ts";
import { mergeCaptures, tsharkAvailable, tsharkView } from "./tshark-oracle.ts";

const DIR = join(import.meta.dirname, "..", "..", "fixtures", "public");

/**
 * From tshark 4.0.17: `-T fields -e frame.number` rows; frames with `udp` / `tcp` (not inside ICMP);
 * tcpBytes = sum over TCP directions of the union of [seq, seq+len) of the segments.
 */
const EXPECTED: ReadonlyMap<
  string,
  { frames: number; udp: number; tcp: number; tcpBytes: number; linkType: number }
> = new Map([
  [
    "asterisk-rtp-only-pcmu-rfc2833-2013785496.pcap",
    { frames: 974, udp: 974, tcp: 0, tcpBytes: 0, linkType: 113 },
  ],
  ["heplify-sip-erspan-subscribe-notify.pcapng", { frames: 140, udp: 140, tcp: 0, tcpBytes: 0, linkType: 1 }],
  ["heplify-sip-ipv6-udp-call.pcap", { frames: 6, udp: 6, tcp: 0, tcpBytes: 0, linkType: 1 }],
  ["heplify-sip-over-sctp-403.pcap", { frames: 5, udp: 0, tcp: 0, tcpBytes: 0, linkType: 113 }],
  ["heplify-sip-over-tcp-call.pcap", { frames: 84, udp: 68, tcp: 16, tcpBytes: 4035, linkType: 1 }],
  [
    "heplify-sip-register-tcp-retrans.pcap",
    { frames: 196, udp: 4, tcp: 181, tcpBytes: 28785, linkType: 113 },
  ],
  ["heplify-sip-websocket-udp-b2bua.pcap", { frames: 61, udp: 28, tcp: 33, tcpBytes: 14385, linkType: 1 }],
  ["ndpi-http-on-port-5060-not-sip.pcap", { frames: 4, udp: 0, tcp: 4, tcpBytes: 1583, linkType: 1 }],
  ["ndpi-sip-register-digest.pcapng", { frames: 30, udp: 30, tcp: 0, tcpBytes: 0, linkType: 1 }],
  ["sipp-rtp-only-pcma.pcap", { frames: 236, udp: 236, tcp: 0, tcpBytes: 0, linkType: 1 }],
  ["sipp-rtp-only-rfc2833-digit1.pcap", { frames: 10, udp: 10, tcp: 0, tcpBytes: 0, linkType: 1 }],
  ["sipp-rtp-only-rfc2833-pound.pcap", { frames: 10, udp: 10, tcp: 0, tcpBytes: 0, linkType: 1 }],
  [
    "sngrep-sip-ipv6-fragmented-prack-update.pcap",
    { frames: 34, udp: 32, tcp: 0, tcpBytes: 0, linkType: 113 },
  ],
  ["sngrep-sip-tcp-ipip-tunnel.pcap", { frames: 4, udp: 0, tcp: 4, tcpBytes: 2749, linkType: 1 }],
  [
    "ws-sample-aaa-register-invite-cancel.pcap",
    { frames: 691, udp: 590, tcp: 57, tcpBytes: 814, linkType: 1 },
  ],
  ["ws-sample-fax-call-t38-multileg.pcap", { frames: 1552, udp: 1552, tcp: 0, tcpBytes: 0, linkType: 1 }],
  ["ws-sample-nb6-telephone-port5062.pcap", { frames: 527, udp: 522, tcp: 0, tcpBytes: 0, linkType: 1 }],
  ["ws-sample-sip-call-rtp-g711.pcap", { frames: 4269, udp: 3583, tcp: 522, tcpBytes: 99282, linkType: 1 }],
  ["ws-sample-sip-dtmf2-rfc2833.pcap", { frames: 1360, udp: 1360, tcp: 0, tcpBytes: 0, linkType: 1 }],
  ["ws-sample-sip-rtp-g722.pcap", { frames: 433, udp: 433, tcp: 0, tcpBytes: 0, linkType: 1 }],
  ["ws-sample-sip-rtp-g729a.pcap", { frames: 433, udp: 433, tcp: 0, tcpBytes: 0, linkType: 1 }],
  ["zeek-sip-invalid-content-length.pcap", { frames: 2, udp: 2, tcp: 0, tcpBytes: 0, linkType: 1 }],
  ["zeek-sip-junk-before-request.pcap", { frames: 2, udp: 2, tcp: 0, tcpBytes: 0, linkType: 1 }],
]);

interface Collected {
  udp: { frame: number; srcIp: string; dstIp: string; srcPort: number; dstPort: number; payload: Buffer }[];
  tcp: Map<string, Buffer[]>;
  undecoded: { frame: number; reason: string; detail: number }[];
}

function collect(file: string) {
  const got: Collected = { udp: [], tcp: new Map(), undecoded: [] };
  const outcome = readTransport(
    file,
    (p: TransportPayload) => {
      const payload = Buffer.from(p.data.subarray(p.offset, p.offset + p.length));
      if (p.proto === "udp") {
        got.udp.push({
          frame: p.frame,
          srcIp: p.srcIp,
          dstIp: p.dstIp,
          srcPort: p.srcPort,
          dstPort: p.dstPort,
          payload,
        });
      } else {
        const key = `${p.srcIp}|${p.srcPort}|${p.dstIp}|${p.dstPort}`;
        const list = got.tcp.get(key) ?? [];
        list.push(payload);
        got.tcp.set(key, list);
      }
    },
    { onUndecoded: (u: UndecodedFrame) => got.undecoded.push({ ...u }) },
  );
  return { outcome, got };
}

describe("public captures: counts agree with tshark", () => {
  it("has an expectation for every fixture file", () => {
    assert.deepEqual(
      readdirSync(DIR)
        .filter((f) => /\.pcap(ng)?$/.test(f))
        .sort(),
      [...EXPECTED.keys()].sort(),
    );
  });

  for (const [name, exp] of EXPECTED) {
    it(`${name}: ${exp.frames} frames, ${exp.udp} UDP, ${exp.tcp} TCP, ${exp.tcpBytes} TCP bytes`, () => {
      const file = join(DIR, name);
      let frames = 0;
      const raw = readCapture(file, () => frames++);
      assert.equal(raw.error, null);
      assert.equal(frames, exp.frames);
      assert.equal(raw.info.linkType, exp.linkType);
      assert.equal(
        raw.info.format,
        name.endsWith(".pcapng") || name.startsWith("ndpi-http") ? "pcapng" : "pcap",
      );

      const { outcome, got } = collect(file);
      assert.equal(outcome.error, null);
      assert.equal(outcome.stats.packets, exp.frames);
      assert.equal(outcome.transport?.udpDatagrams, exp.udp);
      assert.equal(got.udp.length, exp.udp);
      assert.equal(outcome.transport?.tcpSegments, exp.tcp);
      assert.equal(outcome.transport?.tcpBytes, exp.tcpBytes, "each TCP byte delivered exactly once");
      assert.equal(outcome.transport?.tcpGaps, 0);
      assert.equal(outcome.transport?.ipFragmentsIncomplete, 0);
    });
  }
});

describe("public captures: notable files", () => {
  it("SCTP frames are undecoded (IP protocol 132), not errors", () => {
    const { outcome, got } = collect(join(DIR, "heplify-sip-over-sctp-403.pcap"));
    assert.equal(outcome.error, null);
    assert.equal(outcome.stats.undecoded, 5);
    assert.deepEqual(
      got.undecoded.map((u) => [u.reason, u.detail]),
      Array.from({ length: 5 }, () => ["ip-protocol", 132]),
    );
  });

  it("ERSPAN-style Ethernet-in-GRE: payloads carry the inner IP header's addresses", () => {
    const { got } = collect(join(DIR, "heplify-sip-erspan-subscribe-notify.pcapng"));
    const first = got.udp[0]!;
    assert.deepEqual(
      [first.frame, first.srcIp, first.dstIp, first.srcPort, first.dstPort, first.payload.length],
      [1, "180.173.83.248", "101.231.48.19", 53221, 5260, 683 - 8],
    );
  });

  it("IP-in-IP: the TCP stream is keyed by the inner addresses", () => {
    const { got } = collect(join(DIR, "sngrep-sip-tcp-ipip-tunnel.pcap"));
    const inner = got.tcp.get("10.15.193.31|33093|10.15.197.103|5090");
    assert.ok(inner, [...got.tcp.keys()].join(" "));
    assert.equal(Buffer.concat(inner).length, 621 + 616);
    assert.match(Buffer.concat(inner).toString("latin1"), /^(INVITE|ACK|BYE|SIP\/2\.0) /);
  });

  it("fragmented IPv6: the two reassembled SIP messages are complete (Content-Length matches the body)", () => {
    const { got } = collect(join(DIR, "sngrep-sip-ipv6-fragmented-prack-update.pcap"));
    const byFrame = new Map(got.udp.map((u) => [u.frame, u]));
    assert.ok(!byFrame.has(1) && !byFrame.has(4), "first fragments deliver nothing");
    for (const [frame, udpLength, src, sport] of [
      [2, 1699, "fd17:625c:f037:2:a00:27ff:feb9:1521", 15060],
      [5, 1879, "fd17:625c:f037:2:a00:27ff:feb9:3519", 5062],
    ] as const) {
      const u = byFrame.get(frame);
      assert.ok(u, `frame ${frame}`);
      assert.equal(u.payload.length, udpLength - 8);
      assert.equal(u.srcIp, src);
      assert.equal(u.srcPort, sport);
      const text = u.payload.toString("latin1");
      const split = text.indexOf("\r\n\r\n");
      const cl = /\r\nContent-Length:\s*(\d+)/i.exec(text);
      assert.ok(split > 0 && cl, "a header block with Content-Length");
      assert.equal(text.length - split - 4, Number(cl[1]));
    }
  });
});

describe(
  "public captures: live tshark oracle",
  { skip: !tsharkAvailable() && "tshark not installed" },
  () => {
    // One tshark run over all fixtures concatenated (mergecap -a) into a pcapng with one interface
    // per file and mixed link types: a tshark start costs a second, so this keeps the suite fast.
    it("all fixtures concatenated: same frames, same UDP datagrams, same TCP segments and streams", () => {
      const tmp = mkdtempSync(join(tmpdir(), "pcap-oracle-"));
      try {
        const merged = join(tmp, "all.pcapng");
        mergeCaptures(
          merged,
          [...EXPECTED.keys()].map((n) => join(DIR, n)),
        );
        const theirs = tsharkView(merged);
        const { outcome, got } = collect(merged);
        assert.equal(outcome.error, null);
        assert.equal(outcome.stats.packets, theirs.frames);
        assert.equal(outcome.transport?.tcpSegments, theirs.tcpSegments);
        const ours = got.udp.map(({ payload, ...u }) => ({ ...u, payloadHex: payload.toString("hex") }));
        assert.equal(ours.length, theirs.udp.length);
        for (let i = 0; i < ours.length; i++) assert.deepEqual(ours[i], theirs.udp[i]);
        assert.deepEqual([...got.tcp.keys()].sort(), [...theirs.tcpStreams.keys()].sort());
        for (const [key, s] of theirs.tcpStreams) {
          assert.equal(s.holes, 0, key);
          assert.ok(Buffer.concat(got.tcp.get(key) ?? []).equals(s.data), `TCP bytes of ${key}`);
        }
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    });
  },
);
