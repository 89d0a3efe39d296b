/**
 * The offer/answer state of one session (RFC 3264, with the states of RFC 6337 §2.2):
 *
 *               local offer                    remote answer
 *   no-offer ---------------> offer-sent ------------------------> stable
 *      |                        | rejected (to the state before)      ^  |
 *      | remote offer           v                                     |  | local / remote offer
 *      +-------------------> offer-received --- local answer ---------+  |
 *                               ^                                        |
 *   stable ---------------------+----------------------------------------+
 *
 * RFC 3264 §4: "at any time, either agent MAY generate a new offer that updates the session.
 * However, it MUST NOT generate a new offer if it has received an offer which it has not yet
 * answered or rejected. Furthermore, it MUST NOT generate a new offer if it has generated a prior
 * offer for which it has not yet received an answer or a rejection."
 * RFC 6337 §3.1: a rejected offer (non-2xx final response to a re-INVITE or UPDATE carrying it)
 * leaves the session as it was before the offer.
 */
export type OfferAnswerState = "no-offer" | "offer-sent" | "offer-received" | "stable";

export type OfferAnswerEvent = "local-offer" | "remote-offer" | "local-answer" | "remote-answer" | "rejected";

/** Where the state goes on each event; "back" = the state before the outstanding offer. */
export const offerAnswerTransitions: Readonly<
  Record<OfferAnswerState, Readonly<Partial<Record<OfferAnswerEvent, OfferAnswerState | "back">>>>
> = Object.freeze({
  "no-offer": Object.freeze({ "local-offer": "offer-sent", "remote-offer": "offer-received" }),
  "offer-sent": Object.freeze({ "remote-answer": "stable", rejected: "back" }),
  "offer-received": Object.freeze({ "local-answer": "stable", rejected: "back" }),
  stable: Object.freeze({ "local-offer": "offer-sent", "remote-offer": "offer-received" }),
});

export class OfferAnswer {
  private current: OfferAnswerState = "no-offer";
  private before: "no-offer" | "stable" = "no-offer";
  private pending: string | null = null;
  private local: string | null = null;
  private remote: string | null = null;

  get state(): OfferAnswerState {
    return this.current;
  }

  /** The outstanding offer (ours in offer-sent, theirs in offer-received), or null. */
  get pendingOffer(): string | null {
    return this.pending;
  }

  /** The negotiated descriptions (after the last completed exchange). */
  get localSdp(): string | null {
    return this.local;
  }
  get remoteSdp(): string | null {
    return this.remote;
  }

  /** RFC 3264 §4: a new offer only from no-offer or stable. */
  canOffer(): boolean {
    return this.current === "no-offer" || this.current === "stable";
  }

  /** Applies an event; false (state unchanged) when the table does not allow it. */
  transition(event: OfferAnswerEvent, sdp: string | null = null): boolean {
    const to = offerAnswerTransitions[this.current][event];
    if (to === undefined) return false;
    switch (event) {
      case "local-offer":
      case "remote-offer":
        this.before = this.current === "stable" ? "stable" : "no-offer";
        this.pending = sdp;
        break;
      case "local-answer":
        this.remote = this.pending;
        this.local = sdp;
        this.pending = null;
        break;
      case "remote-answer":
        this.local = this.pending;
        this.remote = sdp;
        this.pending = null;
        break;
      case "rejected":
        this.pending = null;
        break;
    }
    this.current = to === "back" ? this.before : to;
    return true;
  }
}
