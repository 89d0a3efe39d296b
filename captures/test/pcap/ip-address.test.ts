/**
 * IPv6 text per RFC 5952 §4 (examples from the RFC), with the WHATWG URL serializer — which
 * follows the same rules — as an independent oracle for random addresses.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Ipv4Names, Ipv6Names, formatIpv6 } from "../../src/pcap/ip-address.ts";
import { ipv6Bytes } from "../../src/pcap/packet-builder.ts";

const fmt = (groups: number[]) => {
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(g, 2 * i));
  return formatIpv6(b, 0);
};

describe("IPv6 text (RFC 5952)", () => {
  for (const [groups, text, rule] of [
    [[0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], "2001:db8::1", "4.2.1 '::' used to its maximum capability"],
    [[0x2001, 0xdb8, 0, 1, 1, 1, 1, 1], "2001:db8:0:1:1:1:1:1", "4.2.2 not for one 16-bit 0 field"],
    [[0x2001, 0, 0, 1, 0, 0, 0, 1], "2001:0:0:1::1", "4.2.3 the longest run"],
    [[0x2001, 0xdb8, 0, 0, 1, 0, 0, 1], "2001:db8::1:0:0:1", "4.2.3 the first of equal runs"],
    [
      [0x2001, 0xdb8, 0xaaaa, 0xbbbb, 0xcccc, 0xdddd, 0xeeee, 0xaaaa],
      "2001:db8:aaaa:bbbb:cccc:dddd:eeee:aaaa",
      "4.3 lowercase",
    ],
    [[0x2001, 0x0db8, 0, 0, 0, 0, 0x0001, 0], "2001:db8::1:0", "4.1 leading zeros suppressed"],
    [[0, 0, 0, 0, 0, 0, 0, 0], "::", "all zero"],
    [[0, 0, 0, 0, 0, 0, 0, 1], "::1", "loopback"],
    [[0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201], "::ffff:192.0.2.1", "5 IPv4-mapped in mixed notation"],
  ] as const) {
    it(`${text} (${rule})`, () => assert.equal(fmt([...groups]), text));
  }

  it("property: agrees with the WHATWG URL serializer (except IPv4-mapped)", () => {
    const group = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (groups) => {
        fc.pre(!(groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff));
        const ours = fmt(groups);
        const whatwg = new URL(`http://[${ours}]/`).hostname.slice(1, -1);
        assert.equal(ours, whatwg);
        assert.ok(ipv6Bytes(ours).equals(ipv6Bytes(whatwg)));
      }),
      { numRuns: 500 },
    );
  });

  it("the caches answer the same string for the same bytes, whatever else they hold", () => {
    const v6 = new Ipv6Names();
    const v4 = new Ipv4Names();
    const b = Buffer.alloc(16);
    for (let i = 0; i < 70_000; i++) {
      b.writeUInt32BE(i, 12);
      const s = v6.at(b, 0);
      assert.equal(s, formatIpv6(b, 0));
      if (i % 1000 === 0) assert.equal(v4.at(b, 12), `0.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    }
    b.writeUInt32BE(5, 12);
    assert.equal(v6.at(b, 0), "::5");
  });
});
