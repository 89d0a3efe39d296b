/**
 * IPv4 / IPv6 fragment reassembly: out of order, duplicated, overlapping, hostile, expired.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { readTransport } from "../../src/pcap/decode.ts";
import { FragmentTable, MAX_DATAGRAM_BYTES } from "../../src/pcap/fragment-table.ts";
import { ethernet } from "../../src/pcap/link-builder.ts";
import { ipv4, ipv6, ipv6ExtensionHeader, ipv6FragmentHeader, udp } from "../../src/pcap/packet-builder.ts";
import type { WriterFrame } from "../../src/pcap/writer.ts";
import { writePcap } from "../../src/pcap/writer.ts";
import { tempDir } from "./temp-files.ts";
import { mergeCaptures, tsharkAvailable, tsharkView } from "./tshark-oracle.ts";

const tmp = tempDir("pcap-frag");
const SRC = "192.0.2.1";
const DST = "192.0.2.2";

/** A UDP datagram's bytes cut into IPv4 fragments of `step` bytes (a multiple of 8). */
function v4Fragments(datagram: Buffer, step: number, id: number, proto = 17): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off < datagram.length; off += step) {
    const piece = datagram.subarray(off, off + step);
    const more = off + step < datagram.length;
    out.push(ipv4(SRC, DST, proto, piece, { id, fragOffset: off, moreFragments: more }));
  }
  return out;
}

function decode(path: string) {
  const got: { frame: number; src: string; dst: string; sport: number; text: string }[] = [];
  const outcome = readTransport(path, (p) =>
    got.push({
      frame: p.frame,
      src: p.srcIp,
      dst: p.dstIp,
      sport: p.srcPort,
      text: p.data.toString("latin1", p.offset, p.offset + p.length),
    }),
  );
  return { outcome, got };
}

const sipText = (n: number) => `MESSAGE sip:x SIP/2.0\r\nContent-Length: ${n}\r\n\r\n${"b".repeat(n)}`;
const frames = (packets: Buffer[], link = (p: Buffer) => ethernet(0x0800, p)): WriterFrame[] =>
  packets.map((p, i) => ({ tsS: 100 + i * 0.001, data: link(p) }));

describe("FragmentTable", () => {
  it("property: any 8-aligned cut, shuffled, with duplicates and overlaps, reassembles the original once complete", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 3000 }),
        fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.tuple(fc.nat(400), fc.integer({ min: 1, max: 100 })), { maxLength: 6 }),
        fc.array(fc.nat(), { minLength: 60, maxLength: 60 }),
        (payloadArr, steps, extras, order) => {
          const payload = Buffer.from(payloadArr);
          const total = payload.length;
          const pieces: [number, number][] = [];
          let off = 0;
          for (let i = 0; off < total; i++) {
            const len = Math.min(total - off, steps[i % steps.length]! * 8);
            pieces.push([off, off + len]);
            off += len;
          }
          for (const [s8, l8] of extras) {
            const s = Math.min(s8 * 8, Math.floor((total - 1) / 8) * 8);
            pieces.push([s, Math.min(total, s + l8 * 8)]);
          }
          const shuffled = pieces
            .map((p, i) => ({ p, k: order[i % order.length]! + i / 1000 }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.p);
          const table = new FragmentTable();
          const covered = new Uint8Array(total);
          let expectAt = -1;
          let sawLast = false;
          let doneAt = -1;
          let result: Buffer | null = null;
          shuffled.forEach(([s, e], i) => {
            const more = e < total;
            const r = table.add("k", 1, s, more, payload, s, e - s, e - s, 17);
            covered.fill(1, s, e);
            if (!more) sawLast = true;
            if (expectAt < 0 && sawLast && covered.every((c) => c === 1)) expectAt = i;
            if (r && doneAt < 0) {
              doneAt = i;
              result = Buffer.from(r.buf.subarray(0, r.length));
              assert.equal(r.meta, 17);
            }
          });
          assert.equal(doneAt, expectAt);
          assert.ok(result !== null && payload.equals(result));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keeps at most maxDatagrams in progress and counts the dropped ones", () => {
    const t = new FragmentTable({ maxDatagrams: 8, maxBytes: 1 << 20, maxAgeS: 60, maxPieces: 16 });
    const data = Buffer.alloc(64);
    for (let i = 0; i < 100; i++) t.add(`k${i}`, 1, 0, true, data, 0, 64, 64, 17);
    assert.ok(t.size <= 8);
    assert.equal(t.incomplete, 92);
    assert.equal(t.finish(), 100);
  });

  it("keeps the byte budget, drops pieces past 65535 and hole lists past maxPieces", () => {
    const t = new FragmentTable({ maxDatagrams: 1000, maxBytes: 64 * 1024, maxAgeS: 60, maxPieces: 4 });
    const data = Buffer.alloc(8);
    for (let i = 0; i < 200; i++) t.add(`k${i}`, 1, 60000, true, data, 0, 8, 8, 17);
    assert.ok(t.size <= 1, `${t.size} datagrams of 64 KiB within a 64 KiB budget`);
    assert.equal(t.add("far", 1, 65528, false, data, 0, 8, 16, 17), null, "past 65535: ignored");
    for (let i = 0; i < 6; i++) t.add("holes", 1, i * 16, true, data, 0, 8, 8, 17);
    t.add("holes", 1, 200, false, data, 0, 8, 8, 17);
    assert.ok(t.size <= 2);
    assert.ok(MAX_DATAGRAM_BYTES === 65535);
  });
});

