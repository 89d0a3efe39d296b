/**
 * readCapture on synthesised files: both pcap magics in both byte orders, pcapng sections,
 * interfaces, time resolutions, block kinds, and every way a file can be wrong.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import { readCapture } from "../../src/pcap/reader.ts";
import type { RawFrame } from "../../src/pcap/types.ts";
import {
  PcapngWriter,
  pcapHeader,
  pcapRecord,
  pcapngBlock,
  pcapngEnhancedPacket,
  pcapngInterface,
  pcapngSectionHeader,
  writePcap,
} from "../../src/pcap/writer.ts";
import { tempDir } from "./temp-files.ts";
import { tsharkAvailable, tsharkFields } from "./tshark-oracle.ts";

const tmp = tempDir("pcap-formats");

interface Seen {
  frame: number;
  tsS: number;
  linkType: number;
  interfaceId: number;
  length: number;
  origLength: number;
  hex: string;
}

function readAll(path: string) {
  const frames: Seen[] = [];
  const outcome = readCapture(path, (f: RawFrame) =>
    frames.push({
      frame: f.frame,
      tsS: f.tsS,
      linkType: f.linkType,
      interfaceId: f.interfaceId,
      length: f.length,
      origLength: f.origLength,
      hex: f.data.toString("hex", f.offset, f.offset + f.length),
    }),
  );
  return { outcome, frames };
}

const bytes = (n: number, seed: number) =>
  Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff));

describe("classic pcap", () => {
  for (const byteOrder of ["le", "be"] as const) {
    for (const resolution of ["us", "ns"] as const) {
      it(`${resolution} resolution, ${byteOrder === "le" ? "little" : "big"}-endian: frames, times and bytes`, () => {
        const path = tmp(`p-${byteOrder}-${resolution}.pcap`);
        const ts = [1000.123456789, 1000.5, 4000000000.000001];
        writePcap(
          path,
          113,
          ts.map((tsS, i) => ({ tsS, data: bytes(40 + i, i), origLength: 1500 })),
          {
            byteOrder,
            resolution,
          },
        );
        const { outcome, frames } = readAll(path);
        assert.equal(outcome.error, null);
        assert.deepEqual(outcome.info, { format: "pcap", linkType: 113 });
        assert.deepEqual(
          frames.map((f) => [f.frame, f.linkType, f.length, f.origLength, f.hex]),
          ts.map((_, i) => [i + 1, 113, 40 + i, 1500, bytes(40 + i, i).toString("hex")]),
        );
        const tolerance = resolution === "ns" ? 2e-6 : 1e-6;
        frames.forEach((f, i) => assert.ok(Math.abs(f.tsS - ts[i]!) < tolerance, `${f.tsS} vs ${ts[i]}`));
        if (resolution === "ns") assert.ok(Math.abs(frames[0]!.tsS - 1000.123456789) < 1e-9);
        assert.equal(outcome.stats.firstTsS, frames[0]!.tsS);
        assert.equal(outcome.stats.lastTsS, frames[2]!.tsS);
      });
    }
  }

  it("Kuznetsov's patched format (magic 0xa1b2cd34): 24-byte record headers", () => {
    const path = tmp("kuznetsov.pcap");
    const head = pcapHeader(1);
    head.writeUInt32LE(0xa1b2cd34, 0);
    const rec = (ts: number, data: Buffer) => {
      const h = Buffer.alloc(24);
      h.writeUInt32LE(ts, 0);
      h.writeUInt32LE(250000, 4);
      h.writeUInt32LE(data.length, 8);
      h.writeUInt32LE(data.length, 12);
      h.writeUInt32LE(3, 16); // ifindex
      h.writeUInt16LE(0x0800, 20); // protocol
      return Buffer.concat([h, data]);
    };
    writeFileSync(path, Buffer.concat([head, rec(5, bytes(20, 1)), rec(6, bytes(30, 2))]));
    const { outcome, frames } = readAll(path);
    assert.equal(outcome.error, null);
    assert.deepEqual(
      frames.map((f) => [f.tsS, f.hex]),
      [
        [5.25, bytes(20, 1).toString("hex")],
        [6.25, bytes(30, 2).toString("hex")],
      ],
    );
  });

  it("reads a file larger than its 4 MiB window, frames straddling window edges", () => {
    const path = tmp("big.pcap");
    const sizes = Array.from({ length: 9000 }, (_, i) => 60 + ((i * 7919) % 1400));
    writePcap(
      path,
      1,
      sizes.map((n, i) => ({ tsS: i, data: bytes(n, i) })),
    );
    let i = 0;
    let bad = 0;
    const outcome = readCapture(path, (f) => {
      const want = bytes(sizes[i]!, i);
      if (
        f.length !== want.length ||
        f.data.compare(want, 0, want.length, f.offset, f.offset + f.length) !== 0
      )
        bad++;
      i++;
    });
    assert.equal(outcome.error, null);
    assert.equal(i, sizes.length);
    assert.equal(bad, 0);
  });

  it("a record longer than 256 KiB is corrupt, naming its byte offset", () => {
    const path = tmp("huge-record.pcap");
    const ok = pcapRecord({ tsS: 1, data: bytes(100, 1) });
    const bad = pcapRecord({ tsS: 2, data: bytes(20, 2) });
    bad.writeUInt32LE(256 * 1024 + 1, 8);
    writeFileSync(path, Buffer.concat([pcapHeader(1), ok, bad]));
    const { outcome, frames } = readAll(path);
    assert.equal(frames.length, 1);
    assert.equal(outcome.error?.code, "corrupt");
    assert.equal(outcome.error?.atByte, 24 + ok.length);
    assert.match(outcome.error!.message, new RegExp(`byte ${24 + ok.length}\\b`));
  });

  it("a record of exactly 256 KiB is read", () => {
    const path = tmp("max-record.pcap");
    writePcap(path, 1, [{ tsS: 1, data: Buffer.alloc(256 * 1024, 0x55) }]);
    const { outcome, frames } = readAll(path);
    assert.equal(outcome.error, null);
    assert.equal(frames[0]?.length, 256 * 1024);
  });

  it("cut inside a record: the complete frames, then 'truncated at byte N' (N = start of the cut record)", () => {
    const path = tmp("cut.pcap");
    const recs = [0, 1, 2].map((i) => pcapRecord({ tsS: i, data: bytes(50, i) }));
    const whole = Buffer.concat([pcapHeader(1), ...recs]);
    writeFileSync(path, whole.subarray(0, whole.length - 10));
    const { outcome, frames } = readAll(path);
    assert.equal(frames.length, 2);
    const at = 24 + recs[0]!.length + recs[1]!.length;
    assert.deepEqual(outcome.error, { code: "truncated", message: `truncated at byte ${at}`, atByte: at });
  });

  it("a header cut short is truncated at byte 0; an empty or foreign file is not a capture", () => {
    const cut = tmp("cut-header.pcap");
    writeFileSync(cut, pcapHeader(1).subarray(0, 10));
    assert.deepEqual(readAll(cut).outcome.error, {
      code: "truncated",
      message: "truncated at byte 0",
      atByte: 0,
    });
    for (const [name, content] of [
      ["empty", Buffer.alloc(0)],
      ["two-bytes", Buffer.from([0xd4, 0xc3])],
      ["text", Buffer.from("INVITE sip:bob@example.com SIP/2.0\r\n\r\n")],
      ["zeros", Buffer.alloc(4096)],
    ] as const) {
      const path = tmp(`${name}.bin`);
      writeFileSync(path, content);
      const { outcome, frames } = readAll(path);
      assert.equal(frames.length, 0);
      assert.deepEqual(
        outcome.error,
        { code: "not-a-capture", message: "not a pcap or pcapng file", atByte: 0 },
        name,
      );
    }
  });

  it("a missing file is an io error, not a throw", () => {
    const { outcome } = readAll(tmp("does-not-exist.pcap"));
    assert.equal(outcome.error?.code, "io");
  });
});

describe("pcapng", () => {
  /** Two sections (LE then BE), interfaces with different link types and if_tsresol, odd blocks. */
  function twoSections(path: string): void {
    const w = new PcapngWriter(path);
    w.section("le");
    w.addInterface({ linkType: 1 }); // µs by default
    w.addInterface({ linkType: 113, tsresol: 9 }); // ns
    w.writeRaw({ type: 4, body: Buffer.from([1, 0, 8, 0, 10, 0, 0, 1, 0x61, 0x62, 0x63, 0, 0, 0, 0, 0]) }); // NRB
    w.write({ tsS: 1700000000.25, data: bytes(60, 1), interfaceId: 0 });
    w.write({ tsS: 1700000001 + 123e-9, data: bytes(61, 2), interfaceId: 1, origLength: 200 });
    w.writeRaw({ type: 5, body: Buffer.alloc(12) }); // ISB
    w.writeRaw({ type: 0x00000bad, body: Buffer.from("custom block with a PEN and junk!") }); // custom
    w.writeRaw({ type: 0x0000000a, body: Buffer.alloc(20) }); // DSB
    w.section("be");
    w.addInterface({ linkType: 276, tsresol: 0x80 | 20, snapLen: 64 }); // 2^-20 s
    w.addInterface({ linkType: 0, tsoffsetS: 3600 });
    w.write({ tsS: 1700000002.5, data: bytes(62, 3), interfaceId: 1 });
    w.write({ tsS: 1700000003.75, data: bytes(63, 4), interfaceId: 0 });
    w.writeSimple(bytes(64, 5), 100); // SPB: captured = min(original 100, snaplen 64)
    w.close();
  }

  it("two sections of opposite byte order, several interfaces: link types, ids, times, SPB, numbering", () => {
    const path = tmp("two-sections.pcapng");
    twoSections(path);
    const { outcome, frames } = readAll(path);
    assert.equal(outcome.error, null);
    assert.deepEqual(outcome.info, { format: "pcapng", linkType: 1 });
    assert.deepEqual(
      frames.map((f) => [f.frame, f.linkType, f.interfaceId, f.length, f.origLength, f.hex]),
      [
        [1, 1, 0, 60, 60, bytes(60, 1).toString("hex")],
        [2, 113, 1, 61, 200, bytes(61, 2).toString("hex")],
        // frame 3 is the custom block: Wireshark numbers it, nothing is delivered
        [4, 0, 1, 62, 62, bytes(62, 3).toString("hex")],
        [5, 276, 0, 63, 63, bytes(63, 4).toString("hex")],
        [6, 276, 0, 64, 100, bytes(64, 5).toString("hex")],
      ],
    );
    const [a, b, c, d, e] = frames.map((f) => f.tsS);
    assert.equal(a, 1700000000.25);
    assert.ok(Math.abs(b! - (1700000001 + 123e-9)) < 1e-6);
    assert.ok(Math.abs(c! - (1700000002.5 + 3600)) < 1e-6, "if_tsoffset is added");
    assert.ok(Math.abs(d! - 1700000003.75) < 2 ** -20);
    assert.equal(e, d, "an SPB has no time stamp: the previous one is used");
    assert.equal(outcome.stats.packets, 5);
    assert.equal(outcome.warnings.length, 2);
  });

  it(
    "agrees with tshark on the two-section file",
    { skip: !tsharkAvailable() && "tshark not installed" },
    () => {
      const path = tmp("two-sections-oracle.pcapng");
      twoSections(path);
      const { frames } = readAll(path);
      const rows = tsharkFields(path, ["frame.number", "frame.cap_len", "frame.len", "frame.time_epoch"]);
      assert.equal(rows.length, frames[frames.length - 1]!.frame, "same frame numbering");
      for (const f of frames) {
        const [n, cap, len, t] = rows[f.frame - 1]!;
        assert.deepEqual([Number(n), Number(cap), Number(len)], [f.frame, f.length, f.origLength]);
        if (f.frame < 6) assert.ok(Math.abs(Number(t) - f.tsS) < 1e-6, `frame ${n}: ${t} vs ${f.tsS}`);
      }
    },
  );

  const le = true;
  const shb = pcapngSectionHeader(le);
  const idb = pcapngInterface({ linkType: 1 }, le);
  const epb = pcapngEnhancedPacket({ tsS: 1, data: bytes(30, 9) }, 1e6, le);

  function corruptCase(name: string, tail: Buffer): { error: unknown; frames: number } {
    const path = tmp(`${name}.pcapng`);
    writeFileSync(path, Buffer.concat([shb, idb, epb, tail]));
    const { outcome, frames } = readAll(path);
    return { error: outcome.error, frames: frames.length };
  }

  const at = shb.length + idb.length + epb.length;
  const withLength = (block: Buffer, len: number, trailing = len) => {
    const b = Buffer.from(block);
    b.writeUInt32LE(len, 4);
    b.writeUInt32LE(trailing, b.length - 4);
    return b;
  };

  for (const [name, tail, what] of [
    ["length-not-multiple-of-4", withLength(epb, epb.length - 2), "length"],
    ["length-below-12", withLength(epb, 8), "length 8"],
    ["trailing-mismatch", withLength(epb, epb.length, epb.length + 4), "trailing"],
    [
      "undeclared-interface",
      (() => {
        const b = Buffer.from(epb);
        b.writeUInt32LE(7, 8);
        return b;
      })(),
      "interface 7",
    ],
    [
      "caplen-beyond-block",
      (() => {
        const b = Buffer.from(epb);
        b.writeUInt32LE(9999, 20);
        return b;
      })(),
      "captured length",
    ],
    [
      "bad-byte-order-magic",
      (() => {
        const b = Buffer.from(shb);
        b.writeUInt32LE(0x11223344, 8);
        return b;
      })(),
      "byte-order",
    ],
    [
      "version-2",
      (() => {
        const b = Buffer.from(shb);
        b.writeUInt16LE(2, 12);
        return b;
      })(),
      "version",
    ],
    ["packet-block-over-cap", withLength(epb, 32 * 1024 * 1024), "exceeds"],
  ] as const) {
    it(`corrupt: ${name} stops at its byte offset after the good frames`, () => {
      const r = corruptCase(name, tail);
      assert.equal(r.frames, 1);
      const e = r.error as { code: string; atByte: number; message: string };
      assert.equal(e.code, "corrupt");
      assert.equal(e.atByte, at);
      assert.match(e.message, new RegExp(`byte ${at}\\b`));
      assert.ok(e.message.includes(what), e.message);
    });
  }

  it("a big unknown block whose length runs past the end of file is truncated", () => {
    const big = pcapngBlock(0x40000bad, Buffer.alloc(16), le);
    const r = corruptCase("unknown-past-eof", withLength(big, 20 * 1024 * 1024));
    assert.equal(r.frames, 1);
    assert.deepEqual(r.error, { code: "truncated", message: `truncated at byte ${at}`, atByte: at });
  });

  it("cut inside a block: complete frames, then truncated at that block's offset", () => {
    const path = tmp("cut.pcapng");
    const whole = Buffer.concat([shb, idb, epb, epb]);
    writeFileSync(path, whole.subarray(0, whole.length - 5));
    const { outcome, frames } = readAll(path);
    assert.equal(frames.length, 1);
    assert.deepEqual(outcome.error, { code: "truncated", message: `truncated at byte ${at}`, atByte: at });
  });

  it("a section header alone is a capture with no frames and no interface", () => {
    const path = tmp("only-shb.pcapng");
    writeFileSync(path, shb);
    const { outcome, frames } = readAll(path);
    assert.equal(frames.length, 0);
    assert.equal(outcome.error, null);
    assert.deepEqual(outcome.info, { format: "pcapng", linkType: -1 });
    assert.ok(Number.isNaN(outcome.stats.firstTsS));
  });
});
