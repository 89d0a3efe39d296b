/**
 * One B2BUA call: leg a (the caller's INVITE, we are UAS) and leg b (our INVITE to the next hop,
 * we are UAC), a MediaRelay anchoring RTP on our ports, and the SDP of each leg rewritten so both
 * legs settle on the same codec (audio is relayed unchanged, never transcoded).
 *
 *   a: INVITE(offer?) --> [policy check, media ports] --> b: INVITE(our offer | none)
 *   b: 18x --> a: 18x                   b: 2xx(answer | offer) --> a: 2xx(answer | our offer)
 *   a/b: BYE, CANCEL, failure --> the other leg ends too     re-INVITE/UPDATE --> relayed
 *
 * Offers in both directions and the four early/delayed combinations are in call-offers.ts.
 */
import type { SipHeader, SipRequest, SipResponse } from "../wire/sip/index.ts";
import { getHeader, parseSipUri } from "../wire/sip/index.ts";
import { header, sdpOf, withoutTag } from "../dialog/index.ts";
import type { IncomingOffer, InviteSession, TerminationReason } from "../dialog/index.ts";
import type { LegId } from "../media/index.ts";
import { writeCiscoCallInfoNotify } from "../wire/dtmf/index.ts";
import type { CallContext, CallMedia } from "./call-context.ts";
import { CallLeg } from "./call-leg.ts";
import { CallOffers } from "./call-offers.ts";
import { DigitHops } from "./digit-hops.ts";
import { advertisedBy, shouldSubscribeKpml } from "./dtmf-method.ts";
import { LegSignalling } from "./leg-signalling.ts";
import { byeMaxForwards, relayedMaxForwards, TOO_MANY_HOPS } from "./max-forwards.ts";
import { viewOf } from "./sdp-view.ts";
import type { AudioView } from "./sdp-view.ts";

/** headers of the caller's INVITE copied onto ours (call correlation for CUCM-style analysis) */
const COPIED_HEADERS = ["cisco-guid", "session-id", "p-asserted-identity", "remote-party-id"];
/** the Call-Info NOTIFY duration we advertise (Cisco's minimum, DOMAIN.md §4.4) */
const CISCO_NOTIFY_DURATION_MS = 500;

export class B2buaCall {
  readonly legs: Readonly<Record<LegId, CallLeg>>;
  media: CallMedia | null = null;
  private readonly offers: CallOffers;
  /** Max-Forwards of digits received in SIP, for the requests relaying them (digit-hops.ts) */
  private readonly hops: DigitHops;
  private ended = false;
  private closing: Promise<void> | null = null;
  private opening: Promise<void> | null = null;
  private openError: string | null = null;
  /** the final 2xx for leg a (its SDP, or none when offer/answer is done), ready once leg b has answered */
  private aFinal: { readonly sdp: string | null } | null = null;

  constructor(
    readonly ctx: CallContext,
    readonly callId: string,
  ) {
    const sid = (n: number): string => String(Math.floor(ctx.ua.random() * 1e9) + n);
    this.legs = {
      a: new CallLeg("a", ctx.policy.legs.a, ctx.rtpAddress, sid(1)),
      b: new CallLeg("b", ctx.policy.legs.b, ctx.rtpAddress, sid(2)),
    };
    this.offers = new CallOffers(this);
    this.hops = new DigitHops(() => ctx.clock.now());
  }

  get a(): CallLeg {
    return this.legs.a;
  }
  get b(): CallLeg {
    return this.legs.b;
  }

  // ---- setup -------------------------------------------------------------------------------

  /** Leg a's INVITE arrived; leg b starts once media ports are bound. */
  async start(session: InviteSession, invite: SipRequest): Promise<void> {
    const a = this.legs.a;
    a.session = session;
    a.facts = { ...a.facts, ...advertisedBy(invite) };
    this.wire("a", session);
    if (relayedMaxForwards(invite) === "too-many-hops")
      return this.refuse(TOO_MANY_HOPS.status, "Max-Forwards 0 (a loop?)");
    const offerText = sdpOf(invite);
    const offer = viewOf(offerText);
    if (offerText !== null && offer === null) return this.refuse(488, "no audio stream in the offer");
    const candidates = this.offers.initialCandidates(offer);
    if (candidates.length === 0) return this.refuse(488, "no common codec", true);
    this.opening = this.ctx
      .openMedia({
        callId: this.callId,
        onSignal: (leg, method, digit, durationMs) =>
          this.legs[leg].signalling?.send(
            method,
            digit,
            durationMs,
            this.hops.take(leg === "a" ? "b" : "a", digit),
          ),
        onLog: (entry) => this.ctx.dtmfLog(entry),
        onNote: (leg, _code, message) => this.note(leg, message),
      })
      .then(
        (m) => {
          this.media = m;
        },
        (err: unknown) => {
          this.openError = err instanceof Error ? err.message : String(err);
        },
      );
    await this.opening;
    this.opening = null;
    if (this.openError !== null) return this.refuse(503, `no media: ${this.openError}`);
    if (!a.alive || this.ended) return void this.end("caller gone before leg b started");
    if (offer !== null) this.offers.setRemote("a", offer);
    this.startLegB(invite, offer, candidates);
  }