describe("IPv4 reassembly in captures", () => {
  const datagram = udp(5060, 5060, Buffer.from(sipText(3500)));
  const frags = v4Fragments(datagram, 1480, 0x1234);

  it("fragments out of order: one datagram, in the frame that completed it", () => {
    const path = tmp("v4-ooo.pcap");
    writePcap(path, 1, frames([frags[1]!, frags[2]!, frags[0]!]));
    const { outcome, got } = decode(path);
    assert.equal(outcome.error, null);
    assert.deepEqual(
      got.map((g) => [g.frame, g.src, g.dst, g.sport]),
      [[3, SRC, DST, 5060]],
    );
    assert.equal(got[0]!.text, sipText(3500));
    assert.equal(outcome.stats.undecoded, 0);
    assert.equal(outcome.transport?.ipFragmentsIncomplete, 0);
  });

  it("duplicates and conflicting overlaps neither crash nor deliver twice; the first copy wins", () => {
    const conflicting = ipv4(SRC, DST, 17, Buffer.alloc(1480, 0x58), {
      id: 0x1234,
      fragOffset: 1480,
      moreFragments: true,
    });
    const path = tmp("v4-overlap.pcap");
    writePcap(path, 1, frames([frags[1]!, frags[1]!, conflicting, frags[0]!, frags[2]!]));
    const { got } = decode(path);
    assert.deepEqual(
      got.map((g) => g.frame),
      [5],
    );
    assert.equal(got[0]!.text, sipText(3500));
  });

  it("fragments of different datagrams (ids, protocols) are kept apart", () => {
    const other = udp(7000, 7000, Buffer.from(sipText(2000)));
    const f2 = v4Fragments(other, 1480, 0x1235);
    const path = tmp("v4-interleaved.pcap");
    writePcap(path, 1, frames([frags[0]!, f2[0]!, frags[1]!, f2[1]!, frags[2]!]));
    const { got, outcome } = decode(path);
    assert.deepEqual(
      got.map((g) => [g.frame, g.sport]),
      [
        [4, 7000],
        [5, 5060],
      ],
    );
    assert.equal(outcome.transport?.ipFragmentsIncomplete, 0);
  });

  it("a datagram whose last fragment comes more than a minute later is given up", () => {
    const path = tmp("v4-expired.pcap");
    writePcap(path, 1, [
      { tsS: 0, data: ethernet(0x0800, frags[0]!) },
      { tsS: 1, data: ethernet(0x0800, frags[1]!) },
      { tsS: 200, data: ethernet(0x0800, frags[2]!) },
    ]);
    const { got, outcome } = decode(path);
    assert.equal(got.length, 0);
    assert.equal(outcome.transport?.ipFragmentsIncomplete, 2, "the expired one and the lone last fragment");
    assert.match(outcome.warnings.join("\n"), /2 fragmented IP datagram/);
  });

  it("hostile: thousands of first fragments and huge offsets stay bounded and decode nothing", () => {
    const path = tmp("v4-hostile.pcap");
    const packets: Buffer[] = [];
    for (let i = 0; i < 3000; i++) {
      packets.push(ipv4(SRC, DST, 17, Buffer.alloc(1480), { id: i, fragOffset: 0, moreFragments: true }));
    }
    packets.push(ipv4(SRC, DST, 17, Buffer.alloc(1480), { id: 1, fragOffset: 65528, moreFragments: false }));
    writePcap(path, 1, frames(packets));
    const { got, outcome } = decode(path);
    assert.equal(got.length, 0);
    assert.equal(outcome.transport?.ipFragmentsIncomplete, 3000);
  });
});

