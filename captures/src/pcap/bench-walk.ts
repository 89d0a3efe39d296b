/**
 * Walk benchmark: frames/s of readCapture and decoded payloads/s of readTransport on one file.
 *   npx tsx captures/src/pcap/bench-walk.ts FILE
 *   npx tsx captures/src/pcap/bench-walk.ts --generate N OUT.pcap   (N RTP-sized UDP packets, Ethernet)
 * Not a test: prints numbers, asserts nothing.
 */
import { statSync } from "node:fs";
import { readTransport } from "./decode.ts";
import { ipToLink } from "./link-builder.ts";
import { ipUdp } from "./packet-builder.ts";
import { readCapture } from "./reader.ts";
import { PcapWriter } from "./writer.ts";

function generate(n: number, out: string): void {
  const w = new PcapWriter(out, 1);
  const rtp = Buffer.alloc(172);
  rtp[0] = 0x80;
  const frameA = ipToLink(1, ipUdp("10.0.0.1", "10.0.0.2", 20000, 30000, rtp));
  const frameB = ipToLink(1, ipUdp("10.0.0.2", "10.0.0.1", 30000, 20000, rtp));
  for (let i = 0; i < n; i++) {
    const f = i % 2 === 0 ? frameA : frameB;
    f.writeUInt16BE(i & 0xffff, 14 + 20 + 8 + 2); // RTP sequence number
    w.write({ tsS: 1_700_000_000 + i * 0.01, data: f });
  }
  w.close();
}

function timeIt(label: string, run: () => number): void {
  let best = Infinity;
  let n = 0;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    n = run();
    best = Math.min(best, performance.now() - t0);
  }
  const perS = (n / best) * 1000;
  console.log(`${label}: ${n} in ${best.toFixed(1)} ms = ${(perS / 1e6).toFixed(2)} M/s`);
}

const args = process.argv.slice(2);
if (args[0] === "--generate") {
  generate(Number(args[1] ?? 1_000_000), args[2] ?? "bench-walk.pcap");
} else if (args[0]) {
  const file = args[0];
  console.log(`${file}: ${(statSync(file).size / 1e6).toFixed(1)} MB`);
  timeIt("readCapture frames", () => {
    let bytes = 0;
    const o = readCapture(file, (f) => {
      bytes += f.length;
    });
    if (o.error) console.log(o.error.message);
    return o.stats.packets + (bytes < 0 ? 1 : 0);
  });
  timeIt("readTransport payloads", () => {
    let payloads = 0;
    readTransport(file, (p) => {
      payloads += p.length >= 0 ? 1 : 0;
    });
    return payloads;
  });
} else {
  console.error("usage: bench-walk.ts FILE | --generate N OUT.pcap");
  process.exitCode = 2;
}
