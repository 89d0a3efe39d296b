/** The transaction layer's overload bounds (transaction-layer.ts) and why they are sized so. */

/**
 * Live transactions: waiting for the TU's or the peer's answer, or retransmitting a final
 * response until its ACK. A B2BUA holds ~3 per call being set up and ~1 per call being torn down,
 * for a round trip each, so 10,000 is far above what 1,000 calls/s needs; the B2BUA's call cap is
 * the first overload guard, this one stops runaway state (RFC 3261 §21.5.4: 503 + Retry-After).
 */
export const DEFAULT_MAX_TRANSACTIONS = 10_000;

/**
 * Lingering transactions are finished: they wait, up to 64·T1 = 32 s over UDP (Timer J for a
 * non-INVITE server transaction, Timer D for an INVITE client one; 5 s for Timers K and I), only
 * to answer a retransmission the same way. A B2BUA lingers ≈ 1.2 per call × 32 s (the BYE's
 * server transaction 32 s, its client one 5 s): 50,000 holds ≈ 1,300 calls/s at about 3 KiB each.
 * Counting them as live made a steady 300 calls/s hit the old cap of 10,000 (bench/b2bua/NOTES.md).
 * Past this bound the oldest is ended early (it has absorbed retransmissions for
 * 50,000 / rate seconds already): memory stays bounded and no request is refused for it.
 */
export const DEFAULT_MAX_LINGERING = 50_000;

/** Retry-After (seconds) on the layer's 503 (RFC 3261 §21.5.4: "The server MAY include a Retry-After header field"). */
export const DEFAULT_RETRY_AFTER_S = 5;
