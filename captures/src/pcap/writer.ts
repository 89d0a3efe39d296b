import { closeSync, openSync, writeSync } from "node:fs";

/*
 * Writers for classic pcap (draft-ietf-opsawg-pcap) and pcapng (draft-ietf-opsawg-pcapng), in
 * either byte order and time resolution, for synthesised test captures and benchmarks. The
 * layouts are diagrammed in pcap-classic.ts and pcapng.ts / pcapng-interface.ts.
 */

/** One packet to write. */
export interface WriterFrame {
  /** seconds since the epoch (fractions kept to the file's resolution, within double precision) */
  tsS: number;
  data: Buffer;
  /** length on the wire; defaults to data.length */
  origLength?: number;
  /** pcapng only: interface within the current section (default 0) */
  interfaceId?: number;
}

export interface PcapWriterOptions {
  byteOrder?: "le" | "be";
  resolution?: "us" | "ns";
  snapLen?: number;
}

const FLUSH_BYTES = 1024 * 1024;

/** Appends buffers to a file through a 1 MiB staging buffer (synchronous). */
class FileSink {
  private readonly fd: number;
  readonly chunk = Buffer.allocUnsafe(FLUSH_BYTES);
  private used = 0;

  constructor(path: string) {
    this.fd = openSync(path, "w");
  }

  write(b: Buffer): void {
    if (this.used + b.length > this.chunk.length) this.flush();
    if (b.length > this.chunk.length) {
      writeSync(this.fd, b);
      return;
    }
    b.copy(this.chunk, this.used);
    this.used += b.length;
  }

  /** Room for `n` bytes (n <= 1 MiB) in `chunk`: returns where to write them. */
  reserve(n: number): number {
    if (this.used + n > this.chunk.length) this.flush();
    const at = this.used;
    this.used += n;
    return at;
  }

