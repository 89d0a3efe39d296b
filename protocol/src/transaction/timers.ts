/**
 * Transaction timer values as data (RFC 3261 §17, Appendix A "Table of Timer Values").
 *
 * RFC 3261 Appendix A, Table 4: Summary of timers
 *
 *   Timer    Value            Section               Meaning
 *   ----------------------------------------------------------------------
 *   T1       500ms default    Section 17.1.1.1     RTT Estimate
 *   T2       4s               Section 17.1.2.2     The maximum retransmit interval for non-INVITE
 *                                                  requests and INVITE responses
 *   T4       5s               Section 17.1.2.2     Maximum duration a message will remain in the
 *                                                  network
 *   Timer A  initially T1     Section 17.1.1.2     INVITE request retransmit interval, for UDP only
 *   Timer B  64*T1            Section 17.1.1.2     INVITE transaction timeout timer
 *   Timer C  > 3min           Section 16.6         proxy INVITE transaction timeout
 *                             bullet 11
 *   Timer D  > 32s for UDP    Section 17.1.1.2     Wait time for response retransmits
 *            0s for TCP/SCTP
 *   Timer E  initially T1     Section 17.1.2.2     non-INVITE request retransmit interval, UDP only
 *   Timer F  64*T1            Section 17.1.2.2     non-INVITE transaction timeout timer
 *   Timer G  initially T1     Section 17.2.1       INVITE response retransmit interval
 *   Timer H  64*T1            Section 17.2.1       Wait time for ACK receipt
 *   Timer I  T4 for UDP       Section 17.2.1       Wait time for ACK retransmits
 *            0s for TCP/SCTP
 *   Timer J  64*T1 for UDP    Section 17.2.2       Wait time for non-INVITE request retransmits
 *            0s for TCP/SCTP
 *   Timer K  T4 for UDP       Section 17.1.2.2     Wait time for response retransmits
 *            0s for TCP/SCTP
 *
 * All values in this module are milliseconds. Timer C belongs to a stateful proxy and is not used
 * by the four UA transaction machines.
 */

/** The three base values every other timer is derived from. */
export interface BaseTimers {
  /** RTT estimate (ms) */
  readonly T1: number;
  /** maximum retransmit interval for non-INVITE requests and INVITE responses (ms) */
  readonly T2: number;
  /** maximum duration a message will remain in the network (ms) */
  readonly T4: number;
}

/** RFC 3261 defaults; CUCM's Standard SIP Profile uses the same (DOMAIN.md §4.3, §9.1). */
export const defaultTimers: BaseTimers = Object.freeze({ T1: 500, T2: 4000, T4: 5000 });

/**
 * Optional caps on the number of retransmissions (not counting the first transmission).
 * CUCM's SIP Profile has "Retry INVITE" (6) and "Retry Non-INVITE" (10) (DOMAIN.md §4.3).
 * Our reading: `invite` caps Timer A; `nonInvite` caps every other retransmission (Timer E,
 * Timer G and the UAS core's 2xx retransmission), i.e. "a SIP message other than an INVITE
 * request". With the RFC defaults the timers alone yield exactly 6 and 10, so the caps only bite
 * with custom T1/T2. The timeouts (B, F, H, 64*T1 for 2xx) still decide when to give up.
 */
export interface RetryCaps {
  readonly invite?: number;
  readonly nonInvite?: number;
}

export const cucmRetryCaps: RetryCaps = Object.freeze({ invite: 6, nonInvite: 10 });

/**
 * RFC 3261 §17.2.1: "The server transaction MUST generate a 100 (Trying) response unless it knows
 * that the TU will generate a provisional or final response within 200 ms".
 */
export const TRYING_100_AFTER_MS = 200;

/**
 * RFC 3261 §17.1.1.2: Timer D "with a value of at least 32 seconds for unreliable transports ...
 * the client transaction does not know the value of T1 in use by the server transaction, so an
 * absolute minimum of 32s is used instead of basing Timer D on T1."
 */
export const TIMER_D_MIN_UNRELIABLE_MS = 32_000;

/** RFC 3261 §17.1.1.2 et al.: "64*T1" (timers B, F, H, J and the 2xx give-up). */
export const TIMEOUT_T1_MULTIPLIER = 64;

