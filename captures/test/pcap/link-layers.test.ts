/**
 * Link layers, shim headers and tunnels down to UDP: one synthesised frame per encapsulation,
 * checked against the addresses it was built with and, when tshark is installed, against tshark.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readTransport } from "../../src/pcap/decode.ts";
import {
  erspan2,
  erspan3,
  ethernet,
  gre,
  ipToLink,
  nullLoopback,
  pppoeSession,
  sll,
  sll2,
} from "../../src/pcap/link-builder.ts";
import { ipUdp, ipv4, ipv6, ipv6ExtensionHeader, udp } from "../../src/pcap/packet-builder.ts";
import type { UndecodedFrame } from "../../src/pcap/types.ts";
import { writePcap } from "../../src/pcap/writer.ts";
import { tempDir } from "./temp-files.ts";
import { mergeCaptures, tsharkAvailable, tsharkView } from "./tshark-oracle.ts";

const tmp = tempDir("pcap-link");

const V4 = ["192.0.2.10", "198.51.100.20"] as const;
const V6 = ["2001:db8::10", "2001:db8:0:1::20"] as const;
const OUTER = ["203.0.113.1", "203.0.113.2"] as const;

interface Case {
  name: string;
  linkType: number;
  frame: Buffer;
  src: string;
  dst: string;
}

let port = 40000;
/** A case carrying one UDP datagram with unique ports and payload. */
function udpCase(name: string, linkType: number, wrap: (ipPacket: Buffer) => Buffer, v6 = false): Case {
  const [src, dst] = v6 ? V6 : V4;
  const p = port++;
  const payload = Buffer.from(`payload of ${name}`);
  return { name, linkType, frame: wrap(ipUdp(src, dst, p, 5060, payload)), src, dst };
}

const ETH = 1;
const v4eth = (ip: Buffer) => ethernet(0x0800, ip);
const tunnelV4 = (proto: number, inner: Buffer) => v4eth(ipv4(OUTER[0], OUTER[1], proto, inner));

