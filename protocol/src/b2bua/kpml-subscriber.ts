/**
 * Our kpml subscription on one call leg (RFC 4730 as subscriber, RFC 6665 for its lifetime): an
 * in-dialog SUBSCRIBE `Event: kpml` with a persistent kpml-request for every key, refreshed before
 * it expires, and the digits of the peer's NOTIFYs handed on.
 *
 *   no --SUBSCRIBE--> pending --2xx--> active --refresh 2xx--> active (timer re-armed)
 *                        \--non-2xx--> failed     \--404/405/410/416/480-485/489/501/604--> failed
 *                                                  \--NOTIFY terminated, or expiry--> no
 *   pending / active --unsubscribe() (the call ends)--> no (SUBSCRIBE Expires: 0 sent)
 *
 * RFC 6665 §4.1.2.1: "The "Expires" header field in a 200-class response to SUBSCRIBE request
 * indicates the actual duration for which the subscription will remain active (unless refreshed)."
 * RFC 6665 §4.1.2.2: "At any time before a subscription expires, the subscriber may refresh the
 * timer on such a subscription by sending another SUBSCRIBE request on the same dialog as the
 * existing subscription." ... "If a SUBSCRIBE request to refresh a subscription receives a 404,
 * 405, 410, 416, 480-485, 489, 501, or 604 response, the subscriber SHOULD consider the
 * subscription terminated." ... "If a SUBSCRIBE request to refresh a subscription fails with any
 * error code other than those listed above, the original subscription is still considered valid
 * for the duration of the most recently known "Expires" value".
 * RFC 6665 §4.1.3: with "Subscription-State: active" and an "expires" parameter, "the subscriber
 * SHOULD take it as the authoritative subscription duration and adjust accordingly"; "terminated"
 * ends the subscription.
 *
 * The refresh goes out at the smaller of 90 % of the granted duration and 5 s before it ends (the
 * margin CUCM's "Subscribe Delta" uses, DOMAIN.md §4.3), never before half of it has run. A
 * refresh that fails without ending the subscription is tried again halfway to the expiry while
 * at least RETRY_MIN_LEFT_MS remain. The timer stops when the call ends (stop()).
 *
 * RFC 6665 §4.1.2.3: "Unsubscribing is handled in the same way as refreshing of a subscription,
 * with the "Expires" header field set to "0"." A BYE ends the INVITE usage of the dialog only, not
 * the subscription usage sharing it (RFC 5057, multiple dialog usages), so when we end the call the subscription is
 * ended first (unsubscribe()), in the same instant as the BYE and without waiting for its answer;
 * the peer's final NOTIFY may then find the dialog gone (481), which ends its subscription too.
 */
import type { SipRequest, SipResponse } from "../wire/sip/index.ts";
import { getHeader } from "../wire/sip/index.ts";
import {
  KPML_REQUEST_CONTENT_TYPE,
  KPML_RESPONSE_CONTENT_TYPE,
  parseKpmlResponse,
  writeKpmlRequest,
} from "../wire/dtmf/index.ts";
import { header } from "../dialog/index.ts";
import type { InviteSession, ReplyOptions } from "../dialog/index.ts";
import type { Clock, TimerHandle } from "../transaction/index.ts";
import { sendInDialog } from "./in-dialog-send.ts";

/** RFC 4730 §4.3 (and CUCM): kpml subscriptions default to 7200 s */
export const KPML_DEFAULT_EXPIRES_S = 7200;
/** CUCM's pattern: every key, persistent (captures/fixtures/make/scenarios/kpml.sh) */
export const KPML_ALL_DIGITS_REGEX = "[x*#ABCD]";
/** how long before the expiry at the latest the refresh goes out */
export const KPML_REFRESH_MARGIN_S = 5;
/** RFC 6665 §4.1.2.2: refresh answers after which the subscription is gone */
export const SUBSCRIPTION_ENDING_STATUSES: readonly number[] = Object.freeze([
  404, 405, 410, 416, 480, 481, 482, 483, 484, 485, 489, 501, 604,
]);
/** a failed refresh is retried only while this much of the subscription is left */
const RETRY_MIN_LEFT_MS = 10_000;

export type KpmlSubscriptionState = "no" | "pending" | "active" | "failed";

/** When to refresh a subscription granted for `expiresS`: min(90 %, expires − 5 s), at least half of it. */
export function kpmlRefreshDelayMs(expiresS: number): number {
  const s = Math.max(Math.min(0.9 * expiresS, expiresS - KPML_REFRESH_MARGIN_S), expiresS / 2);
  return Math.round(s * 1000);
}

export interface KpmlSubscriberEvents {
  /** `maxForwards`: what a request relaying the digit carries (digit-hops.ts) */
  digit(digit: string, maxForwards: number): void;
  note(message: string): void;
}

export class KpmlSubscriber {
  private current: KpmlSubscriptionState = "no";
  private timer: TimerHandle | null = null;
  private expiresAtMs = 0;
  private stopped = false;
  private refreshes = 0;

  constructor(
    private readonly session: InviteSession,
    private readonly clock: Clock,
    private readonly events: KpmlSubscriberEvents,
  ) {}

  get state(): KpmlSubscriptionState {
    return this.current;
  }

