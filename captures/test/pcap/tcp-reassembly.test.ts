/**
 * TCP per-direction stream reassembly: each byte once, in order; holes, bounds and gaps.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { readTransport } from "../../src/pcap/decode.ts";
import { ethernet } from "../../src/pcap/link-builder.ts";
import { ipTcp, type TcpOptions } from "../../src/pcap/packet-builder.ts";
import { DEFAULT_TCP_LIMITS, TcpReassembler, type TcpLimits } from "../../src/pcap/tcp-reassembly.ts";
import { writePcap } from "../../src/pcap/writer.ts";
import { tempDir } from "./temp-files.ts";
import { tsharkAvailable, tsharkView } from "./tshark-oracle.ts";

const tmp = tempDir("pcap-tcp");
const SYN = 0x02;
const FIN = 0x01;
const RST = 0x04;
const ACK = 0x10;

interface Seg {
  seq: number;
  data?: string;
  flags?: number;
  /** direction: default "a" */
  dir?: "a" | "b";
}

interface Delivery {
  frame: number;
  text: string;
  gap: boolean;
  dir: string;
}

function run(segs: Seg[], limits?: Partial<TcpLimits>, flush = true) {
  const out: Delivery[] = [];
  const r = new TcpReassembler(
    (s, frame, _ts, buf, off, len, gap) =>
      out.push({
        frame,
        text: buf.toString("latin1", off, off + len),
        gap,
        dir: s.srcPort === 1000 ? "a" : "b",
      }),
    { ...DEFAULT_TCP_LIMITS, ...limits },
  );
  segs.forEach((s, i) => {
    const data = Buffer.from(s.data ?? "", "latin1");
    const a = (s.dir ?? "a") === "a";
    r.segment(
      a ? "10.0.0.1" : "10.0.0.2",
      a ? 1000 : 2000,
      a ? "10.0.0.2" : "10.0.0.1",
      a ? 2000 : 1000,
      i + 1,
      i,
      s.seq >>> 0,
      s.flags ?? ACK,
      data,
      0,
      data.length,
    );
  });
  if (flush) r.flushAll();
  return { out, r };
}

const texts = (d: Delivery[]) => d.map((x) => [x.frame, x.text, x.gap]);

