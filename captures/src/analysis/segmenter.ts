/**
 * Which calls are over, for good: the calls a long capture can analyse and forget while it is still
 * being read, so memory holds the calls in progress, not every call of the capture.
 *
 * A Call-ID is a candidate when it ended (BYE, CANCEL before the answer, or a failed INVITE; any
 * Call-ID without an INVITE counts as ended) and nothing of it, SIP or RTP, was seen for QUIET_S of
 * capture time: 64·T1, the longest a retransmission or an ACK timeout can trail (RFC 3261 §17.1.1.2,
 * §17.2.1). Candidates are grouped into calls by correlate.ts; a call is closed only if no member can
 * still be tied to a Call-ID in progress by any rule correlate.ts or placeStreams() applies (same
 * Cisco-Guid or Session-ID, related Call-IDs, a B2BUA hop or shared media while both were up, an
 * out-of-dialog KPML subscription, or a stream a live leg could claim). So the closed calls come out
 * of the analysis exactly as they would from the whole capture at once, apart from identifiers a
 * call reuses after a quiet minute (each then makes its own call, as a person would read it).
 */
import type { LegState, RtpStream, SipEvent } from "./context.ts";
import { type CallEntry, type CallIndex, mayLinkByHopOrMedia, relatedIds } from "./call-index.ts";
import { correlate } from "./correlate.ts";
import { buildLegs, type LegBuildResult } from "./legs.ts";
import { placeStreams, streamEnds, type StreamPlacement } from "./media.ts";
import type { ActivePair } from "./packet-side.ts";
import type { Call } from "./model.ts";

/** 64·T1 with RFC 3261's T1 = 500 ms. */
export const QUIET_S = 32;

export interface ClosedSet {
  built: LegBuildResult;
  events: SipEvent[];
  streams: RtpStream[];
  placement: Map<RtpStream, StreamPlacement>;
  calls: Call[];
  callIds: Set<string>;
}

export function closeQuietCalls(
  index: CallIndex,
  events: readonly SipEvent[],
  streams: readonly RtpStream[],
  active: readonly ActivePair[],
  cutS: number,
  rel: (t: number) => number,
): ClosedSet | null {
  const cand = new Map<string, CallEntry>();
  const live: CallEntry[] = [];
  for (const c of index.entries.values()) {
    if (c.lastTsS < cutS && (c.invite === null || c.ended)) cand.set(c.callId, c);
    else live.push(c);
  }
  if (cand.size === 0) return null;
  const blocked = new Set<string>();
  blockByLiveRelations(cand, live, blocked);

  const candEvents = events.filter((e) => cand.has(e.callId));
  // legs without a BYE run to the end of the capture (legs.ts): not known yet, so +Infinity
  const built = buildLegs(candEvents, rel, Infinity);
  const calls = correlate(built.legs);
  // only streams that touch an address a candidate declared can be placed on a candidate
  const candMedia = new Set<string>();
  for (const st of built.legs) for (const m of st.media) candMedia.add(m.addr);
  const near = streams.filter((s) => {
    const { src, dst } = streamEnds(s);
    return candMedia.has(dst) || candMedia.has(src);
  });
  const placement = placeStreams(built.legs, near);
  blockByStreams(placement, live, blocked);
  blockByActiveStreams(active, cand, live, blocked);

  // a call closes with all its legs and the out-of-dialog subscriptions that watch them
  const watchesCandidateLeg = (c: CallEntry): boolean =>
    c.invite === null && c.kpmlTarget !== null && isLeg(cand.get(c.kpmlTarget));
  const watchers = new Map<string, string[]>();
  for (const c of cand.values())
    if (watchesCandidateLeg(c)) {
      const target = c.kpmlTarget!;
      const l = watchers.get(target);
      if (l === undefined) watchers.set(target, [c.callId]);
      else l.push(c.callId);
    }
  const closed = new Set<string>();
  const closedCalls: Call[] = [];
  for (const call of calls) {
    const members = [...call.legs];
    for (const id of call.legs) members.push(...(watchers.get(id) ?? []));
    if (members.some((id) => blocked.has(id))) continue;
    for (const id of members) closed.add(id);
    closedCalls.push(call);
  }
  // Call-IDs without an INVITE that watch no leg of this set (REGISTER, OPTIONS, ...)
  for (const c of cand.values())
    if (c.invite === null && !blocked.has(c.callId) && !watchesCandidateLeg(c)) closed.add(c.callId);
  if (closed.size === 0) return null;

  const otherSip: Record<string, number> = {};
  const orphanEvents = built.orphanEvents.filter((e) => closed.has(e.callId));
  for (const e of orphanEvents) {
    const m = e.msg.kind === "request" ? e.msg.method : `${e.cseqMethod} response`;
    otherSip[m] = (otherSip[m] ?? 0) + 1;
  }
  const legs = built.legs.filter((st) => closed.has(st.leg.callId));
  const closedPlacement = new Map<RtpStream, StreamPlacement>();
  const closedStreams: RtpStream[] = [];
  for (const s of near) {
    const pl = placement.get(s);
    if (pl !== undefined && closed.has(pl.st.leg.callId)) {
      closedPlacement.set(s, pl);
      closedStreams.push(s);
    }
  }
  return {
    built: { legs, otherSip, orphanEvents },
    events: candEvents.filter((e) => closed.has(e.callId)),
    streams: closedStreams,
    placement: closedPlacement,
    calls: closedCalls,
    callIds: closed,
  };
}

