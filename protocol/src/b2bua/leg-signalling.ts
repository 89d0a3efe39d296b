/**
 * DTMF carried in SIP on one call leg, both ways:
 *
 * - KPML (RFC 4730) as subscriber: kpml-subscriber.ts (SUBSCRIBE, refreshes, NOTIFY digits to
 *   the relay). As notifier: the
 *   peer SUBSCRIBEs, we answer 200 and send the initial NOTIFY without body (RFC 6665 §4.2.1.2:
 *   "the notifier MUST immediately construct and send a NOTIFY request"; RFC 4730 §5.4.x: the
 *   first NOTIFY carries no kpml-response), then one NOTIFY per digit. Digits for a peer that has
 *   not subscribed yet wait (bounded) for its SUBSCRIBE.
 * - SIP INFO with application/dtmf-relay (or application/dtmf) bodies, both ways.
 * - Cisco unsolicited NOTIFY `Event: telephone-event` with the 4-byte body, both ways.
 *
 * Anything else in the dialog gets a plain answer (489 Bad Event, 415, 501) and never throws.
 *
 * Max-Forwards: a digit received in SIP is handed on with the received value minus one, which the
 * request relaying it on the other leg carries (digit-hops.ts); a DTMF request with a body that
 * arrives with 0 is not relayed but answered 483 (RFC 3261 §16.3 step 2, as for re-INVITE,
 * max-forwards.ts). Requests we originate (the kpml SUBSCRIBE, our NOTIFYs) carry 70.
 * When the leg ends (end()), our kpml subscription is ended with SUBSCRIBE Expires: 0 while the
 * dialog still stands (kpml-subscriber.ts).
 */
import type { SipRequest } from "../wire/sip/index.ts";
import { getHeader } from "../wire/sip/index.ts";
import {
  CISCO_NOTIFY_CONTENT_TYPE,
  DTMF_RELAY_CONTENT_TYPE,
  KPML_RESPONSE_CONTENT_TYPE,
  parseCiscoNotifyBody,
  parseDtmfInfoBody,
  parseKpmlRequest,
  writeCiscoNotifyBody,
  writeDtmfRelayBody,
  writeKpmlResponse,
} from "../wire/dtmf/index.ts";
import type { DtmfDigit, KpmlPersist } from "../wire/dtmf/index.ts";
import { DEFAULT_MAX_FORWARDS, header } from "../dialog/index.ts";
import type { InviteSession, ReplyOptions } from "../dialog/index.ts";
import type { Clock } from "../transaction/index.ts";
import type { OobMethod } from "../media/index.ts";
import { sendInDialog } from "./in-dialog-send.ts";
import { KPML_DEFAULT_EXPIRES_S, KpmlSubscriber } from "./kpml-subscriber.ts";
import type { KpmlSubscriptionState } from "./kpml-subscriber.ts";
import { relayedMaxForwards, TOO_MANY_HOPS } from "./max-forwards.ts";
/** digits kept for a peer that has not subscribed to kpml yet, and for how long */
const KPML_QUEUE_MAX = 32;
const KPML_QUEUE_MS = 10_000;
/** a Cisco end NOTIFY within this time of the start NOTIFY of the same key is the same key press */
const CISCO_SAME_PRESS_MS = 5_000;

export interface LegSignallingEvents {
  /** a digit received in SIP on this leg; `maxForwards`: what a request relaying it carries */
  digit(method: OobMethod, digit: string, durationMs: number | undefined, maxForwards: number): void;
  /** the peer subscribed to (or unsubscribed from) our kpml events */
  kpmlSubscription(active: boolean): void;
  note(message: string): void;
}

interface Notifier {
  readonly tag: string | null;
  readonly persist: KpmlPersist;
  readonly expiresAtMs: number;
}

export class LegSignalling {
  private notifier: Notifier | null = null;
  private readonly queued: { digit: DtmfDigit; atMs: number; maxForwards: number }[] = [];
  private readonly subscriber: KpmlSubscriber;
  private lastCiscoStart: { digit: DtmfDigit; atMs: number } | null = null;

  constructor(
    private readonly session: InviteSession,
    private readonly clock: Clock,
    private readonly events: LegSignallingEvents,
  ) {
    this.subscriber = new KpmlSubscriber(session, clock, {
      digit: (d, maxForwards) => events.digit("kpml", d, undefined, maxForwards),
      note: (m) => events.note(m),
    });
  }

