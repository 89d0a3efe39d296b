/**
 * Codec choice per leg (pure). The B2BUA relays audio unchanged (no transcoding), so a call's two
 * legs must end up on the same codec: what leg b may be offered is what leg a offered, filtered by
 * both legs' policies; the codec leg b answers is the one leg a gets in its answer.
 *
 * RFC 3264 §6.1: "For streams that are not rejected, the answer MUST contain at least one media
 * format from those listed in the offer" — with nothing in common the call is refused with 488 and
 * `Warning: 305` (RFC 3261 §20.43: "305 Incompatible media format: One or more media formats
 * contained in the session description are not understood").
 */
import type { RtpMap, SdpMedia } from "../wire/sdp/index.ts";
import { DYNAMIC_PT_MAX, DYNAMIC_PT_MIN, sameFormat } from "../wire/sdp/index.ts";

/** One audio format as it travels in an m-line: PT, rtpmap and fmtp. */
export interface Codec {
  readonly pt: number;
  readonly name: string;
  readonly clockRate: number;
  readonly channels?: number;
  readonly fmtp: string | null;
}

/** Codecs we can offer from a policy alone (delayed offer from the caller): RFC 3551 static PTs and common fmtp. */
export const KNOWN_CODECS: Readonly<Record<string, Codec>> = Object.freeze({
  PCMU: Object.freeze({ pt: 0, name: "PCMU", clockRate: 8000, fmtp: null }),
  PCMA: Object.freeze({ pt: 8, name: "PCMA", clockRate: 8000, fmtp: null }),
  // RFC 4856 §2.1.9: without annexb=no the answerer assumes Annex B (VAD/CNG); CUCM sends annexb=no
  G729: Object.freeze({ pt: 18, name: "G729", clockRate: 8000, fmtp: "annexb=no" }),
  G722: Object.freeze({ pt: 9, name: "G722", clockRate: 8000, fmtp: null }),
  GSM: Object.freeze({ pt: 3, name: "GSM", clockRate: 8000, fmtp: null }),
  G723: Object.freeze({ pt: 4, name: "G723", clockRate: 8000, fmtp: null }),
});

const TELEPHONE_EVENT = "telephone-event";
const COMFORT_NOISE = "cn";

/** The audio codecs of an m-line in m-line order (telephone-event and CN are not codecs). */
export function audioCodecs(m: SdpMedia): Codec[] {
  const out: Codec[] = [];
  for (const pt of m.payloads) {
    const r = m.rtpmaps.find((x) => x.pt === pt);
    if (r === undefined) continue;
    const name = r.name.toLowerCase();
    if (name === TELEPHONE_EVENT || name === COMFORT_NOISE) continue;
    if (out.some((c) => c.pt === pt)) continue;
    out.push({ ...r, fmtp: m.fmtp[pt] ?? null });
  }
  return out;
}

/** Index of the policy entry that allows `c` ("PCMU" or "PCMU/8000", case-insensitive), or -1. */
export function policyIndex(c: RtpMap, policy: readonly string[]): number {
  return policy.findIndex((entry) => {
    const [name, rate] = entry.split("/");
    if (name === undefined || name.toLowerCase() !== c.name.toLowerCase()) return false;
    return rate === undefined || Number(rate) === c.clockRate;
  });
}

/** The codecs every policy allows, in the order of the first policy's preferences (ties: input order). */
export function allowedByPolicies(codecs: readonly Codec[], ...policies: (readonly string[])[]): Codec[] {
  const kept = codecs.filter((c) => policies.every((p) => policyIndex(c, p) >= 0));
  const first = policies[0];
  if (first === undefined) return kept;
  return kept
    .map((c, i) => ({ c, i, rank: policyIndex(c, first) }))
    .sort((x, y) => x.rank - y.rank || x.i - y.i)
    .map((x) => x.c);
}

/** The codecs a policy names that we can offer without any SDP to start from (KNOWN_CODECS), in policy order. */
export function codecsOfPolicy(policy: readonly string[]): Codec[] {
  const out: Codec[] = [];
  for (const entry of policy) {
    const known = KNOWN_CODECS[(entry.split("/")[0] ?? "").toUpperCase()];
    if (known !== undefined && !out.some((c) => c.pt === known.pt)) out.push(known);
  }
  return out;
}

/** The codec in `list` with the same format (name, clock rate, channels) as `c`, or null. */
export function findSameFormat(list: readonly Codec[], c: RtpMap): Codec | null {
  return list.find((x) => sameFormat(x, c)) ?? null;
}

/** `wanted` when free, else the first dynamic PT (96-127) not in `used`; null if all are taken. */
export function freePayloadType(wanted: number, used: readonly number[]): number | null {
  if (!used.includes(wanted)) return wanted;
  for (let pt = DYNAMIC_PT_MIN; pt <= DYNAMIC_PT_MAX; pt++) if (!used.includes(pt)) return pt;
  return null;
}

/** The first codec of `list` (in its order) that `allowed` has, as `allowed` writes it. */
export function firstMatch(list: readonly Codec[], allowed: readonly Codec[]): Codec | null {
  for (const c of list) {
    const hit = findSameFormat(allowed, c);
    if (hit !== null) return hit;
  }
  return null;
}
