/**
 * Legs -> calls, without configuration. Signals, strongest first:
 * - Cisco-Guid: CUCM and IOS copy it onto every leg of a call.
 * - Session-ID (RFC 7989): either UUID of one leg equals one of the other's (the all-zero null UUID ignored).
 * - Call-ID relations: one Call-ID contains the other (B2BUAs that derive the B-leg Call-ID), or an
 *   X-Call-ID / X-CID / X-Original-Call-ID header names the other leg.
 * - B2BUA hop: leg B leaves the address leg A arrived at (B.caller == A.callee, same ip:port), starts
 *   while A is being set up or up (within 30 s), and shares a dialled or calling number (last 4+
 *   digits) or a media address. Each leg pairs with at most one such predecessor, the nearest in time.
 * - Media: two legs on different hops that declared the same media address while both were up
 *   (a signalling-only B2BUA passes SDP through).
 */
import type { LegState } from "./context.ts";
import type { Call } from "./model.ts";

class UnionFind {
  private readonly parent: number[];
  constructor(n: number) {
    this.parent = Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    let r = i;
    while (this.parent[r] !== r) r = this.parent[r]!;
    while (this.parent[i] !== r) {
      const n = this.parent[i]!;
      this.parent[i] = r;
      i = n;
    }
    return r;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

export const HOP_WINDOW_S = 30;

function digitsOf(user: string | null): string | null {
  if (user === null) return null;
  const d = user.replace(/[^0-9]/g, "");
  return d.length >= 4 ? d : null;
}

export function sameNumber(a: string | null, b: string | null): boolean {
  const x = digitsOf(a);
  const y = digitsOf(b);
  if (x === null || y === null) return false;
  const n = Math.min(x.length, y.length, 6);
  return x.slice(-n) === y.slice(-n);
}

export function sessionUuids(v: string | null | undefined): string[] {
  if (v === null || v === undefined) return [];
  const uuids: string[] = [];
  const local = v.split(";")[0]?.trim().toLowerCase() ?? "";
  if (/^[0-9a-f]{32}$/.test(local) && !/^0+$/.test(local)) uuids.push(local);
  const remote = /remote=([0-9a-f]{32})/i.exec(v)?.[1]?.toLowerCase();
  if (remote !== undefined && !/^0+$/.test(remote)) uuids.push(remote);
  return uuids;
}

/** - _ . @ ; : + = / by char code: a regex test per character was the cost of correlation */
const DELIMITERS: ReadonlySet<number> = new Set([..."-_.@;:+=/"].map((c) => c.charCodeAt(0)));
const MIN_EMBEDDED_CALL_ID = 8;

/** Proper substrings of a Call-ID that start and end on delimiter boundaries, 8+ characters. */
export function boundarySubstrings(callId: string): string[] {
  if (callId.length > 256) return [];
  const starts = [0];
  const ends: number[] = [];
  for (let i = 0; i < callId.length; i++) {
    if (DELIMITERS.has(callId.charCodeAt(i))) {
      starts.push(i + 1);
      ends.push(i);
    }
  }
  ends.push(callId.length);
  const out: string[] = [];
  for (const a of starts.slice(0, 16))
    for (const b of ends.slice(-16)) {
      if (b - a < MIN_EMBEDDED_CALL_ID || (a === 0 && b === callId.length)) continue;
      out.push(callId.slice(a, b));
    }
  return out;
}

export function correlate(legs: LegState[]): Call[] {
  const n = legs.length;
  const uf = new UnionFind(n);
  const reasons = new Map<number, Set<string>>();
  const link = (i: number, j: number, why: string): void => {
    uf.union(i, j);
    for (const k of [i, j]) {
      let s = reasons.get(k);
      if (s === undefined) reasons.set(k, (s = new Set()));
      s.add(why);
    }
  };
  const byKey = (keyOf: (st: LegState) => string[], why: string): void => {
    const first = new Map<string, number>();
    legs.forEach((st, i) => {
      for (const k of keyOf(st)) {
        const j = first.get(k);
        if (j === undefined) first.set(k, i);
        else if (j !== i) link(j, i, why);
      }
    });
  };
  byKey((st) => (st.leg.ciscoGuid ? [st.leg.ciscoGuid.trim().toLowerCase()] : []), "cisco-guid");
  byKey((st) => sessionUuids(st.leg.sessionId), "session-id");
  // Call-ID relations
  const idIndex = new Map<string, number>();
  legs.forEach((st, i) => idIndex.set(st.leg.callId, i));
  legs.forEach((st, i) => {
    for (const h of ["x-call-id", "x-cid", "x-original-call-id", "x-orig-call-id"]) {
      const v = st.invite.msg.headers.find((x) => x.name === h)?.value;
      const j = v !== undefined ? idIndex.get(v.trim()) : undefined;
      if (j !== undefined && j !== i) link(i, j, "call-id");
    }
  });
  // One Call-ID embedded in another on delimiter boundaries (a B2BUA deriving the B-leg's
  // Call-ID): "abc123@host" in "b2b-abc123@host", but not "1-32622@h" in "11-32622@h".
  legs.forEach((st, i) => {
    for (const sub of boundarySubstrings(st.leg.callId)) {
      const j = idIndex.get(sub);
      if (j !== undefined && j !== i) link(i, j, "call-id");
    }
  });
  // B2BUA hop
  const byCallee = new Map<string, number[]>();
  legs.forEach((st, i) => {
    let l = byCallee.get(st.leg.callee);
    if (l === undefined) byCallee.set(st.leg.callee, (l = []));
    l.push(i);
  });
  legs.forEach((b, j) => {
    const cands = byCallee.get(b.leg.caller);
    if (cands === undefined) return;
    let best = -1;
    let bestDt = Infinity;
    for (const i of cands) {
      if (i === j) continue;
      const a = legs[i]!;
      const dt = b.invite.tsS - a.invite.tsS;
      if (dt < 0 || dt > HOP_WINDOW_S || b.invite.tsS > a.endS) continue;
      const shares =
        sameNumber(a.leg.requestUser, b.leg.requestUser) ||
        sameNumber(a.leg.toUser, b.leg.toUser) ||
        sameNumber(a.leg.fromUser, b.leg.fromUser) ||
        a.media.some((m) => b.media.some((x) => x.addr === m.addr));
      if (shares && dt < bestDt) {
        best = i;
        bestDt = dt;
      }
    }
    if (best >= 0) link(best, j, "b2bua-hop");
  });
  // Media addresses declared on two different hops while both legs were up
  const byMedia = new Map<string, number[]>();
  legs.forEach((st, i) => {
    for (const m of new Set(st.media.map((x) => x.addr))) {
      let l = byMedia.get(m);
      if (l === undefined) byMedia.set(m, (l = []));
      l.push(i);
    }
  });
  for (const idx of byMedia.values()) {
    if (idx.length < 2 || idx.length > 8) continue; // a shared echo port on many calls is no evidence
    for (let x = 0; x < idx.length; x++)
      for (let y = x + 1; y < idx.length; y++) {
        const a = legs[idx[x]!]!;
        const b = legs[idx[y]!]!;
        const sameHop = a.leg.caller === b.leg.caller && a.leg.callee === b.leg.callee;
        const overlap = a.invite.tsS <= b.endS && b.invite.tsS <= a.endS;
        if (!sameHop && overlap) link(idx[x]!, idx[y]!, "media");
      }
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = uf.find(i);
    let g = groups.get(r);
    if (g === undefined) groups.set(r, (g = []));
    g.push(i);
  }
  const calls: Call[] = [];
  let k = 1;
  for (const g of [...groups.values()].sort((a, b) => a[0]! - b[0]!)) {
    const why = new Set<string>();
    for (const i of g) for (const r of reasons.get(i) ?? []) why.add(r);
    calls.push({
      id: `call-${k++}`,
      legs: g.map((i) => legs[i]!.leg.callId),
      correlation: g.length === 1 ? ["single"] : [...why].sort(),
    });
  }
  return calls;
}