  private startLegB(
    invite: SipRequest,
    offer: AudioView | null,
    candidates: Parameters<CallOffers["offerB"]>[1],
  ) {
    const b = this.legs.b;
    const hop = this.ctx.nextHop;
    const hostPort = `${hop.host.includes(":") ? `[${hop.host}]` : hop.host}:${hop.port}`;
    // the user part as written (still escaped: "sips%3Auser%40example.com" must stay one user part)
    const user =
      parseSipUri(invite.uri) === null ? null : (/^sips?:([^@;?]+)@/i.exec(invite.uri)?.[1] ?? null);
    const target = `sip:${user === null ? "" : `${user}@`}${hostPort}${hop.transport === "tcp" ? ";transport=tcp" : ""}`;
    const headers: SipHeader[] = [...this.advertise("b")];
    for (const name of COPIED_HEADERS) {
      const v = getHeader(invite, name);
      if (v !== undefined) headers.push(header(name, v));
    }
    const sdp = b.policy.delayedOffer ? null : this.offers.offerB(offer, candidates);
    const maxForwards = relayedMaxForwards(invite);
    const session = this.ctx.ua.invite({
      target,
      from: withoutTag(getHeader(invite, "from") ?? "<sip:anonymous@anonymous.invalid>"),
      to: `<${target}>`,
      sdp,
      nextHop: hop,
      headers,
      ...(maxForwards === "too-many-hops" ? {} : { maxForwards }),
      // RFC 3261 §22.2: a 401/407 from the next hop is answered when the policy has credentials
      // (CSeq + 1, session-uac.ts); without them it reaches leg a as any other failure
      ...(b.policy.credentials === undefined ? {} : { credentials: b.policy.credentials }),
    });
    b.session = session;
    this.ctx.legBStarted(session.callId, this);
    this.wire("b", session);
    this.ctx.event({
      kind: "call-started",
      callId: this.callId,
      from: getHeader(invite, "from") ?? "",
      to: target,
    });
  }

  /** A 1xx/2xx to our INVITE on leg b: what the next hop advertises (seen before the session acts on it). */
  observeB(r: SipResponse): void {
    this.b.facts = { ...this.b.facts, ...advertisedBy(r) };
  }

  /** Allow-Events / Call-Info we send on a leg (what DTMF methods its peer may use with us). */
  advertise(leg: LegId): SipHeader[] {
    const mode = this.legs[leg].policy.dtmf;
    const out: SipHeader[] = [];
    if (mode === "auto" || mode === "kpml") out.push(header("allow-events", "kpml"));
    if (mode === "auto" || mode === "notify")
      out.push(
        header("call-info", writeCiscoCallInfoNotify(this.ctx.ua.contact("udp"), CISCO_NOTIFY_DURATION_MS)),
      );
    return out;
  }

  private wire(leg: LegId, s: InviteSession): void {
    const l = this.legs[leg];
    const signalling = new LegSignalling(s, this.ctx.clock, {
      digit: (method, digit, durationMs, maxForwards) => {
        this.hops.record(leg, digit, maxForwards);
        this.media?.digit(leg, method, digit, durationMs);
      },
      kpmlSubscription: () => this.refreshDtmf(),
      note: (message) => this.note(leg, message),
    });
    l.signalling = signalling;
    s.handlers = {
      onProvisional: (r) => {
        if (leg === "b") this.offers.provisionalFromB(r);
      },
      onOffer: (offer: IncomingOffer) => this.offers.incoming(leg, offer),
      onAnswer: (sdp, carrier) => {
        const waiting = l.awaitingAnswer;
        l.awaitingAnswer = null;
        waiting?.(viewOf(sdp), carrier);
      },
      onConfirmed: () => this.confirmed(leg),
      onFailure: (status, r) => {
        if (leg !== "b" || !this.a.pending) return;
        const warning = r === null ? undefined : getHeader(r, "warning");
        this.a.session?.reject(status, {
          ...(r?.reason === undefined ? {} : { reason: r.reason }),
          headers: warning === undefined ? [] : [header("warning", warning)],
        });
      },
      onTerminated: (why) => {
        signalling.stop();
        this.legEnded(leg, why);
      },
      onRequest: (request, reply) => signalling.onRequest(request, reply),
      onRefreshResult: (_method, status) => {
        // our re-INVITE / UPDATE relaying the other leg's ended without settling that leg's
        // request: a failure is reflected with its status; a 2xx that brought neither the answer
        // nor (for a re-INVITE without SDP) an offer leaves nothing to relay (500)
        const held = l.relaying;
        if (held !== null && !held.settled) {
          l.relaying = null;
          l.awaitingAnswer = null;
          l.offerIn2xx = null;
          held.reject(status >= 300 ? status : 500);
        }
      },
    };
    if (leg === "b" && s.state === "terminated") this.legEnded("b", s.terminationReason ?? "failed");
  }

