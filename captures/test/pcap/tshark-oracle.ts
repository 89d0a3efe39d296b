/**
 * tshark as the independent oracle (house rule 8): when tshark is installed, the tests compare
 * our decoder with its dissection of the same file. Helpers only; no tests here.
 */
import { execFileSync } from "node:child_process";

let available: boolean | undefined;

/** tshark and mergecap are on the PATH. */
export function tsharkAvailable(): boolean {
  if (available === undefined) {
    try {
      execFileSync("tshark", ["-v"], { stdio: "ignore", timeout: 20_000 });
      execFileSync("mergecap", ["-h"], { stdio: "ignore", timeout: 20_000 });
      available = true;
    } catch {
      available = false;
    }
  }
  return available;
}

/** Rows of `tshark -r file [-Y filter] -T fields -e ...` (tab-separated values per frame). */
export function tsharkFields(
  file: string,
  fields: string[],
  filter?: string,
  extra: string[] = [],
): string[][] {
  const args = [
    "-r",
    file,
    "-n",
    ...extra,
    ...(filter ? ["-Y", filter] : []),
    "-T",
    "fields",
    "-E",
    "separator=/t",
  ];
  for (const f of fields) args.push("-e", f);
  const out = execFileSync("tshark", args, {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    stdio: ["ignore", "pipe", "ignore"],
    timeout: 120_000,
  });
  return out
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => l.split("\t"));
}

/** Concatenates captures (in the order given) into one pcapng with one interface per input. */
export function mergeCaptures(out: string, files: string[]): void {
  execFileSync("mergecap", ["-a", "-F", "pcapng", "-w", out, ...files], { stdio: "ignore", timeout: 60_000 });
}

export interface UdpRow {
  frame: number;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  payloadHex: string;
}

export interface TsharkView {
  frames: number;
  udp: UdpRow[];
  tcpSegments: number;
  /** each TCP direction "src|sport|dst|dport" with data: its bytes and how many are missing */
  tcpStreams: Map<string, { data: Buffer; holes: number }>;
}

const FIELDS = [
  "frame.number",
  "ip.src",
  "ipv6.src",
  "ip.dst",
  "ipv6.dst",
  "udp.srcport",
  "udp.dstport",
  "udp.payload",
  "tcp.srcport",
  "tcp.dstport",
  "tcp.seq_raw",
  "tcp.flags.syn",
  "tcp.payload",
  "icmp.type",
  "icmpv6.type",
  "frame.protocols",
];

/** The last value of a multi-occurrence field (the innermost header under tunnels). */
const last = (v: string | undefined): string => (v ?? "").split(",").pop() ?? "";
const first = (v: string | undefined): string => (v ?? "").split(",")[0] ?? "";

/**
 * One tshark pass: frame count; UDP datagrams (not counting headers quoted inside ICMP errors);
 * TCP segment count; each TCP direction's byte stream as the union of [seq, seq + len) of its
 * segments (first copy of a byte wins), from the lowest sequence number carrying data.
 */
export function tsharkView(file: string): TsharkView {
  const rows = tsharkFields(file, FIELDS, undefined, ["-o", "tcp.desegment_tcp_streams:FALSE"]);
  const view: TsharkView = { frames: rows.length, udp: [], tcpSegments: 0, tcpStreams: new Map() };
  const segs = new Map<string, { seq: number; data: Buffer }[]>();
  for (const [
    frame,
    s4,
    s6,
    d4,
    d6,
    usp,
    udp,
    upay,
    tsp,
    tdp,
    seqRaw,
    syn,
    tpay,
    icmp,
    icmp6,
    protocols,
  ] of rows) {
    if (icmp || icmp6) continue;
    // the innermost IP header is whichever of ip / ipv6 comes last in the layer list
    const layers = (protocols ?? "").split(":");
    const v6inner = layers.lastIndexOf("ipv6") > layers.lastIndexOf("ip");
    const srcIp = v6inner ? last(s6) : last(s4);
    const dstIp = v6inner ? last(d6) : last(d4);
    if (usp) {
      view.udp.push({
        frame: Number(frame),
        srcIp,
        dstIp,
        srcPort: Number(first(usp)),
        dstPort: Number(first(udp)),
        payloadHex: first(upay).replace(/:/g, ""),
      });
    }
    if (tsp) {
      view.tcpSegments++;
      const key = `${srcIp}|${tsp}|${dstIp}|${tdp}`;
      let seq = Number(seqRaw);
      if (syn === "1") seq = (seq + 1) >>> 0;
      const data = Buffer.from((tpay ?? "").replace(/:/g, ""), "hex");
      if (data.length === 0) continue;
      const list = segs.get(key) ?? [];
      list.push({ seq, data });
      segs.set(key, list);
    }
  }
  for (const [key, list] of segs) view.tcpStreams.set(key, unionOfSegments(list));
  return view;
}

function unionOfSegments(list: { seq: number; data: Buffer }[]): { data: Buffer; holes: number } {
  const firstSeq = list[0]!.seq;
  const rel = list.map((s) => ({ off: (s.seq - firstSeq) | 0, data: s.data }));
  const base = Math.min(...rel.map((r) => r.off));
  const endOff = Math.max(...rel.map((r) => r.off - base + r.data.length));
  const bytes = Buffer.alloc(endOff);
  const have = new Uint8Array(endOff);
  for (const r of rel) {
    for (let i = 0; i < r.data.length; i++) {
      const at = r.off - base + i;
      if (!have[at]) {
        have[at] = 1;
        bytes[at] = r.data[i]!;
      }
    }
  }
  return { data: bytes, holes: have.reduce((n, h) => n + (h ? 0 : 1), 0) };
}
