/**
 * Textual IP addresses without building a string per packet: a bounded cache from the address
 * bytes to the string. A capture has few distinct addresses; hostile input with many is capped
 * (the cache is cleared when full, so memory stays bounded and results stay correct).
 */
import { readU32 } from "../../../protocol/src/wire/bytes.ts";
const MAX_CACHED = 65536;

/** IPv4 dotted-quad (RFC 791 address, printed as RFC 4001 "dotted decimal"). */
export class Ipv4Names {
  private readonly names = new Map<number, string>();
  /** the last address asked for: consecutive packets mostly repeat it */
  private lastN = 0;
  private lastName = "0.0.0.0";

  /** The address stored big-endian at `buf[off .. off + 4)`. */
  at(buf: Buffer, off: number): string {
    const n = readU32(buf, off) | 0; // int32: a small-integer Map key, never a heap number
    if (n === this.lastN) return this.lastName;
    let name = this.names.get(n);
    if (name === undefined) {
      name = `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
      if (this.names.size >= MAX_CACHED) this.names.clear();
      this.names.set(n, name);
    }
    this.lastN = n;
    this.lastName = name;
    return name;
  }
}

interface V6Entry {
  w0: number;
  w1: number;
  w2: number;
  w3: number;
  name: string;
  next: V6Entry | null;
}

/** IPv6 text in the RFC 5952 canonical form, cached by the four 32-bit words (hash chains). */
export class Ipv6Names {
  private readonly buckets = new Map<number, V6Entry>();
  private size = 0;

  at(buf: Buffer, off: number): string {
    const w0 = buf.readUInt32BE(off);
    const w1 = buf.readUInt32BE(off + 4);
    const w2 = buf.readUInt32BE(off + 8);
    const w3 = buf.readUInt32BE(off + 12);
    const h = (Math.imul(w0, 0x9e3779b1) ^ Math.imul(w1, 0x85ebca77) ^ Math.imul(w2, 0xc2b2ae3d) ^ w3) | 0;
    const head = this.buckets.get(h);
    for (let e: V6Entry | null | undefined = head; e; e = e.next) {
      if (e.w0 === w0 && e.w1 === w1 && e.w2 === w2 && e.w3 === w3) return e.name;
    }
    const name = formatIpv6(buf, off);
    let chain = head ?? null;
    if (this.size >= MAX_CACHED) {
      this.buckets.clear();
      this.size = 0;
      chain = null;
    }
    this.buckets.set(h, { w0, w1, w2, w3, name, next: chain });
    this.size++;
    return name;
  }
}

/*
 * RFC 5952 §4: "4.1 Leading zeros MUST be suppressed"; "4.2.1 The use of the symbol '::' MUST be
 * used to its maximum capability"; "4.2.2 The symbol '::' MUST NOT be used to shorten just one
 * 16-bit 0 field"; "4.2.3 When there is an alternative choice in the placement of a '::', the
 * longest run of consecutive 16-bit 0 fields MUST be shortened [...] If the length of the
 * consecutive 16-bit 0 fields are equal [...] the first sequence of zero bits MUST be shortened";
 * "4.3 The characters 'a', 'b', 'c', 'd', 'e', and 'f' in an IPv6 address MUST be represented
 * in lowercase". §5: IPv4-mapped addresses ("::ffff:192.0.2.1") use the mixed notation.
 */
export function formatIpv6(buf: Buffer, off: number): string {
  const fields: number[] = [];
  for (let i = 0; i < 8; i++) fields.push(buf.readUInt16BE(off + 2 * i));
  if (
    fields[0] === 0 &&
    fields[1] === 0 &&
    fields[2] === 0 &&
    fields[3] === 0 &&
    fields[4] === 0 &&
    fields[5] === 0xffff
  ) {
    return `::ffff:${buf[off + 12]}.${buf[off + 13]}.${buf[off + 14]}.${buf[off + 15]}`;
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (fields[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && fields[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number) =>
    fields
      .slice(from, to)
      .map((f) => f.toString(16))
      .join(":");
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}