  get peerSubscribed(): boolean {
    return this.notifier !== null && this.notifier.expiresAtMs > this.clock.now();
  }

  get ourSubscription(): KpmlSubscriptionState {
    return this.subscriber.state;
  }

  // ---- sending -----------------------------------------------------------------------------

  /** SUBSCRIBE to the peer's kpml events (once per leg; refreshed until stop()). */
  subscribeKpml(): void {
    this.subscriber.subscribe();
  }

  /** The leg ended: no more timers. */
  stop(): void {
    this.subscriber.stop();
  }

  /** The leg is being ended by us: our kpml subscription ends (SUBSCRIBE Expires: 0) before the BYE. */
  end(): void {
    this.subscriber.unsubscribe();
  }

  /** A digit the relay sends on this leg in SIP, with the Max-Forwards of the request it relays (70: ours). */
  send(method: OobMethod, digit: DtmfDigit, durationMs: number, maxForwards = DEFAULT_MAX_FORWARDS): void {
    switch (method) {
      case "info":
        sendInDialog(this.session, {
          method: "INFO",
          maxForwards,
          body: {
            contentType: DTMF_RELAY_CONTENT_TYPE,
            bytes: Buffer.from(writeDtmfRelayBody(digit, Math.round(durationMs)), "utf8"),
          },
        });
        return;
      case "notify":
        sendInDialog(this.session, {
          method: "NOTIFY",
          maxForwards,
          headers: [header("event", "telephone-event"), header("subscription-state", "active")],
          body: {
            contentType: CISCO_NOTIFY_CONTENT_TYPE,
            bytes: writeCiscoNotifyBody(digit, false, Math.min(0xffff, Math.round(durationMs))),
          },
        });
        return;
      case "kpml":
        if (this.peerSubscribed) this.notifyKpml(digit, maxForwards);
        else {
          this.dropStaleQueued();
          if (this.queued.length >= KPML_QUEUE_MAX) this.queued.shift();
          this.queued.push({ digit, atMs: this.clock.now(), maxForwards });
          this.events.note(`kpml digit ${digit} waits for the peer's SUBSCRIBE`);
        }
        return;
    }
  }

  private notifyKpml(digit: DtmfDigit, maxForwards: number): void {
    const n = this.notifier;
    if (n === null) return;
    const oneShot = n.persist === "one-shot";
    const body = writeKpmlResponse({
      code: 200,
      text: "OK",
      digits: digit,
      ...(n.tag === null ? {} : { tag: n.tag }),
    });
    this.sendKpmlNotify(oneShot ? null : n.expiresAtMs, body, maxForwards);
    if (oneShot) this.endNotifier();
  }

  /** NOTIFY for our kpml subscription; `expiresAtMs` null = terminated. */
  private sendKpmlNotify(
    expiresAtMs: number | null,
    body: string | null,
    maxForwards = DEFAULT_MAX_FORWARDS,
  ): void {
    const left = expiresAtMs === null ? 0 : Math.max(0, Math.ceil((expiresAtMs - this.clock.now()) / 1000));
    const state = expiresAtMs === null ? "terminated;reason=noresource" : `active;expires=${left}`;
    sendInDialog(this.session, {
      method: "NOTIFY",
      contact: true,
      maxForwards,
      headers: [header("event", "kpml"), header("subscription-state", state)],
      body:
        body === null ? null : { contentType: KPML_RESPONSE_CONTENT_TYPE, bytes: Buffer.from(body, "utf8") },
    });
  }

  private endNotifier(): void {
    this.notifier = null;
    this.events.kpmlSubscription(false);
  }

  private dropStaleQueued(): void {
    const now = this.clock.now();
    while (this.queued.length > 0 && now - this.queued[0]!.atMs > KPML_QUEUE_MS) this.queued.shift();
  }

  // ---- receiving ---------------------------------------------------------------------------

