/**
 * bench/multiply.ts: writes a large capture made of K shifted copies of a real seed capture.
 *
 *   npx tsx bench/multiply.ts --seed bench/out/seed.pcap --packets 1000000 --out bench/out/1m.pcap
 *       [--spacing SECONDS]
 *
 * K = ceil(packets / seed packets): whole copies only, so the capture has AT LEAST `--packets`
 * packets and every call in it is complete (an analyzer's leg count must be seed calls x K).
 * Copy k (see lib/copy-rewriter.ts): addresses 127.0.0.1 -> 127.k.0.1 in IP headers and SIP/SDP
 * text, Call-IDs prefixed "k<k>-", lengths fixed, SSRCs XORed, time stamps + k x spacing. The
 * default spacing is the seed's span rounded up plus 1 s, so copies follow each other; a smaller
 * `--spacing` would need a time merge and is refused.
 * Streams the seed once per copy through a fixed window and writes through a 1 MiB buffer: memory
 * does not depend on K. Writes OUT.tmp, then renames it, and OUT.json with the counts.
 */
import { renameSync, statSync, writeFileSync } from "node:fs";
import { readCapture } from "../captures/src/pcap/reader.ts";
import { PcapWriter } from "../captures/src/pcap/writer.ts";
import { CopyPlan, MAX_FRAME_BYTES, ipv4Offset, ipv4Text, rewriteFrame } from "./lib/copy-rewriter.ts";

interface Args {
  seed: string;
  out: string;
  packets: number;
  spacingS: number | null;
}

function parseArgs(argv: string[]): Args | string {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const seed = get("seed");
  const out = get("out");
  const packets = Number(get("packets"));
  const spacing = get("spacing");
  if (seed === undefined || out === undefined || !Number.isInteger(packets) || packets < 1) {
    return "usage: multiply.ts --seed SEED.pcap --packets N --out OUT.pcap [--spacing S]";
  }
  const spacingS = spacing === undefined ? null : Number(spacing);
  if (spacingS !== null && !(spacingS > 0)) return "--spacing must be a positive number of seconds";
  return { seed, out, packets, spacingS };
}

function main(): number {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === "string") {
    console.error(args);
    return 2;
  }
  const t0 = performance.now();

  // pass 1: link type, span, and the IPv4 addresses the seed's IP headers carry
  const seedAddrs = new Set<number>();
  let linkType = -1;
  const scan = readCapture(args.seed, (f) => {
    linkType = f.linkType;
    const ip = ipv4Offset(f.linkType, f.data, f.offset, f.length);
    if (ip >= 0) {
      seedAddrs.add(f.data.readUInt32BE(ip + 12));
      seedAddrs.add(f.data.readUInt32BE(ip + 16));
    }
  });
  if (scan.error !== null || scan.stats.packets === 0) {
    console.error(`multiply: ${args.seed}: ${scan.error?.message ?? "no packets"}`);
    return 2;
  }
  if (scan.info.format !== "pcap") {
    console.error("multiply: the seed must be a classic pcap (tcpdump -w)");
    return 2;
  }
  const seedPackets = scan.stats.packets;
  const spanS = scan.stats.lastTsS - scan.stats.firstTsS;
  const minSpacing = Math.ceil(spanS) + 1;
  const spacingS = args.spacingS ?? minSpacing;
  if (spacingS < spanS) {
    console.error(
      `multiply: --spacing ${spacingS} s would overlap copies (seed spans ${spanS.toFixed(3)} s)`,
    );
    return 2;
  }
  const copies = Math.ceil(args.packets / seedPackets);
  if (copies > 256) {
    console.error(`multiply: ${copies} copies; at most 256 (one /16 of the /8 each)`);
    return 2;
  }

  const tmp = `${args.out}.tmp`;
  const writer = new PcapWriter(tmp, linkType);
  const out = Buffer.allocUnsafe(MAX_FRAME_BYTES);
  let written = 0;
  try {
    for (let k = 0; k < copies; k++) {
      const plan = new CopyPlan(k, seedAddrs);
      const shift = k * spacingS;
      const frame = { tsS: 0, data: out };
      const r = readCapture(args.seed, (f) => {
        const n = rewriteFrame(f.linkType, f.data, f.offset, f.length, plan, out);
        frame.tsS = f.tsS + shift;
        frame.data = out.subarray(0, n);
        writer.write(frame);
        written++;
      });
      if (r.error !== null) throw new Error(`re-reading ${args.seed}: ${r.error.message}`);
    }
  } finally {
    writer.close();
  }
  renameSync(tmp, args.out);

  const manifest = {
    seed: args.seed,
    seedPackets,
    seedSpanS: Math.round(spanS * 1000) / 1000,
    copies,
    packets: written,
    bytes: statSync(args.out).size,
    spacingS,
    seedAddresses: [...seedAddrs].map(ipv4Text),
    addressesOfLastCopy: [...seedAddrs].map((a) => ipv4Text(new CopyPlan(copies - 1, seedAddrs).mapAddr(a))),
    seconds: Math.round(performance.now() - t0) / 1000,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  writeFileSync(args.out.replace(/\.pcap$/, "") + ".json", `${JSON.stringify(manifest, null, 2)}\n`);
  console.error(
    `multiply: ${args.out}: ${copies} copies x ${seedPackets} = ${written} packets, ${(manifest.bytes / 1e6).toFixed(1)} MB in ${manifest.seconds} s (peak RSS ${manifest.peakRssMiB} MiB)`,
  );
  return 0;
}

process.exitCode = main();
