/**
 * The B2BUA: every INVITE arriving on the transport becomes a call to the next hop (two dialogs,
 * media anchored on our RTP ports, DTMF relayed and interworked per leg). One UserAgent carries
 * both legs; OPTIONS is answered by it; calls beyond `maxCalls` get 503 with Retry-After
 * (RFC 3261 §21.5.4: "The server MAY indicate when the client should retry the request in a
 * Retry-After header field").
 */
import type { SipMessage, SipRequest } from "../wire/sip/index.ts";
import { callIdOf, cseqOf, DEFAULT_CAPABILITIES, header, UserAgent } from "../dialog/index.ts";
import type { Capabilities, InviteSession, SessionTimerConfig } from "../dialog/index.ts";
import { createRealClock } from "../transaction/index.ts";
import type { Clock, TransactionConfig } from "../transaction/index.ts";
import { hostForUri } from "../transport/index.ts";
import type { SipTransport, TransportAddress } from "../transport/index.ts";
import { MediaRelay, MediaRelayGroup, PortPool } from "../media/index.ts";
import type { DtmfLogEntry, PortRange } from "../media/index.ts";
import { DEFAULT_B2BUA_POLICY } from "./b2bua-policy.ts";
import type { B2buaPolicy } from "./b2bua-policy.ts";
import { B2buaCall } from "./call.ts";
import type { B2buaEvent, CallContext, MediaFactory } from "./call-context.ts";
import { ObservedTransport } from "./observed-transport.ts";

export interface B2buaOptions {
  readonly transport: SipTransport;
  /** where every call goes (leg b) */
  readonly nextHop: TransportAddress;
  /** the IP our RTP sockets bind to and our SDP names */
  readonly rtpAddress: string;
  /** RTP ports (even/odd pairs); used by the default media factory */
  readonly rtpPorts?: PortRange;
  readonly policy?: B2buaPolicy;
  readonly clock?: Clock;
  readonly transactionConfig?: TransactionConfig;
  /** null: no session timers (default: the UA's, 1800 s) */
  readonly sessionTimer?: SessionTimerConfig | null;
  /** host for Via, Contact and Warning (default the transport's address) */
  readonly advertisedHost?: string;
  /** replaces the MediaRelay-on-a-PortPool default (tests) */
  readonly mediaFactory?: MediaFactory;
  /**
   * Worker threads for the default media relay (MediaRelayGroup): 0 (default) relays on this
   * thread with `clock`; n >= 1 spreads calls over n workers that keep real time. On the 2-vCPU
   * machines here 2 workers gave a 40 % lower median latency at the same p99 (bench/b2bua/NOTES.md).
   */
  readonly mediaWorkers?: number;
  readonly onDtmfLog?: (entry: DtmfLogEntry) => void;
  readonly onEvent?: (event: B2buaEvent) => void;
  /** live SIP transactions beyond which new requests get 503 + Retry-After (default: the transaction layer's) */
  readonly maxTransactions?: number;
  readonly random?: () => number;
  readonly newTag?: () => string;
  readonly newCallId?: () => string;
}

/** The methods and event packages the B2BUA serves in a dialog (DTMF in SIP, DOMAIN.md §4.4). */
export const B2BUA_CAPABILITIES: Capabilities = Object.freeze({
  ...DEFAULT_CAPABILITIES,
  allow: Object.freeze([...DEFAULT_CAPABILITIES.allow, "SUBSCRIBE", "NOTIFY"]),
  allowEvents: Object.freeze(["kpml", "telephone-event"]),
});

export interface B2buaStats {
  readonly calls: number;
  readonly sessions: number;
  readonly dialogs: number;
  readonly transactions: number;
  /** RTP port pairs allocated (default media factory only) */
  readonly rtpPortsInUse: number;
}

export class B2bua {
  readonly ua: UserAgent;
  readonly pool: PortPool | null;
  /** the media worker threads (options.mediaWorkers > 0), stopped by close(); see mediaGroup() */
  private readonly group: MediaRelayGroup | null;
  private readonly calls = new Map<string, B2buaCall>();
  /** leg b's Call-ID -> its call (what the next hop advertises in its 1xx/2xx) */
  private readonly byLegB = new Map<string, B2buaCall>();
  private readonly ctx: CallContext;
  private readonly idle: (() => void)[] = [];
  private seq = 0;
  private stopping = false;