/** Everything a transaction needs to run; injected into each machine. */
export interface TransactionConfig {
  readonly timers: BaseTimers;
  readonly retryCaps?: RetryCaps;
  /** how long the INVITE server transaction waits for the TU before sending 100 (Trying) */
  readonly trying100Ms?: number;
}

export const defaultTransactionConfig: TransactionConfig = Object.freeze({ timers: defaultTimers });

/** CUCM 8.x Standard SIP Profile: T1 500 ms, T2 4000 ms, Retry INVITE 6, Retry Non-INVITE 10. */
export const cucmTransactionConfig: TransactionConfig = Object.freeze({
  timers: defaultTimers,
  retryCaps: cucmRetryCaps,
});

/** Timer values for one transaction; `null` means "not set on this transport". */
export interface TransactionTimers extends BaseTimers {
  /** initial INVITE request retransmit interval; null on reliable transports */
  readonly A: number | null;
  readonly B: number;
  /** 0 on reliable transports */
  readonly D: number;
  /** initial non-INVITE request retransmit interval; null on reliable transports */
  readonly E: number | null;
  readonly F: number;
  /** initial INVITE response retransmit interval; null on reliable transports */
  readonly G: number | null;
  readonly H: number;
  /** 0 on reliable transports */
  readonly I: number;
  /** 0 on reliable transports */
  readonly J: number;
  /** 0 on reliable transports */
  readonly K: number;
}

/** deriveTimers' results per base object (every transaction of a layer shares its base). */
const derived = new WeakMap<BaseTimers, { unreliable?: TransactionTimers; reliable?: TransactionTimers }>();

/**
 * Table 4 applied to a transport: unreliable (UDP) or reliable (TCP, TLS, SCTP, WS). The result is
 * frozen and shared by every call with the same `base` object and transport kind.
 */
export function deriveTimers(base: BaseTimers, reliable: boolean): TransactionTimers {
  let entry = derived.get(base);
  if (entry === undefined) {
    entry = {};
    derived.set(base, entry);
  }
  const known = reliable ? entry.reliable : entry.unreliable;
  if (known !== undefined) return known;
  const timers = computeTimers(base, reliable);
  if (reliable) entry.reliable = timers;
  else entry.unreliable = timers;
  return timers;
}

function computeTimers(base: BaseTimers, reliable: boolean): TransactionTimers {
  checkBase(base);
  const { T1, T2, T4 } = base;
  const timeout = TIMEOUT_T1_MULTIPLIER * T1;
  return Object.freeze({
    T1,
    T2,
    T4,
    A: reliable ? null : T1,
    B: timeout,
    D: reliable ? 0 : Math.max(TIMER_D_MIN_UNRELIABLE_MS, timeout),
    E: reliable ? null : T1,
    F: timeout,
    G: reliable ? null : T1,
    H: timeout,
    I: reliable ? 0 : T4,
    J: reliable ? 0 : timeout,
    K: reliable ? 0 : T4,
  });
}

/**
 * The next retransmit interval: double the previous one, capped at `capMs` when given.
 * RFC 3261 §17.1.2.2: "reset with a value of MIN(2*T1, T2) ... retransmissions occur with an
 * exponentially increasing interval that caps at T2." Timer A has no cap (§17.1.1.2).
 */
export function nextInterval(previousMs: number, capMs: number | null): number {
  const doubled = previousMs * 2;
  return capMs === null ? doubled : Math.min(doubled, capMs);
}

/** A caller passing nonsense timers is a bug, not bad wire data. */
function checkBase(base: BaseTimers): void {
  const ok = (n: number): boolean => Number.isFinite(n) && n > 0;
  if (!ok(base.T1) || !ok(base.T2) || !ok(base.T4) || base.T2 < base.T1) {
    throw new RangeError(`invalid base timers ${JSON.stringify(base)} (need 0 < T1 <= T2, T4 > 0)`);
  }
}

/** Transports whose Via transport token names a reliable (connection-oriented) protocol. */
export const RELIABLE_TRANSPORTS: ReadonlySet<string> = new Set([
  "TCP",
  "TLS",
  "SCTP",
  "TLS-SCTP",
  "WS",
  "WSS",
]);

export function isReliableTransport(viaTransport: string): boolean {
  return RELIABLE_TRANSPORTS.has(viaTransport.toUpperCase());
}
