/**
 * What the B2BUA is told per leg (leg "a" = inbound from the caller, leg "b" = outbound to the
 * next hop): the codecs it may use there and in which order, how DTMF leaves towards that leg's
 * peer, the telephone-event PT it declares when it offers there, and whether its INVITE on leg b
 * carries an offer. Defaults are a frozen table (ARCHITECTURE.md rule 2).
 */
import type { DigestCredentials } from "../auth/index.ts";
import type { LegId } from "../media/index.ts";

/**
 * DTMF towards a leg's peer. "rfc2833" is RFC 4733 telephone-event (the name CUCM and IOS use);
 * "auto" picks from what the leg negotiated or advertised (dtmf-method.ts).
 */
export type DtmfMode = "rfc2833" | "kpml" | "info" | "notify" | "auto";
export const DTMF_MODES: readonly DtmfMode[] = Object.freeze(["rfc2833", "kpml", "info", "notify", "auto"]);

export interface LegPolicy {
  /** encoding names allowed on the leg, most preferred first (e.g. ["PCMU", "PCMA"]); "NAME/rate" also matches the clock rate */
  readonly codecs: readonly string[];
  readonly dtmf: DtmfMode;
  /** the telephone-event PT we declare in offers we make on this leg (DOMAIN.md §6.4: 96-127, Cisco 101) */
  readonly telephoneEventPt: number;
  /** leg b only: send the INVITE without SDP (the next hop offers in its 2xx, we answer in the ACK) */
  readonly delayedOffer: boolean;
  /**
   * leg b only: digest credentials (username, password, optional realm) answering a 401/407 from
   * the next hop (RFC 3261 §22.2); absent: the challenge is passed to leg a like any failure
   */
  readonly credentials?: DigestCredentials;
}

export interface B2buaPolicy {
  readonly legs: Readonly<Record<LegId, LegPolicy>>;
  /** concurrent calls; beyond it a new INVITE gets 503 with Retry-After */
  readonly maxCalls: number;
  readonly retryAfterS: number;
  /** minimum duration of DTMF we generate (DOMAIN.md §6.5: ≥ 100 ms for the MVS handset) */
  readonly minDtmfDurationMs: number;
  /** symmetric RTP: send to where the peer's packets come from (RFC 4961) */
  readonly latching: boolean;
  /** how long shutdown waits for the answers to its BYEs */
  readonly shutdownWaitMs: number;
}

export const DEFAULT_LEG_POLICY: LegPolicy = Object.freeze({
  codecs: Object.freeze(["PCMU", "PCMA", "G729"]),
  dtmf: "auto",
  telephoneEventPt: 101,
  delayedOffer: false,
});

export const DEFAULT_B2BUA_POLICY: B2buaPolicy = Object.freeze({
  legs: Object.freeze({ a: DEFAULT_LEG_POLICY, b: DEFAULT_LEG_POLICY }),
  maxCalls: 500,
  retryAfterS: 5,
  minDtmfDurationMs: 100,
  latching: false,
  shutdownWaitMs: 3000,
});
