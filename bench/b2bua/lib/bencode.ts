/**
 * Bencode, the encoding of rtpengine's "ng" control protocol (rtpengine README, "The NG Control
 * Protocol": "a dictionary ... encoded using bencode"), as BitTorrent BEP 3 defines it:
 *   integer    i<decimal>e
 *   string     <length>:<bytes>
 *   list       l<items>e
 *   dictionary d<key><value>...e   (keys are strings, sorted)
 * Strings decode to latin1 JS strings (SDP is ASCII). Decoding never throws: bad bytes give null.
 */

export type BValue = number | string | BValue[] | { [key: string]: BValue };

export function bencode(v: BValue): Buffer {
  const parts: Buffer[] = [];
  const walk = (x: BValue): void => {
    if (typeof x === "number") {
      parts.push(Buffer.from(`i${Math.trunc(x)}e`, "latin1"));
    } else if (typeof x === "string") {
      const b = Buffer.from(x, "latin1");
      parts.push(Buffer.from(`${b.length}:`, "latin1"), b);
    } else if (Array.isArray(x)) {
      parts.push(Buffer.from("l"));
      x.forEach(walk);
      parts.push(Buffer.from("e"));
    } else {
      parts.push(Buffer.from("d"));
      for (const k of Object.keys(x).sort()) {
        walk(k);
        walk(x[k]!);
      }
      parts.push(Buffer.from("e"));
    }
  };
  walk(v);
  return Buffer.concat(parts);
}

/** Decodes one value starting at `start`; null when the bytes are not bencode. */
export function bdecode(buf: Buffer, start = 0): { value: BValue; end: number } | null {
  const at = (i: number): { value: BValue; end: number } | null => {
    const c = buf[i];
    if (c === undefined) return null;
    if (c === 0x69) {
      const e = buf.indexOf(0x65, i);
      if (e < 0) return null;
      const n = Number(buf.toString("latin1", i + 1, e));
      return Number.isFinite(n) ? { value: n, end: e + 1 } : null;
    }
    if (c === 0x6c || c === 0x64) {
      const list: BValue[] = [];
      const dict: { [key: string]: BValue } = {};
      let j = i + 1;
      while (buf[j] !== 0x65) {
        if (j >= buf.length) return null;
        const k = at(j);
        if (k === null) return null;
        if (c === 0x6c) {
          list.push(k.value);
          j = k.end;
        } else {
          if (typeof k.value !== "string") return null;
          const v = at(k.end);
          if (v === null) return null;
          // defineProperty: a "__proto__" key is data, not the prototype
          Object.defineProperty(dict, k.value, {
            value: v.value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
          j = v.end;
        }
      }
      return { value: c === 0x6c ? list : dict, end: j + 1 };
    }
    const colon = buf.indexOf(0x3a, i);
    if (colon < 0) return null;
    const len = Number(buf.toString("latin1", i, colon));
    if (!Number.isInteger(len) || len < 0 || colon + 1 + len > buf.length) return null;
    return { value: buf.toString("latin1", colon + 1, colon + 1 + len), end: colon + 1 + len };
  };
  return at(start);
}

/** An ng datagram: "<cookie> <bencoded dictionary>". */
export function parseNgMessage(m: Buffer): { cookie: string; dict: { [key: string]: BValue } } | null {
  const sp = m.indexOf(0x20);
  if (sp <= 0) return null;
  const d = bdecode(m, sp + 1);
  if (d === null || typeof d.value !== "object" || Array.isArray(d.value)) return null;
  return { cookie: m.toString("latin1", 0, sp), dict: d.value };
}

export function ngMessage(cookie: string, dict: { [key: string]: BValue }): Buffer {
  return Buffer.concat([Buffer.from(`${cookie} `, "latin1"), bencode(dict)]);
}