  flush(): void {
    if (this.used > 0) writeSync(this.fd, this.chunk, 0, this.used);
    this.used = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

function u32(v: number, le: boolean): Buffer {
  const b = Buffer.allocUnsafe(4);
  if (le) b.writeUInt32LE(v >>> 0);
  else b.writeUInt32BE(v >>> 0);
  return b;
}

function splitTime(tsS: number, unitsPerS: number): [number, number] {
  let sec = Math.floor(tsS);
  let frac = Math.round((tsS - sec) * unitsPerS);
  if (frac >= unitsPerS) {
    sec += 1;
    frac -= unitsPerS;
  }
  return [sec, frac];
}

/** Bytes of a classic pcap file header. */
export function pcapHeader(linkType: number, opts: PcapWriterOptions = {}): Buffer {
  const le = (opts.byteOrder ?? "le") === "le";
  const b = Buffer.alloc(24);
  const magic = opts.resolution === "ns" ? 0xa1b23c4d : 0xa1b2c3d4;
  const w32 = (v: number, o: number) => (le ? b.writeUInt32LE(v >>> 0, o) : b.writeUInt32BE(v >>> 0, o));
  const w16 = (v: number, o: number) => (le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  w32(magic, 0);
  w16(2, 4);
  w16(4, 6);
  w32(opts.snapLen ?? 262144, 16);
  w32(linkType, 20);
  return b;
}

/** Bytes of one classic pcap record (header + data). */
export function pcapRecord(frame: WriterFrame, opts: PcapWriterOptions = {}): Buffer {
  const le = (opts.byteOrder ?? "le") === "le";
  const [sec, frac] = splitTime(frame.tsS, opts.resolution === "ns" ? 1e9 : 1e6);
  return Buffer.concat([
    u32(sec, le),
    u32(frac, le),
    u32(frame.data.length, le),
    u32(frame.origLength ?? frame.data.length, le),
    frame.data,
  ]);
}

/** Streaming classic pcap writer: constant memory for any number of frames. */
export class PcapWriter {
  private readonly sink: FileSink;
  private readonly le: boolean;
  private readonly unitsPerS: number;

  constructor(
    path: string,
    linkType: number,
    private readonly opts: PcapWriterOptions = {},
  ) {
    this.sink = new FileSink(path);
    this.sink.write(pcapHeader(linkType, opts));
    this.le = (opts.byteOrder ?? "le") === "le";
    this.unitsPerS = opts.resolution === "ns" ? 1e9 : 1e6;
  }

  write(frame: WriterFrame): void {
    const n = frame.data.length;
    if (n + 16 > FLUSH_BYTES) {
      this.sink.write(pcapRecord(frame, this.opts));
      return;
    }
    // Straight into the staging buffer: no allocation per frame (benchmark captures are large).
    const [sec, frac] = splitTime(frame.tsS, this.unitsPerS);
    const c = this.sink.chunk;
    const at = this.sink.reserve(n + 16);
    const orig = frame.origLength ?? n;
    if (this.le) {
      c.writeUInt32LE(sec >>> 0, at);
      c.writeUInt32LE(frac, at + 4);
      c.writeUInt32LE(n, at + 8);
      c.writeUInt32LE(orig >>> 0, at + 12);
    } else {
      c.writeUInt32BE(sec >>> 0, at);
      c.writeUInt32BE(frac, at + 4);
      c.writeUInt32BE(n, at + 8);
      c.writeUInt32BE(orig >>> 0, at + 12);
    }
    frame.data.copy(c, at + 16);
  }

  close(): void {
    this.sink.close();
  }
}

/** Writes a whole classic pcap file. */
export function writePcap(
  path: string,
  linkType: number,
  frames: Iterable<WriterFrame>,
  opts: PcapWriterOptions = {},
): void {
  const w = new PcapWriter(path, linkType, opts);
  try {
    for (const f of frames) w.write(f);
  } finally {
    w.close();
  }
}

// ---------------------------------------------------------------------------------------- pcapng

export interface PcapngInterfaceSpec {
  linkType: number;
  snapLen?: number;
  /** raw if_tsresol byte: 6 = µs (default), 9 = ns, 0x80|n = 2^-n */
  tsresol?: number;
  /** if_tsoffset: whole seconds added to every time stamp of the interface */
  tsoffsetS?: number;
}

/** A block written verbatim around a body (for unknown/NRB/ISB/custom blocks in tests). */
export interface PcapngRawBlock {
  type: number;
  body: Buffer;
}

function pad4(b: Buffer): Buffer {
  const r = b.length % 4;
  return r === 0 ? b : Buffer.concat([b, Buffer.alloc(4 - r)]);
}

/** Bytes of one pcapng block: type, total length, body (padded), total length. */
export function pcapngBlock(type: number, body: Buffer, le: boolean): Buffer {
  const padded = pad4(body);
  const len = 12 + padded.length;
  return Buffer.concat([u32(type, le), u32(len, le), padded, u32(len, le)]);
}

/** Section Header Block (version 1.0, section length unknown). */
export function pcapngSectionHeader(le: boolean): Buffer {
  const body = Buffer.alloc(16);
  if (le) {
    body.writeUInt32LE(0x1a2b3c4d, 0);
    body.writeUInt16LE(1, 4);
  } else {
    body.writeUInt32BE(0x1a2b3c4d, 0);
    body.writeUInt16BE(1, 4);
  }
  body.fill(0xff, 8, 16);
  return pcapngBlock(0x0a0d0d0a, body, le);
}

/** Interface Description Block with an optional if_tsresol option. */
export function pcapngInterface(spec: PcapngInterfaceSpec, le: boolean): Buffer {
  const head = Buffer.alloc(8);
  const opts: Buffer[] = [];
  if (le) {
    head.writeUInt16LE(spec.linkType, 0);
    head.writeUInt32LE(spec.snapLen ?? 0, 4);
  } else {
    head.writeUInt16BE(spec.linkType, 0);
    head.writeUInt32BE(spec.snapLen ?? 0, 4);
  }
  const option = (code: number, value: Buffer) => {
    const h = Buffer.alloc(4);
    if (le) {
      h.writeUInt16LE(code, 0);
      h.writeUInt16LE(value.length, 2);
    } else {
      h.writeUInt16BE(code, 0);
      h.writeUInt16BE(value.length, 2);
    }
    opts.push(h, pad4(value));
  };
  if (spec.tsresol !== undefined) option(9, Buffer.from([spec.tsresol]));
  if (spec.tsoffsetS !== undefined) {
    const v = Buffer.alloc(8);
    if (le) v.writeBigInt64LE(BigInt(spec.tsoffsetS));
    else v.writeBigInt64BE(BigInt(spec.tsoffsetS));
    option(14, v);
  }
  if (opts.length > 0) opts.push(Buffer.alloc(4)); // opt_endofopt
  return pcapngBlock(1, Buffer.concat([head, ...opts]), le);
}

/** Units per second of a raw if_tsresol byte. */
export function tsresolUnits(tsresol: number | undefined): number {
  if (tsresol === undefined) return 1e6;
  return tsresol & 0x80 ? 2 ** (tsresol & 0x7f) : 10 ** tsresol;
}

/** Enhanced Packet Block; `unitsPerS` must match the interface's if_tsresol. */
export function pcapngEnhancedPacket(frame: WriterFrame, unitsPerS: number, le: boolean): Buffer {
  // Whole seconds and the fraction apart, then BigInt: 1.7e18 ns does not fit a double exactly.
  const [sec, frac] = splitTime(frame.tsS, unitsPerS);
  const units = Number.isInteger(unitsPerS)
    ? BigInt(sec) * BigInt(unitsPerS) + BigInt(frac)
    : BigInt(Math.round(frame.tsS * unitsPerS));
  const high = Number(units >> 32n);
  const low = Number(units & 0xffffffffn);
  const head = Buffer.concat([
    u32(frame.interfaceId ?? 0, le),
    u32(high, le),
    u32(low, le),
    u32(frame.data.length, le),
    u32(frame.origLength ?? frame.data.length, le),
  ]);
  return pcapngBlock(6, Buffer.concat([head, pad4(frame.data)]), le);
}

/** Simple Packet Block (no interface id, no time stamp). */
export function pcapngSimplePacket(data: Buffer, le: boolean, origLength = data.length): Buffer {
  return pcapngBlock(3, Buffer.concat([u32(origLength, le), pad4(data)]), le);
}

/** Streaming pcapng writer: sections, interfaces, packets and raw blocks in the order called. */
export class PcapngWriter {
  private readonly sink: FileSink;
  private le = true;
  private units: number[] = [];

  constructor(path: string) {
    this.sink = new FileSink(path);
  }

  section(byteOrder: "le" | "be" = "le"): this {
    this.le = byteOrder === "le";
    this.units = [];
    this.sink.write(pcapngSectionHeader(this.le));
    return this;
  }

  /** Declares the next interface of the current section; returns its id. */
  addInterface(spec: PcapngInterfaceSpec): number {
    this.sink.write(pcapngInterface(spec, this.le));
    this.units.push(tsresolUnits(spec.tsresol));
    return this.units.length - 1;
  }

  write(frame: WriterFrame): void {
    const units = this.units[frame.interfaceId ?? 0] ?? 1e6;
    this.sink.write(pcapngEnhancedPacket(frame, units, this.le));
  }

  writeSimple(data: Buffer, origLength?: number): void {
    this.sink.write(pcapngSimplePacket(data, this.le, origLength));
  }

  writeRaw(block: PcapngRawBlock): void {
    this.sink.write(pcapngBlock(block.type, block.body, this.le));
  }

  close(): void {
    this.sink.close();
  }
}

/** Writes a one-section pcapng file with the given interfaces. */
export function writePcapng(
  path: string,
  interfaces: PcapngInterfaceSpec[],
  frames: Iterable<WriterFrame>,
  byteOrder: "le" | "be" = "le",
): void {
  const w = new PcapngWriter(path);
  try {
    w.section(byteOrder);
    for (const i of interfaces) w.addInterface(i);
    for (const f of frames) w.write(f);
  } finally {
    w.close();
  }
}