  constructor(private readonly options: B2buaOptions) {
    const clock = options.clock ?? createRealClock();
    const policy = options.policy ?? DEFAULT_B2BUA_POLICY;
    this.ua = new UserAgent({
      transport: new ObservedTransport(options.transport, (m) => this.observe(m)),
      clock,
      contactUser: "b2bua",
      capabilities: B2BUA_CAPABILITIES,
      ...(options.transactionConfig === undefined ? {} : { transactionConfig: options.transactionConfig }),
      ...(options.sessionTimer === undefined ? {} : { sessionTimer: options.sessionTimer }),
      ...(options.advertisedHost === undefined ? {} : { advertisedHost: options.advertisedHost }),
      ...(options.random === undefined ? {} : { random: options.random }),
      ...(options.newTag === undefined ? {} : { newTag: options.newTag }),
      ...(options.newCallId === undefined ? {} : { newCallId: options.newCallId }),
      ...(options.maxTransactions === undefined ? {} : { maxTransactions: options.maxTransactions }),
      retryAfterS: policy.retryAfterS,
    });
    this.pool =
      options.mediaFactory === undefined
        ? new PortPool(options.rtpPorts ?? { min: 30000, max: 39999 })
        : null;
    const pool = this.pool;
    const workers = options.mediaWorkers ?? 0;
    this.group = options.mediaFactory === undefined && workers > 0 ? new MediaRelayGroup({ workers }) : null;
    const group = this.group;
    const openMedia: MediaFactory =
      options.mediaFactory ??
      ((req) =>
        (group === null ? MediaRelay.open.bind(MediaRelay) : group.open.bind(group))({
          pool: pool!,
          bindAddress: options.rtpAddress,
          clock,
          callId: req.callId,
          legs: {
            a: {
              dtmf: { egressMethod: "none", telephoneEventPt: null, minDurationMs: policy.minDtmfDurationMs },
              latching: policy.latching,
            },
            b: {
              dtmf: { egressMethod: "none", telephoneEventPt: null, minDurationMs: policy.minDtmfDurationMs },
              latching: policy.latching,
            },
          },
          onSignal: req.onSignal,
          onLog: req.onLog,
          onNote: req.onNote,
        }));
    this.ctx = {
      ua: this.ua,
      clock,
      policy,
      nextHop: options.nextHop,
      warnAgent: hostForUri(options.advertisedHost ?? options.transport.local.host),
      rtpAddress: options.rtpAddress,
      openMedia,
      dtmfLog: (e) => options.onDtmfLog?.(e),
      event: (e) => options.onEvent?.(e),
      finished: (id) => this.finished(id),
      legBStarted: (callId, call) => void this.byLegB.set(callId, call),
    };
    this.ua.onInvite = (session, request) => this.onInvite(session, request);
  }

  get callCount(): number {
    return this.calls.size;
  }

  stats(): B2buaStats {
    return {
      calls: this.calls.size,
      sessions: this.ua.sessionCount,
      dialogs: this.ua.dialogCount,
      transactions: this.ua.transactions.size,
      rtpPortsInUse: this.pool?.inUse ?? 0,
    };
  }

  /**
   * Ends every call (BYE on answered legs, CANCEL / 480 on pending ones) and resolves when all have
   * finished or after `waitMs`, whichever comes first. New INVITEs get 503 from then on.
   */
  async shutdown(waitMs = this.ctx.policy.shutdownWaitMs): Promise<boolean> {
    this.stopping = true;
    for (const call of [...this.calls.values()]) call.hangup();
    if (this.calls.size === 0) return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(this.calls.size === 0), waitMs);
      this.idle.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** The media worker group (mediaWorkers > 0), for diagnostics: its io() reports each worker's path and heap. */
  mediaGroup(): MediaRelayGroup | null {
    return this.group;
  }

  /** Releases what calls still hold (media sockets, ports) after shutdown() gave up waiting. */
  async close(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.calls.values()].map((c) => c.release()));
    await this.group?.close();
  }

  private onInvite(session: InviteSession, request: SipRequest): void {
    const policy = this.ctx.policy;
    if (this.stopping || this.calls.size >= policy.maxCalls) {
      session.reject(503, { headers: [header("retry-after", String(policy.retryAfterS))] });
      this.ctx.event({
        kind: "call-refused",
        callId: callIdOf(request) ?? "",
        status: 503,
        reason: this.stopping ? "shutting down" : `${policy.maxCalls} calls in progress`,
      });
      return;
    }
    // Call-IDs of different callers may collide; the key only has to be unique here
    const id = `${callIdOf(request) ?? "call"}#${++this.seq}`;
    const call = new B2buaCall(this.ctx, id);
    this.calls.set(id, call);
    call.start(session, request).catch((err: unknown) => {
      this.ctx.event({ kind: "note", callId: id, leg: null, message: `call failed: ${String(err)}` });
      void call.end("internal error");
    });
  }

  /** Responses to our INVITEs on leg b: what the next hop advertises. */
  private observe(m: SipMessage): void {
    if (m.kind !== "response" || m.status < 101 || m.status >= 300 || this.byLegB.size === 0) return;
    if (cseqOf(m)?.method !== "INVITE") return;
    const id = callIdOf(m);
    if (id !== null) this.byLegB.get(id)?.observeB(m);
  }

  private finished(id: string): void {
    const call = this.calls.get(id);
    const b = call?.b.session?.callId;
    if (b !== undefined && this.byLegB.get(b) === call) this.byLegB.delete(b);
    this.calls.delete(id);
    if (this.calls.size === 0) for (const f of this.idle.splice(0)) f();
  }
}