  /**
   * The 2xx for leg a is known (leg b answered): send it once leg b is confirmed. `sdp` null: leg
   * a's offer/answer is already complete (in a reliable 1xx and its PRACK), the 2xx carries none.
   */
  answerA(sdp: string | null): void {
    this.aFinal = { sdp };
    if (this.b.session?.state === "confirmed") this.acceptA();
  }

  private acceptA(): void {
    const final = this.aFinal;
    if (final === null || !this.a.pending) return;
    this.aFinal = null;
    this.a.session?.accept({ sdp: final.sdp, headers: this.advertise("a") });
    this.ctx.event({ kind: "call-answered", callId: this.callId, codec: this.a.codec?.name ?? "?" });
  }

  private confirmed(leg: LegId): void {
    if (leg === "b") {
      if (!this.a.alive) return this.b.hangup();
      this.acceptA();
    }
    this.refreshDtmf();
    const l = this.legs[leg];
    if (shouldSubscribeKpml(l.policy.dtmf, l.facts)) l.signalling?.subscribeKpml();
  }

  /** Where the peer of `leg` receives RTP, from its description (none while on hold with c=0.0.0.0). */
  setRemote(leg: LegId, v: AudioView): void {
    if (v.rtp !== null) this.media?.setRemote(leg, v.rtp.address, v.rtp.port);
  }

  /** Recomputes both legs' DTMF parameters for the relay. */
  refreshDtmf(): void {
    if (this.media === null) return;
    for (const leg of ["a", "b"] as const) this.media.updateDtmf(leg, this.legs[leg].dtmfPatch());
  }

  // ---- teardown ----------------------------------------------------------------------------

  /** Ends the call from our side (shutdown): BYE, CANCEL or a final response on each leg. */
  hangup(): void {
    void this.end("hangup");
  }

  /** 488 (with Warning 305 when no codec is common) or another refusal of the caller's INVITE. */
  refuse(status: number, reason: string, incompatible = false): void {
    const headers: SipHeader[] = [];
    if (incompatible)
      headers.push(header("warning", `305 ${this.ctx.warnAgent} "Incompatible media format"`));
    if (status === 503) headers.push(header("retry-after", String(this.ctx.policy.retryAfterS)));
    this.ctx.event({ kind: "call-refused", callId: this.callId, status, reason });
    this.a.session?.reject(status, { headers });
    void this.end(reason);
  }

  private legEnded(leg: LegId, why: TerminationReason): void {
    const other = this.legs[leg === "a" ? "b" : "a"];
    const bye = this.legs[leg].session?.endedBy ?? null;
    other.hangup(bye === null ? undefined : byeMaxForwards(bye));
    if (!this.a.alive && !this.b.alive) void this.end(`${leg}: ${why}`);
  }

  /**
   * Ends both legs (BYE / CANCEL / a final response) and, once neither is alive, closes the media
   * and reports the call finished. Idempotent; resolves when the media sockets are closed.
   */
  end(reason: string): Promise<void> {
    if (this.closing !== null) return this.closing;
    this.ended = true;
    this.a.signalling?.stop();
    this.b.signalling?.stop();
    this.a.hangup();
    this.b.hangup();
    // ending a leg may have re-entered end() through legEnded()
    if (this.closing !== null) return this.closing;
    if (this.a.alive || this.b.alive) return Promise.resolve();
    this.closing = (async () => {
      if (this.opening !== null) await this.opening;
      const media = this.media;
      this.media = null;
      if (media !== null) await media.close();
      this.ctx.event({ kind: "call-ended", callId: this.callId, reason });
      this.ctx.finished(this.callId);
    })();
    return this.closing;
  }

  /** Releases the media and reports the call finished whatever the legs' state (after a bounded shutdown). */
  release(): Promise<void> {
    if (this.closing !== null) return this.closing;
    this.ended = true;
    this.a.signalling?.stop();
    this.b.signalling?.stop();
    this.closing = (async () => {
      if (this.opening !== null) await this.opening;
      const media = this.media;
      this.media = null;
      if (media !== null) await media.close();
      this.ctx.finished(this.callId);
    })();
    return this.closing;
  }

  note(leg: LegId | null, message: string): void {
    this.ctx.event({ kind: "note", callId: this.callId, leg, message });
  }
}