describe("TcpReassembler", () => {
  it("data starts at ISN+1 after a SYN (RFC 9293 §3.4)", () => {
    const { out } = run([
      { seq: 100, flags: SYN },
      { seq: 101, data: "hello" },
      { seq: 106, data: " world" },
    ]);
    assert.deepEqual(texts(out), [
      [2, "hello", false],
      [3, " world", false],
    ]);
  });

  it("an out-of-order segment waits for the hole and is delivered by the frame that filled it", () => {
    const { out } = run([
      { seq: 1, flags: SYN },
      { seq: 7, data: "world" },
      { seq: 2, data: "hello" },
    ]);
    assert.deepEqual(texts(out), [
      [3, "hello", false],
      [3, "world", false],
    ]);
  });

  it("retransmissions are dropped; a partial overlap delivers only its new bytes", () => {
    const { out } = run([
      { seq: 0, data: "abcdef" },
      { seq: 0, data: "abcdef" },
      { seq: 3, data: "defghi" },
      { seq: 8, data: "ij" },
      { seq: 9, data: "jk" },
    ]);
    assert.deepEqual(texts(out), [
      [1, "abcdef", false],
      [3, "ghi", false],
      [4, "j", false],
      [5, "k", false],
    ]);
  });

  it("sequence numbers wrap modulo 2^32", () => {
    const isn = 0xfffffff8;
    const { out } = run([
      { seq: isn, flags: SYN },
      { seq: isn + 1 + 10, data: "after-wrap" }, // held across the wrap
      { seq: isn + 1, data: "0123456789" },
      { seq: isn + 1, data: "0123456789" }, // retransmitted across the wrap
    ]);
    assert.equal(out.map((d) => d.text).join(""), "0123456789after-wrap");
    assert.ok(out.every((d) => !d.gap));
  });

  it("a hole that outlives the hold bound is skipped: later bytes come with gap=true, the late filler is dropped", () => {
    const { out } = run(
      [
        { seq: 0, data: "aaaa" },
        { seq: 8, data: "cccccc" },
        { seq: 14, data: "dddddd" },
        { seq: 4, data: "bbbb" },
        { seq: 20, data: "e" },
      ],
      { maxHeldBytes: 10 },
    );
    assert.deepEqual(texts(out), [
      [1, "aaaa", false],
      [2, "cccccc", true],
      [3, "dddddd", false],
      [5, "e", false],
    ]);
  });

  it("a jump larger than any window restarts the stream at once with gap=true", () => {
    const { out } = run([
      { seq: 0, data: "a" },
      { seq: 50_000_000, data: "far" },
      { seq: 50_000_003, data: "!" },
    ]);
    assert.deepEqual(texts(out), [
      [1, "a", false],
      [2, "far", true],
      [3, "!", false],
    ]);
  });

  it("RST delivers what was held (after a gap)", () => {
    const { out } = run(
      [
        { seq: 0, data: "ab" },
        { seq: 5, data: "zz" },
        { seq: 7, flags: RST },
      ],
      {},
      false,
    );
    assert.deepEqual(texts(out), [
      [1, "ab", false],
      [2, "zz", true],
    ]);
  });

  it("a new SYN on the same addresses and ports starts a new stream, flagged as a gap", () => {
    const { out } = run([
      { seq: 10, flags: SYN },
      { seq: 11, data: "first call" },
      { seq: 21, flags: FIN | ACK },
      { seq: 9000, flags: SYN },
      { seq: 9000, flags: SYN }, // retransmitted SYN: no change
      { seq: 9001, data: "second" },
      { seq: 11, data: "first call" }, // a stale retransmission from the old connection: behind, dropped
    ]);
    assert.deepEqual(texts(out), [
      [2, "first call", false],
      [6, "second", true],
    ]);
  });

  it("a late SYN of the connection being followed does not rewind it", () => {
    const { out } = run([
      { seq: 101, data: "abc" },
      { seq: 100, flags: SYN },
      { seq: 101, data: "abc" },
      { seq: 104, data: "d" },
    ]);
    assert.deepEqual(texts(out), [
      [1, "abc", false],
      [4, "d", false],
    ]);
  });

  it("after FIN, retransmitted data and FINs deliver nothing", () => {
    const { out } = run([
      { seq: 0, data: "bye", flags: FIN | ACK },
      { seq: 0, data: "bye", flags: FIN | ACK },
      { seq: 3, flags: FIN | ACK },
    ]);
    assert.deepEqual(texts(out), [[1, "bye", false]]);
  });

  it("at the end, held bytes are delivered with their own frame numbers after a gap", () => {
    const { out } = run([
      { seq: 0, data: "x" },
      { seq: 5, data: "yy" },
      { seq: 9, data: "zz" },
    ]);
    assert.deepEqual(texts(out), [
      [1, "x", false],
      [2, "yy", true],
      [3, "zz", true],
    ]);
  });

  it("directions are independent", () => {
    const { out } = run([
      { seq: 0, data: "req", dir: "a" },
      { seq: 500, data: "resp", dir: "b" },
      { seq: 3, data: "2", dir: "a" },
    ]);
    assert.deepEqual(
      out.map((d) => [d.dir, d.text]),
      [
        ["a", "req"],
        ["b", "resp"],
        ["a", "2"],
      ],
    );
  });

  it("the number of tracked directions is bounded; evicted held bytes are still delivered", () => {
    const out: string[] = [];
    const r = new TcpReassembler(
      (_s, _f, _t, buf, off, len) => out.push(buf.toString("latin1", off, off + len)),
      {
        ...DEFAULT_TCP_LIMITS,
        maxStreams: 4,
      },
    );
    for (let i = 0; i < 20; i++) {
      const d = Buffer.from(`s${i}`);
      r.segment("10.0.0.1", 1000 + i, "10.0.0.2", 5060, i + 1, i, 0, ACK, d, 0, 2);
      r.segment("10.0.0.1", 1000 + i, "10.0.0.2", 5060, i + 1, i, 10, ACK, d, 0, 2); // held
      assert.ok(r.streamCount <= 4);
    }
    r.flushAll();
    assert.equal(out.length, 40);
  });

  it("property: any segmentation, duplication and bounded reordering yields the stream exactly once", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 4000 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(30), { minLength: 50, maxLength: 50 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (bytesArr, isn, sizes, jitter, dups) => {
          const bytes = Buffer.from(bytesArr);
          const segs: { seq: number; off: number; len: number }[] = [];
          for (let off = 0, i = 0; off < bytes.length; i++) {
            const len = Math.min(bytes.length - off, sizes[i % sizes.length]!);
            segs.push({ seq: (isn + 1 + off) >>> 0, off, len });
            off += len;
          }
          for (const d of dups) segs.push({ ...segs[d % segs.length]! });
          // bounded reordering: sort by index + jitter
          const order = segs
            .map((s, i) => ({
              s,
              k:
                (i < segs.length - dups.length ? i : dups[i - (segs.length - dups.length)]! % segs.length) +
                jitter[i % jitter.length]!,
            }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.s);
          const got: Buffer[] = [];
          let gaps = 0;
          const r = new TcpReassembler((_s, _f, _t, buf, off, len, gap) => {
            got.push(Buffer.from(buf.subarray(off, off + len)));
            if (gap) gaps++;
          });
          r.segment("10.0.0.1", 1, "10.0.0.2", 2, 0, 0, isn, SYN, bytes, 0, 0);
          order.forEach((s, i) =>
            r.segment("10.0.0.1", 1, "10.0.0.2", 2, i + 1, 0, s.seq, ACK, bytes, s.off, s.len),
          );
          r.flushAll();
          assert.equal(gaps, 0);
          assert.ok(Buffer.concat(got).equals(bytes));
          assert.ok(got.every((g) => g.length > 0));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("TCP in a capture: out of order, retransmitted, several SIP messages per segment", () => {
  const A = "10.1.1.1";
  const B = "10.1.1.2";
  const msg = (cseq: number, body: string) =>
    `MESSAGE sip:b@${B} SIP/2.0\r\nCSeq: ${cseq} MESSAGE\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  const m1 = msg(1, "one");
  const m2 = msg(2, "two two");
  const m3 = msg(3, "three ".repeat(200));
  const isn = 0xfffffe00; // the stream crosses the 2^32 wrap
  const seg = (seq: number, text: string, o: TcpOptions = {}) =>
    ethernet(0x0800, ipTcp(A, B, 33000, 5060, seq, Buffer.from(text, "latin1"), o));
  const s1 = isn + 1;
  const s3 = s1 + m1.length + m2.length;
  const half = 600;
  const packets = [
    seg(isn, "", { syn: true, ack: false }),
    ethernet(0x0800, ipTcp(B, A, 5060, 33000, 7000, Buffer.alloc(0), { syn: true, ackNumber: isn + 1 })),
    seg(s1, "", { ackNumber: 7001 }),
    seg(s3 + half, m3.slice(half)), // 4: second half of m3 first (out of order)
    seg(s1, m1 + m2), // 5: two whole messages in one segment
    seg(s1, m1 + m2), // 6: retransmission
    seg(s3, m3.slice(0, half)), // 7: fills the hole
    seg(s3 + m3.length, "", { fin: true }),
  ];

  function write(name: string): string {
    const path = tmp(name);
    writePcap(
      path,
      1,
      packets.map((data, i) => ({ tsS: 10 + i / 100, data })),
    );
    return path;
  }

  it("delivers m1+m2 at frame 5 and m3 (both halves) at frame 7, each byte once, no gap", () => {
    const got: [number, string, boolean][] = [];
    const outcome = readTransport(write("sip-tcp.pcap"), (p) =>
      got.push([p.frame, p.data.toString("latin1", p.offset, p.offset + p.length), p.tcpGap]),
    );
    assert.equal(outcome.error, null);
    assert.deepEqual(got, [
      [5, m1 + m2, false],
      [7, m3.slice(0, half), false],
      [7, m3.slice(half), false],
    ]);
    assert.equal(outcome.transport?.tcpSegments, 8);
    assert.equal(outcome.transport?.tcpBytes, m1.length + m2.length + m3.length);
  });

  it("tshark sees the same stream bytes", { skip: !tsharkAvailable() && "tshark not installed" }, () => {
    const path = write("sip-tcp-oracle.pcap");
    const streams = tsharkView(path).tcpStreams;
    const mine = streams.get(`${A}|33000|${B}|5060`);
    assert.ok(mine);
    assert.equal(mine.holes, 0);
    assert.equal(mine.data.toString("latin1"), m1 + m2 + m3);
  });
});
