/**
 * INVITEs answered with a 2xx: their server transaction is gone (RFC 3261 §17.2.1: "The server
 * transaction MUST then transition to the 'Terminated' state") while the UAS core retransmits the
 * 2xx until the ACK (§13.3.1.4). The layer keeps them here so that
 *  - the ACK for the 2xx stops the retransmission (§13.3.1.4: "Response retransmissions cease
 *    when an ACK request for the response is received"),
 *  - a retransmitted INVITE is absorbed instead of starting a second call (the gap RFC 6026 §7.1
 *    closes with its "Accepted" state),
 *  - a CANCEL that crossed the 2xx finds the request already answered (§9.2: 200, no 487).
 */
import type { SipRequest, SipResponse } from "../wire/sip/index.ts";
import type { Uas2xxRetransmitter } from "./uas-2xx.ts";
import { ackPairKey, cancelTargetKey, serverKeyOfRequest } from "./matching.ts";

export interface AcceptedInvite {
  readonly invite: SipRequest;
  readonly retransmitter: Uas2xxRetransmitter;
  readonly ackKey: string | null;
  readonly serverKey: string | null;
}

export class AcceptedInvites {
  private readonly byAck = new Map<string, AcceptedInvite>();
  private readonly byServerKey = new Map<string, AcceptedInvite>();
  private readonly entries = new Set<AcceptedInvite>();

  get size(): number {
    return this.entries.size;
  }

  add(invite: SipRequest, response: SipResponse, retransmitter: Uas2xxRetransmitter): AcceptedInvite {
    const entry: AcceptedInvite = {
      invite,
      retransmitter,
      ackKey: ackPairKey(response),
      serverKey: serverKeyOfRequest(invite),
    };
    if (entry.ackKey !== null) this.byAck.set(entry.ackKey, entry);
    if (entry.serverKey !== null) this.byServerKey.set(entry.serverKey, entry);
    this.entries.add(entry);
    return entry;
  }

  remove(entry: AcceptedInvite): void {
    this.entries.delete(entry);
    if (entry.ackKey !== null && this.byAck.get(entry.ackKey) === entry) this.byAck.delete(entry.ackKey);
    if (entry.serverKey !== null && this.byServerKey.get(entry.serverKey) === entry) {
      this.byServerKey.delete(entry.serverKey);
    }
  }

  /** Hands an ACK to the 2xx it acknowledges; false when it acknowledges none we retransmit. */
  acknowledge(ack: SipRequest): boolean {
    const key = ackPairKey(ack);
    const entry = key === null ? undefined : this.byAck.get(key);
    if (entry === undefined) return false;
    entry.retransmitter.ackReceived();
    return true;
  }

  /** A retransmission of an INVITE already answered with 2xx. */
  isRetransmission(invite: SipRequest): boolean {
    const key = serverKeyOfRequest(invite);
    return key !== null && this.byServerKey.has(key);
  }

  /** A CANCEL for an INVITE already answered with 2xx. */
  isCancelTarget(cancel: SipRequest): boolean {
    const key = cancelTargetKey(cancel);
    return key !== null && this.byServerKey.has(key);
  }
}
