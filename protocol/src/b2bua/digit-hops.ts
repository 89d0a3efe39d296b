/**
 * Max-Forwards across the DTMF relay: a digit that arrived in a SIP request (INFO, NOTIFY) on one
 * leg and leaves in a SIP request on the other is a relayed request, so the outgoing one carries
 * the received Max-Forwards minus one (RFC 3261 §16.6 step 3, max-forwards.ts). The digit passes
 * through the media relay on its way (which may run in a worker thread and keeps no SIP headers),
 * so the value is remembered here per ingress leg and digit, and taken by the first request the
 * relay sends with that digit on the other leg within `windowMs`. A digit the relay sends without
 * one remembered (it came in RTP, or it is ours) is a request we originate: 70.
 *
 *   leg a: INFO "5" (Max-Forwards 12) -> record(a, "5", 11) -> relay -> take(a, "5") -> leg b: INFO "5" (11)
 */
import { DEFAULT_MAX_FORWARDS } from "../dialog/index.ts";
import type { LegId } from "../media/index.ts";

/** how long a received digit's hop count waits for the relay to send it on */
export const DIGIT_HOPS_WINDOW_MS = 5_000;
/** at most this many digits remembered (oldest dropped) */
const DIGIT_HOPS_MAX = 32;

interface Received {
  readonly leg: LegId;
  readonly digit: string;
  readonly maxForwards: number;
  readonly atMs: number;
}

export class DigitHops {
  private readonly recent: Received[] = [];

  constructor(
    private readonly now: () => number,
    private readonly windowMs = DIGIT_HOPS_WINDOW_MS,
  ) {}

  /** A digit arrived in SIP on `leg`; `maxForwards` is what a request relaying it carries. */
  record(leg: LegId, digit: string, maxForwards: number): void {
    this.prune();
    if (this.recent.length >= DIGIT_HOPS_MAX) this.recent.shift();
    this.recent.push({ leg, digit, maxForwards, atMs: this.now() });
  }

  /** The Max-Forwards of a request sending `digit` that came from `fromLeg` (70 when none is remembered). */
  take(fromLeg: LegId, digit: string): number {
    this.prune();
    const i = this.recent.findIndex((r) => r.leg === fromLeg && r.digit === digit);
    if (i < 0) return DEFAULT_MAX_FORWARDS;
    const [r] = this.recent.splice(i, 1);
    return r!.maxForwards;
  }

  /** Digits remembered (tests). */
  get size(): number {
    return this.recent.length;
  }

  private prune(): void {
    const oldest = this.now() - this.windowMs;
    while (this.recent.length > 0 && this.recent[0]!.atMs < oldest) this.recent.shift();
  }
}