const CASES: Case[] = [
  udpCase("ethernet ipv4", ETH, v4eth),
  udpCase("ethernet ipv6", ETH, (ip) => ethernet(0x86dd, ip), true),
  udpCase("802.1Q", ETH, (ip) => ethernet(0x0800, ip, [{ tpid: 0x8100, vid: 10 }])),
  udpCase("802.1ad + 802.1Q stacked", ETH, (ip) =>
    ethernet(0x0800, ip, [
      { tpid: 0x88a8, vid: 100 },
      { tpid: 0x8100, vid: 10 },
    ]),
  ),
  udpCase(
    "three tags (0x9100, 0x88a8, 0x8100)",
    ETH,
    (ip) =>
      ethernet(0x86dd, ip, [
        { tpid: 0x9100, vid: 1 },
        { tpid: 0x88a8, vid: 2 },
        { tpid: 0x8100, vid: 3 },
      ]),
    true,
  ),
  udpCase("PPPoE session", ETH, (ip) => ethernet(0x8864, pppoeSession(0x0021, ip))),
  udpCase("MPLS two labels", ETH, (ip) => {
    const labels = Buffer.from([0x00, 0x01, 0x00, 0x40, 0x00, 0x02, 0x01, 0x40]);
    return ethernet(0x8847, Buffer.concat([labels, ip]));
  }),
  udpCase("802.3 LLC/SNAP", ETH, (ip) => {
    const snap = Buffer.from([0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00]);
    const body = Buffer.concat([snap, ip]);
    return ethernet(body.length, body);
  }),
  udpCase("padded to 60 bytes with junk", ETH, (ip) => {
    const f = ethernet(0x0800, ip);
    return f.length >= 60 ? f : Buffer.concat([f, Buffer.alloc(60 - f.length, 0xee)]);
  }),
  {
    name: "IPv4 with options (IHL 6)",
    linkType: ETH,
    frame: v4eth(
      ipv4(V4[0], V4[1], 17, udp(port++, 5060, Buffer.from("opts")), { options: Buffer.from([1, 1, 1, 0]) }),
    ),
    src: V4[0],
    dst: V4[1],
  },
  {
    name: "IPv6 hop-by-hop + routing + destination options",
    linkType: ETH,
    frame: ethernet(
      0x86dd,
      ipv6(
        V6[0],
        V6[1],
        0,
        Buffer.concat([
          ipv6ExtensionHeader(43),
          ipv6ExtensionHeader(60, 22),
          ipv6ExtensionHeader(17),
          udp(port++, 5060, Buffer.from("ext")),
        ]),
      ),
    ),
    src: V6[0],
    dst: V6[1],
  },
  udpCase("IPv4 in IPv4 (proto 4)", ETH, (ip) => tunnelV4(4, ip)),
  udpCase("IPv6 in IPv4 (proto 41)", ETH, (ip) => tunnelV4(41, ip), true),
  udpCase("IPv4 in IPv6 (next header 4)", ETH, (ip) =>
    ethernet(0x86dd, ipv6("2001:db8::a", "2001:db8::b", 4, ip)),
  ),
  udpCase("GRE IPv4 with checksum, key, sequence", ETH, (ip) =>
    tunnelV4(47, gre(0x0800, ip, { checksum: true, key: 7, sequence: 9 })),
  ),
  udpCase("GRE IPv6", ETH, (ip) => tunnelV4(47, gre(0x86dd, ip)), true),
  udpCase("GRE transparent Ethernet bridging + inner VLAN", ETH, (ip) =>
    tunnelV4(47, gre(0x6558, ethernet(0x0800, ip, [{ tpid: 0x8100, vid: 5 }]), { key: 0 })),
  ),
  udpCase("ERSPAN type II", ETH, (ip) => tunnelV4(47, erspan2(v4eth(ip)))),
  udpCase("ERSPAN type I (0x88BE without sequence)", ETH, (ip) => tunnelV4(47, gre(0x88be, v4eth(ip)))),
  udpCase("ERSPAN type III", ETH, (ip) => tunnelV4(47, erspan3(v4eth(ip)))),
  udpCase("ERSPAN type III with platform subheader", ETH, (ip) => tunnelV4(47, erspan3(v4eth(ip), 0, true))),
  udpCase("Linux SLL ipv4", 113, (ip) => ipToLink(113, ip)),
  udpCase("Linux SLL ipv6", 113, (ip) => ipToLink(113, ip), true),
  udpCase("Linux SLL with a VLAN tag", 113, (ip) => {
    const tag = Buffer.from([0x00, 0x0a, 0x08, 0x00]);
    return sll(0x8100, Buffer.concat([tag, ip]));
  }),
  udpCase("Linux SLL2 ipv4", 276, (ip) => sll2(0x0800, ip)),
  udpCase("Linux SLL2 ipv6", 276, (ip) => sll2(0x86dd, ip), true),
  udpCase("NULL little-endian AF_INET", 0, (ip) => nullLoopback(2, ip, "le")),
  udpCase("NULL big-endian AF_INET", 0, (ip) => nullLoopback(2, ip, "be")),
  udpCase("NULL AF_INET6 = 24 (NetBSD/OpenBSD)", 0, (ip) => nullLoopback(24, ip, "le"), true),
  udpCase("NULL AF_INET6 = 28 (FreeBSD)", 0, (ip) => nullLoopback(28, ip, "le"), true),
  udpCase("NULL AF_INET6 = 30 (macOS), big-endian", 0, (ip) => nullLoopback(30, ip, "be"), true),
  udpCase("LOOP AF_INET", 108, (ip) => nullLoopback(2, ip, "be")),
  udpCase("RAW (101) ipv4", 101, (ip) => ip),
  udpCase("RAW (101) ipv6", 101, (ip) => ip, true),
  udpCase("DLT_RAW 12", 12, (ip) => ip),
  udpCase("DLT_RAW 14 (OpenBSD)", 14, (ip) => ip, true),
  udpCase("LINKTYPE_IPV4 (228)", 228, (ip) => ip),
  udpCase("LINKTYPE_IPV6 (229)", 229, (ip) => ip, true),
];

/** Frames that must not decode, with the reason and detail they must give. */
const UNDECODED: { name: string; linkType: number; frame: Buffer; reason: string; detail: number }[] = [
  { name: "ARP", linkType: ETH, frame: ethernet(0x0806, Buffer.alloc(28)), reason: "not-ip", detail: 0x0806 },
  {
    name: "ICMP",
    linkType: ETH,
    frame: v4eth(ipv4(V4[0], V4[1], 1, Buffer.alloc(8))),
    reason: "ip-protocol",
    detail: 1,
  },
  {
    name: "SCTP over IPv6",
    linkType: ETH,
    frame: ethernet(0x86dd, ipv6(V6[0], V6[1], 132, Buffer.alloc(12))),
    reason: "ip-protocol",
    detail: 132,
  },
  {
    name: "IPv6 no next header",
    linkType: 101,
    frame: ipv6(V6[0], V6[1], 59, Buffer.alloc(0)),
    reason: "ip-protocol",
    detail: 59,
  },
  { name: "unknown link type", linkType: 147, frame: Buffer.alloc(40), reason: "link-type", detail: 147 },
  { name: "short Ethernet", linkType: ETH, frame: Buffer.alloc(10), reason: "link-malformed", detail: -1 },
  {
    name: "IHL beyond the packet",
    linkType: 101,
    frame: Buffer.from([0x4f, 0, 0, 20, ...new Array<number>(16).fill(0)]),
    reason: "ip-malformed",
    detail: -1,
  },
  {
    name: "UDP length 5",
    linkType: 101,
    frame: ipv4(V4[0], V4[1], 17, udp(1, 2, Buffer.alloc(4), 5)),
    reason: "transport-malformed",
    detail: 17,
  },
  {
    name: "GRE version 1 (PPTP)",
    linkType: 101,
    frame: ipv4(V4[0], V4[1], 47, Buffer.from([0x30, 0x01, 0x88, 0x0b, 0, 0, 0, 0])),
    reason: "tunnel-unsupported",
    detail: 0x880b,
  },
  {
    name: "tunnel nesting too deep",
    linkType: 101,
    frame: Array.from({ length: 10 }).reduce<Buffer>(
      (ip) => ipv4(OUTER[0], OUTER[1], 4, ip),
      ipUdp(V4[0], V4[1], 1, 2, Buffer.alloc(1)),
    ),
    reason: "ip-malformed",
    detail: -1,
  },
];