function isLeg(c: CallEntry | undefined): boolean {
  return c !== undefined && c.invite !== null;
}

/** correlate.ts ignores a media address declared by more legs than this (a shared echo port) */
const MAX_MEDIA_SHARERS = 8;

/** Candidates a live Call-ID could still be tied to (correlate.ts's rules, and KPML watchers). */
function blockByLiveRelations(cand: Map<string, CallEntry>, live: CallEntry[], blocked: Set<string>): void {
  const byGuid = new Map<string, string[]>();
  const byUuid = new Map<string, string[]>();
  const bySrc = new Map<string, CallEntry[]>();
  const byDst = new Map<string, CallEntry[]>();
  const byMedia = new Map<string, CallEntry[]>();
  const push = <T>(m: Map<string, T[]>, k: string, v: T): void => {
    const l = m.get(k);
    if (l === undefined) m.set(k, [v]);
    else l.push(v);
  };
  const liveIds = new Set<string>();
  const liveSharers = new Map<string, number>();
  for (const x of live) {
    liveIds.add(x.callId);
    if (x.invite !== null) for (const a of x.media.keys()) liveSharers.set(a, (liveSharers.get(a) ?? 0) + 1);
  }
  for (const c of cand.values()) {
    const inv = c.invite;
    if (inv === null) {
      // a subscription watching a leg still in progress closes with that leg
      if (c.kpmlTarget !== null && liveIds.has(c.kpmlTarget)) blocked.add(c.callId);
      continue;
    }
    if (inv.guid !== null) push(byGuid, inv.guid, c.callId);
    for (const u of inv.sessionUuids) push(byUuid, u, c.callId);
    push(bySrc, inv.src, c);
    push(byDst, inv.dst, c);
    for (const a of c.media.keys()) push(byMedia, a, c);
    for (const id of relatedIds(c)) if (liveIds.has(id)) blocked.add(c.callId);
  }
  const check = (c: CallEntry, x: CallEntry): void => {
    if (blocked.has(c.callId)) return;
    const [a, b] = c.invite!.tsS <= x.invite!.tsS ? [c, x] : [x, c];
    if (mayLinkByHopOrMedia(a, b)) blocked.add(c.callId);
  };
  for (const x of live) {
    const inv = x.invite;
    if (inv === null) {
      if (x.kpmlTarget !== null && cand.has(x.kpmlTarget)) blocked.add(x.kpmlTarget);
      continue;
    }
    if (inv.guid !== null) for (const id of byGuid.get(inv.guid) ?? []) blocked.add(id);
    for (const u of inv.sessionUuids) for (const id of byUuid.get(u) ?? []) blocked.add(id);
    for (const id of relatedIds(x)) if (isLeg(cand.get(id))) blocked.add(id);
    // B2BUA hop either way: x leaves where c arrived, or c leaves where x arrived
    for (const c of byDst.get(inv.src) ?? []) check(c, x);
    for (const c of bySrc.get(inv.dst) ?? []) check(c, x);
    for (const a of x.media.keys()) {
      const l = byMedia.get(a);
      if (l === undefined || l.length + (liveSharers.get(a) ?? 0) > MAX_MEDIA_SHARERS) continue;
      for (const c of l) check(c, x);
    }
  }
}