describe("IPv6 reassembly in captures", () => {
  const V6S = "2001:db8::1";
  const V6D = "2001:db8::2";
  /** Fragmentable part = Destination Options + UDP; the offset-0 fragment says 60 (dest opts). */
  function v6Frags(id: number, text: string, order: number[]): Buffer[] {
    const part = Buffer.concat([ipv6ExtensionHeader(17), udp(15060, 5062, Buffer.from(text))]);
    const pieces: Buffer[] = [];
    for (let off = 0; off < part.length; off += 1232) {
      const more = off + 1232 < part.length;
      // later fragments carry another Next Header value: only the offset-0 one counts (RFC 8200 §4.5)
      const nh = off === 0 ? 60 : 17;
      pieces.push(
        ipv6(
          V6S,
          V6D,
          44,
          Buffer.concat([ipv6FragmentHeader(nh, off, more, id), part.subarray(off, off + 1232)]),
        ),
      );
    }
    return order.map((i) => pieces[i]!);
  }

  it("fragments out of order with a Destination Options header inside the fragmentable part", () => {
    const path = tmp("v6-ooo.pcap");
    writePcap(
      path,
      1,
      frames(v6Frags(0xabcdef01, sipText(3000), [2, 0, 1]), (p) => ethernet(0x86dd, p)),
    );
    const { got } = decode(path);
    assert.deepEqual(
      got.map((g) => [g.frame, g.src, g.dst, g.sport]),
      [[3, V6S, V6D, 15060]],
    );
    assert.equal(got[0]!.text, sipText(3000));
  });

  it("an atomic fragment (offset 0, M clear) is an ordinary packet (RFC 6946)", () => {
    const path = tmp("v6-atomic.pcap");
    const pkt = ipv6(
      V6S,
      V6D,
      44,
      Buffer.concat([ipv6FragmentHeader(17, 0, false, 7), udp(1, 2, Buffer.from("atomic"))]),
    );
    writePcap(
      path,
      1,
      frames([pkt], (p) => ethernet(0x86dd, p)),
    );
    assert.deepEqual(
      decode(path).got.map((g) => g.text),
      ["atomic"],
    );
  });

  it(
    "tshark reassembles the same datagrams in the same frames",
    { skip: !tsharkAvailable() && "tshark not installed" },
    () => {
      const a = tmp("oracle-v4.pcap");
      const b = tmp("oracle-v6.pcap");
      writePcap(a, 1, frames(v4Fragments(udp(5060, 5060, Buffer.from(sipText(3500))), 1480, 9).reverse()));
      writePcap(
        b,
        1,
        frames(v6Frags(0x55, sipText(3000), [1, 2, 0]), (p) => ethernet(0x86dd, p)),
      );
      const merged = tmp("oracle-frag.pcapng");
      mergeCaptures(merged, [a, b]);
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
      assert.equal(theirs.udp.length, 2);
      assert.deepEqual(ours, theirs.udp);
    },
  );
});