  /** An in-dialog request the session does not handle itself (INFO, NOTIFY, SUBSCRIBE, ...). */
  onRequest(request: SipRequest, reply: (status: number, opts?: ReplyOptions) => void): void {
    const event = (getHeader(request, "event") ?? "").split(";")[0]!.trim().toLowerCase();
    const dtmf =
      request.method === "INFO" ||
      (request.method === "NOTIFY" && (event === "kpml" || event === "telephone-event"));
    const hops = relayedMaxForwards(request);
    if (dtmf && hops === "too-many-hops" && request.body.length > 0) {
      this.events.note(`${request.method} with Max-Forwards 0 not relayed`);
      return reply(TOO_MANY_HOPS.status, { reason: TOO_MANY_HOPS.reason });
    }
    const mf = hops === "too-many-hops" ? DEFAULT_MAX_FORWARDS : hops;
    switch (request.method) {
      case "INFO":
        return this.onInfo(request, reply, mf);
      case "NOTIFY":
        if (event === "kpml") return this.subscriber.onNotify(request, reply, mf);
        if (event === "telephone-event") return this.onCiscoNotify(request, reply, mf);
        return reply(489, { reason: "Bad Event" });
      case "SUBSCRIBE":
        if (event === "kpml") return this.onKpmlSubscribe(request, reply);
        return reply(489, { reason: "Bad Event", headers: [header("allow-events", "kpml")] });
      default:
        return reply(501);
    }
  }

  private onInfo(
    request: SipRequest,
    reply: (status: number, opts?: ReplyOptions) => void,
    maxForwards: number,
  ): void {
    if (request.body.length === 0) return reply(200);
    const ct = getHeader(request, "content-type") ?? "";
    const r = parseDtmfInfoBody(ct, request.body);
    if (!r.ok) {
      if (r.error.code === "unsupported-content-type") return reply(415);
      reply(200);
      return this.events.note(`INFO not relayed: ${r.error.message}`);
    }
    reply(200);
    this.events.digit("info", r.digit, r.durationMs ?? undefined, maxForwards);
  }

  private onCiscoNotify(
    request: SipRequest,
    reply: (status: number, opts?: ReplyOptions) => void,
    maxForwards: number,
  ): void {
    reply(200);
    const r = parseCiscoNotifyBody(request.body);
    if (!r.ok) return this.events.note(`telephone-event NOTIFY not relayed: ${r.error.message}`);
    const now = this.clock.now();
    const last = this.lastCiscoStart;
    if (!r.end) this.lastCiscoStart = { digit: r.digit, atMs: now };
    else {
      this.lastCiscoStart = null;
      // the end NOTIFY of a key press already relayed at its start
      if (last !== null && last.digit === r.digit && now - last.atMs <= CISCO_SAME_PRESS_MS) return;
    }
    this.events.digit("notify", r.digit, r.durationMs > 0 ? r.durationMs : undefined, maxForwards);
  }

  private onKpmlSubscribe(request: SipRequest, reply: (status: number, opts?: ReplyOptions) => void): void {
    const expiresHeader = getHeader(request, "expires");
    const asked =
      expiresHeader !== undefined && /^\s*\d{1,10}\s*$/.test(expiresHeader) ? Number(expiresHeader) : null;
    const expiresS = Math.min(asked ?? KPML_DEFAULT_EXPIRES_S, KPML_DEFAULT_EXPIRES_S);
    const contact = header("contact", `<${this.session.ctx.contact(this.session.transport)}>`);
    if (expiresS === 0) {
      reply(200, { headers: [header("expires", "0"), contact] });
      this.sendKpmlNotify(null, null);
      if (this.notifier !== null) this.endNotifier();
      return;
    }
    let tag: string | null = this.notifier?.tag ?? null;
    let persist: KpmlPersist = this.notifier?.persist ?? "persist";
    if (request.body.length > 0) {
      const parsed = parseKpmlRequest(request.body.toString("utf8"));
      if (!parsed.ok) return reply(400, { reason: `Bad kpml-request (${parsed.error.code})` });
      tag = parsed.request.regexes[0]?.tag ?? null;
      persist = parsed.request.persist;
    } else if (this.notifier === null) {
      return reply(400, { reason: "Missing kpml-request" });
    }
    const wasActive = this.peerSubscribed;
    this.notifier = { tag, persist, expiresAtMs: this.clock.now() + expiresS * 1000 };
    reply(200, { headers: [header("expires", String(expiresS)), contact] });
    this.sendKpmlNotify(this.notifier.expiresAtMs, null);
    if (!wasActive) this.events.kpmlSubscription(true);
    this.dropStaleQueued();
    const pending = this.queued.splice(0);
    for (const q of pending) if (this.notifier !== null) this.notifyKpml(q.digit, q.maxForwards);
  }
}
