/**
 * An in-memory network for tests: transports bound to fake addresses exchange serialized bytes
 * through the injected clock (delivery is a clock timer `latencyMs` after send), and every packet
 * is logged. Bytes go through the same receive pipeline as UDP and TCP (parse, Via stamping,
 * 400 for malformed requests), so a test over the fake network exercises the real wire format.
 *
 * With a FakeClock, `clock.advance(0)` delivers everything in flight at latency 0 (and whatever
 * the deliveries cause), so a whole exchange runs without waiting.
 */
import type { SipMessage } from "../wire/sip/index.ts";
import { parseSip } from "../wire/sip/index.ts";
import type { Clock } from "../transaction/index.ts";
import { addressKey, normalizeIp } from "./address.ts";
import { toWire } from "./outbound.ts";
import { ReceivePipeline } from "./receive-pipeline.ts";
import type {
  LocalAddress,
  MessageHandler,
  SipTransport,
  TransportAddress,
  SendErrorHandler,
  TransportEventHandler,
  TransportProtocol,
} from "./types.ts";

export interface WireRecord {
  readonly atMs: number;
  readonly from: TransportAddress;
  readonly to: TransportAddress;
  readonly bytes: Buffer;
  /** the bytes parsed leniently (null when not SIP): what the test inspects */
  readonly message: SipMessage | null;
  /** dropped by a loss rule or because nobody listens at `to` */
  readonly dropped: boolean;
}

export type LossRule = (record: Omit<WireRecord, "dropped">) => boolean;

export class FakeNetwork {
  readonly log: WireRecord[] = [];
  private readonly bound = new Map<string, FakeTransport>();
  private readonly lossRules = new Set<LossRule>();
  private readonly rewriteRules = new Set<(r: Omit<WireRecord, "dropped">) => Buffer | null>();
  private refuse: { readonly udp: boolean } | null = null;

  constructor(
    readonly clock: Clock,
    readonly latencyMs = 0,
  ) {}

  /** A transport bound at host:port (default UDP and TCP). */
  transport(local: LocalAddress, protocols: readonly TransportProtocol[] = ["udp", "tcp"]): FakeTransport {
    const t = new FakeTransport(this, { host: normalizeIp(local.host), port: local.port }, protocols);
    for (const p of protocols) {
      const key = addressKey({ ...t.local, transport: p });
      if (this.bound.has(key)) throw new Error(`bug: fake address ${key} already bound`);
      this.bound.set(key, t);
    }
    return t;
  }

  /**
   * A TCP send to an address nobody listens on fails like a refused connect ("connection
   * refused", reported to the sender after `latencyMs`); with `refuseUdp` a UDP send there fails
   * too (an unreachable destination, ICMP-style). By default UDP to nowhere is silently lost.
   */
  refuseUnbound(options: { readonly refuseUdp?: boolean } = {}): void {
    this.refuse = { udp: options.refuseUdp ?? false };
  }

  /** @internal why a send to `to` fails at once (null: it goes on the wire) */
  refusal(to: TransportAddress): string | null {
    if (this.refuse === null || this.bound.has(addressKey(to))) return null;
    return to.transport === "tcp" || this.refuse.udp ? `connection refused by ${addressKey(to)}` : null;
  }

  /** Drops every packet the rule matches until the returned function is called. */
  dropWhen(rule: LossRule): () => void {
    this.lossRules.add(rule);
    return () => this.lossRules.delete(rule);
  }

  /**
   * Rewrites every packet the rule returns bytes for (a non-compliant peer, emulated: e.g. a PRACK
   * stripped of its answer) until the returned function is called. The log shows what was carried.
   */
  rewriteWhen(rule: (r: Omit<WireRecord, "dropped">) => Buffer | null): () => void {
    this.rewriteRules.add(rule);
    return () => this.rewriteRules.delete(rule);
  }

  /** Logged messages matching `pred` that were delivered. */
  delivered(pred: (m: SipMessage, r: WireRecord) => boolean = () => true): WireRecord[] {
    return this.log.filter((r) => !r.dropped && r.message !== null && pred(r.message, r));
  }

  /** @internal used by FakeTransport */
  unbind(t: FakeTransport): void {
    for (const [k, v] of this.bound) if (v === t) this.bound.delete(k);
  }

  /** @internal used by FakeTransport */
  isBound(to: TransportAddress): boolean {
    return this.bound.has(addressKey(to));
  }

  /** @internal puts bytes on the wire from `from` to `to`. */
  carry(from: TransportAddress, to: TransportAddress, sent: Buffer): void {
    let bytes = sent;
    for (const rule of this.rewriteRules) {
      const parsed = parseSip(bytes, "lenient");
      const out = rule({
        atMs: this.clock.now(),
        from,
        to,
        bytes,
        message: parsed.ok ? parsed.message : null,
      });
      if (out !== null) bytes = out;
    }
    const parsed = parseSip(bytes, "lenient");
    const base = { atMs: this.clock.now(), from, to, bytes, message: parsed.ok ? parsed.message : null };
    const target = this.bound.get(addressKey(to));
    let dropped = target === undefined;
    for (const rule of this.lossRules) if (rule(base)) dropped = true;
    this.log.push({ ...base, dropped });
    if (dropped || target === undefined) return;
    this.clock.setTimer(this.latencyMs, () => target.deliver(bytes, from));
  }
}

export class FakeTransport implements SipTransport {
  private readonly pipeline: ReceivePipeline;
  private closed = false;

  constructor(
    private readonly network: FakeNetwork,
    readonly local: LocalAddress,
    readonly protocols: readonly TransportProtocol[],
  ) {
    this.pipeline = new ReceivePipeline({
      warnAgent: () => `${local.host}:${local.port}`,
      newTag: () => "fake400",
    });
  }

  onMessage(handler: MessageHandler): void {
    this.pipeline.onMessage(handler);
  }

  onEvent(handler: TransportEventHandler): void {
    this.pipeline.onEvent(handler);
  }

  hasConnection(to: TransportAddress): boolean {
    return to.transport === "tcp" && this.network.isBound(to);
  }

  send(message: SipMessage | Buffer, to: TransportAddress, onError?: SendErrorHandler): void {
    const fail = (reason: string): void => {
      this.pipeline.emit({ kind: "send-error", to, reason });
      onError?.(reason);
    };
    if (this.closed) return fail("transport closed");
    if (!this.protocols.includes(to.transport)) return fail(`no ${to.transport} here`);
    const dest = { ...to, host: normalizeIp(to.host) };
    const refusal = this.network.refusal(dest);
    if (refusal !== null) {
      // what a real TCP connect to a closed port reports, after the network's latency
      this.network.clock.setTimer(this.network.latencyMs, () => fail(refusal));
      return;
    }
    this.network.carry({ ...this.local, transport: to.transport }, dest, toWire(message));
  }

  /** Delivers raw bytes as if they came from `from` (tests of malformed input). */
  inject(bytes: Buffer, from: TransportAddress): void {
    this.deliver(bytes, from);
  }

  /** @internal */
  deliver(bytes: Buffer, from: TransportAddress): void {
    if (this.closed) return;
    const to: TransportAddress = { ...this.local, transport: from.transport };
    this.pipeline.process(bytes, { ...from, local: this.local }, (reply) =>
      this.network.carry(to, from, reply),
    );
  }

  close(): Promise<void> {
    this.closed = true;
    this.network.unbind(this);
    return Promise.resolve();
  }
}