  /** Refresh SUBSCRIBEs sent so far. */
  get refreshCount(): number {
    return this.refreshes;
  }

  /** SUBSCRIBE to the peer's kpml events (once per leg). */
  subscribe(): void {
    if (this.current !== "no" || this.stopped) return;
    this.current = "pending";
    if (!this.send(false)) this.current = "failed";
  }

  /** The call ended: no more refreshes. */
  stop(): void {
    this.stopped = true;
    this.clearTimer();
  }

  /**
   * We end the call: SUBSCRIBE Expires: 0 when a subscription is pending or active and the dialog
   * still stands, then stop(). Its answer is not waited for (the BYE goes out at once).
   */
  unsubscribe(): void {
    const had = this.current === "active" || this.current === "pending";
    this.current = "no";
    this.stop();
    if (!had) return;
    sendInDialog(this.session, {
      method: "SUBSCRIBE",
      contact: true,
      headers: [header("event", "kpml"), header("expires", "0")],
    });
  }

  /** A NOTIFY `Event: kpml` from the peer's notifier; `maxForwards` goes with its digits. */
  onNotify(
    request: SipRequest,
    reply: (status: number, opts?: ReplyOptions) => void,
    maxForwards: number,
  ): void {
    reply(200);
    const state = (getHeader(request, "subscription-state") ?? "").trim().toLowerCase();
    if (state.startsWith("terminated")) {
      this.clearTimer();
      if (this.current === "active" || this.current === "pending") this.current = "no";
    } else if (state.startsWith("active") && this.current === "active") {
      const expires = /;\s*expires\s*=\s*(\d{1,10})/.exec(state);
      if (expires !== null) this.granted(Number(expires[1]));
    }
    if (request.body.length === 0) return;
    const r = parseKpmlResponse(request.body.toString("utf8"));
    if (!r.ok) return this.events.note(`kpml NOTIFY not understood: ${r.error.message}`);
    if (r.response.code !== 200 || r.response.digits === null) return;
    for (const ch of r.response.digits) this.events.digit(ch, maxForwards);
  }

  private send(refresh: boolean): boolean {
    const body = writeKpmlRequest({
      persist: "persist",
      regexes: [{ tag: "dtmf", value: KPML_ALL_DIGITS_REGEX }],
    });
    if (refresh) this.refreshes++;
    return sendInDialog(
      this.session,
      {
        method: "SUBSCRIBE",
        contact: true,
        headers: [
          header("event", "kpml"),
          header("expires", String(KPML_DEFAULT_EXPIRES_S)),
          header("accept", KPML_RESPONSE_CONTENT_TYPE),
        ],
        // the same kpml-request again on refresh: a notifier that kept none still knows what we want
        body: { contentType: KPML_REQUEST_CONTENT_TYPE, bytes: Buffer.from(body, "utf8") },
      },
      (status, response) => this.answered(refresh, status, response),
    );
  }

  private answered(refresh: boolean, status: number | null, response: SipResponse | null): void {
    if (this.stopped || this.session.state === "terminated") return;
    if (status !== null && status < 300) {
      if (this.current !== "pending" && this.current !== "active") return; // ended meanwhile
      this.current = "active";
      return this.granted(expiresOf(response) ?? KPML_DEFAULT_EXPIRES_S);
    }
    const why = status === null ? "no answer" : String(status);
    if (!refresh) {
      this.current = "failed";
      return this.events.note(`kpml SUBSCRIBE failed: ${why}`);
    }
    if (this.current !== "active") return;
    if (status !== null && SUBSCRIPTION_ENDING_STATUSES.includes(status)) {
      this.clearTimer();
      this.current = "failed";
      return this.events.note(`kpml subscription ended: its refresh got ${why}`);
    }
    this.events.note(`kpml refresh failed (${why}); the subscription holds until it expires`);
    const leftMs = this.expiresAtMs - this.clock.now();
    if (leftMs > RETRY_MIN_LEFT_MS) this.arm(leftMs / 2, () => this.refresh());
    else this.arm(Math.max(0, leftMs), () => this.expire());
  }

  /** The notifier granted `expiresS` (2xx Expires or NOTIFY expires=): re-arm the refresh. */
  private granted(expiresS: number): void {
    if (expiresS <= 0) {
      this.clearTimer();
      this.current = "no";
      return;
    }
    this.expiresAtMs = this.clock.now() + expiresS * 1000;
    this.arm(kpmlRefreshDelayMs(expiresS), () => this.refresh());
  }

  private refresh(): void {
    if (this.stopped || this.current !== "active") return;
    if (!this.send(true)) this.expire();
  }

  private expire(): void {
    if (this.current !== "active") return;
    this.current = "no";
    this.events.note("kpml subscription expired");
  }

  private arm(ms: number, fn: () => void): void {
    this.clearTimer();
    this.timer = this.clock.setTimer(ms, () => {
      this.timer = null;
      fn();
    });
  }

  private clearTimer(): void {
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
  }
}

/** RFC 3261 §20.19 Expires: delta-seconds; null when absent or unreadable. */
function expiresOf(r: SipResponse | null): number | null {
  const v = r === null ? undefined : getHeader(r, "expires");
  const m = v === undefined ? null : /^\s*(\d{1,10})\s*$/.exec(v);
  return m === null ? null : Number(m[1]);
}