function decodeOne(linkType: number, frame: Buffer, name: string) {
  const path = tmp(`${name.replace(/[^a-z0-9]+/gi, "-")}.pcap`);
  writePcap(path, linkType, [{ tsS: 1, data: frame }]);
  const payloads: { srcIp: string; dstIp: string; srcPort: number; dstPort: number; text: string }[] = [];
  const undecoded: UndecodedFrame[] = [];
  const outcome = readTransport(
    path,
    (p) =>
      payloads.push({
        srcIp: p.srcIp,
        dstIp: p.dstIp,
        srcPort: p.srcPort,
        dstPort: p.dstPort,
        text: p.data.toString("latin1", p.offset, p.offset + p.length),
      }),
    { onUndecoded: (u) => undecoded.push({ ...u }) },
  );
  return { path, outcome, payloads, undecoded };
}

describe("link layers and tunnels to UDP", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const { outcome, payloads, undecoded } = decodeOne(c.linkType, c.frame, c.name);
      assert.equal(outcome.error, null);
      assert.deepEqual(undecoded, []);
      assert.equal(payloads.length, 1);
      const p = payloads[0]!;
      assert.deepEqual([p.srcIp, p.dstIp, p.dstPort], [c.src, c.dst, 5060]);
      assert.ok(p.text === `payload of ${c.name}` || p.text === "opts" || p.text === "ext", p.text);
    });
  }

  it("ERSPAN type III carrying IP (frame type 2)", () => {
    const frame = tunnelV4(47, erspan3(ipUdp(V4[0], V4[1], 1234, 5060, Buffer.from("ip in erspan")), 2));
    const { payloads } = decodeOne(ETH, frame, "erspan3-ip");
    assert.deepEqual(
      payloads.map((p) => [p.srcIp, p.text]),
      [[V4[0], "ip in erspan"]],
    );
  });

  it("a UDP datagram cut by the snap length delivers the bytes present", () => {
    const full = v4eth(ipUdp(V4[0], V4[1], 1, 2, Buffer.alloc(200, 0x61)));
    const { payloads } = decodeOne(ETH, full.subarray(0, 100), "snaplen");
    assert.equal(payloads[0]?.text.length, 100 - 14 - 20 - 8);
  });

  for (const u of UNDECODED) {
    it(`undecoded, not an error: ${u.name} -> ${u.reason}`, () => {
      const { outcome, payloads, undecoded } = decodeOne(u.linkType, u.frame, `u-${u.name}`);
      assert.equal(outcome.error, null);
      assert.equal(payloads.length, 0);
      assert.deepEqual(undecoded, [{ frame: 1, reason: u.reason, detail: u.detail }]);
      assert.equal(outcome.stats.undecoded, 1);
      if (u.reason === "link-type") assert.match(outcome.warnings.join("\n"), /link type 147/);
    });
  }
});

describe("link layers: tshark agrees", { skip: !tsharkAvailable() && "tshark not installed" }, () => {
  it("every encapsulation decodes to the same UDP datagram as tshark's", () => {
    const files = CASES.map((c) => decodeOne(c.linkType, c.frame, `oracle-${c.name}`).path);
    const merged = tmp("all-links.pcapng");
    mergeCaptures(merged, files);
    const theirs = tsharkView(merged);
    const ours: unknown[] = [];
    readTransport(merged, (p) =>
      ours.push({
        frame: p.frame,
        srcIp: p.srcIp,
        dstIp: p.dstIp,
        srcPort: p.srcPort,
        dstPort: p.dstPort,
        payloadHex: p.data.toString("hex", p.offset, p.offset + p.length),
      }),
    );
    assert.equal(theirs.frames, CASES.length);
    for (let i = 0; i < CASES.length; i++) {
      assert.deepEqual(ours[i], theirs.udp[i], CASES[i]!.name);
    }
  });
});