/**
 * A candidate is not over while a stream placeStreams() could give it still flows: one whose two
 * ends it declared, or, when no Call-ID declared both ends, one end of.
 */
function blockByActiveStreams(
  active: readonly ActivePair[],
  cand: Map<string, CallEntry>,
  live: CallEntry[],
  blocked: Set<string>,
): void {
  if (active.length === 0) return;
  const byAddr = new Map<string, CallEntry[]>();
  const add = (c: CallEntry): void => {
    for (const a of c.media.keys()) {
      const l = byAddr.get(a);
      if (l === undefined) byAddr.set(a, [c]);
      else l.push(c);
    }
  };
  for (const c of cand.values()) add(c);
  for (const c of live) add(c);
  for (const [src, dst] of active) {
    const atDst = byAddr.get(dst);
    const atSrc = byAddr.get(src);
    if (atDst === undefined && atSrc === undefined) continue;
    // the legs that declared both ends: walk the shorter list (a shared echo port is declared by
    // every call of a test run, the caller's own address by one leg)
    let both: CallEntry[] = [];
    if (atDst !== undefined && atSrc !== undefined)
      both =
        atSrc.length <= atDst.length
          ? atSrc.filter((c) => c.media.has(dst))
          : atDst.filter((c) => c.media.has(src));
    const owners = both.length > 0 ? [both] : [atDst ?? [], atSrc ?? []];
    for (const l of owners) for (const c of l) if (cand.has(c.callId)) blocked.add(c.callId);
  }
}

/**
 * A candidate is not over either when a stream of it could be claimed by a leg in
 * progress under placeStreams()'s rules: a live leg that declared the stream's
 * address pair (or, when the stream matched on one address, either address) no later than the
 * stream's last packet.
 */
function blockByStreams(
  placement: Map<RtpStream, StreamPlacement>,
  live: CallEntry[],
  blocked: Set<string>,
): void {
  let liveDecl: Map<string, CallEntry[]> | null = null;
  const mediaOf = new Map<LegState, Set<string>>();
  for (const [s, pl] of placement) {
    const owner = pl.st.leg.callId;
    if (blocked.has(owner)) continue;
    if (liveDecl === null) {
      liveDecl = new Map();
      for (const x of live)
        for (const a of x.media.keys()) {
          const l = liveDecl.get(a);
          if (l === undefined) liveDecl.set(a, [x]);
          else l.push(x);
        }
      if (liveDecl.size === 0) return; // nothing in progress declared media
    }
    const { src, dst } = streamEnds(s);
    let ownMedia = mediaOf.get(pl.st);
    if (ownMedia === undefined) mediaOf.set(pl.st, (ownMedia = new Set(pl.st.media.map((m) => m.addr))));
    const pair = ownMedia.has(src) && ownMedia.has(dst);
    const declaredBy = (x: CallEntry, a: string): boolean => {
      const t = x.media.get(a);
      return t !== undefined && t <= s.lastS + 1;
    };
    const atDst = liveDecl.get(dst);
    const atSrc = liveDecl.get(src);
    let claimed: boolean;
    if (pair) {
      // a live leg that declared both ends: walk the shorter list (a shared echo port is declared
      // by every call of a run)
      if (atDst === undefined || atSrc === undefined) claimed = false;
      else {
        const shorter = atSrc.length <= atDst.length ? atSrc : atDst;
        claimed = shorter.some((x) => declaredBy(x, dst) && declaredBy(x, src));
      }
    } else
      claimed =
        (atDst?.some((x) => declaredBy(x, dst)) ?? false) ||
        (atSrc?.some((x) => declaredBy(x, src)) ?? false);
    if (claimed) blocked.add(owner);
  }
}
