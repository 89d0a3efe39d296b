/**
 * A caller UA, the B2BUA and a callee UA on a fake network driven by a fake clock. Media is a fake
 * (records what the call asks of it) unless `realMedia` is set: then MediaRelay binds real UDP
 * sockets on 127.0.0.1 ports 21000-21099 from a PortPool.
 */
import { FakeClock } from "../../src/transaction/index.ts";
import { FakeNetwork } from "../../src/transport/index.ts";
import type { WireRecord } from "../../src/transport/index.ts";
import { UserAgent } from "../../src/dialog/index.ts";
import type { InviteSession, UserAgentOptions } from "../../src/dialog/index.ts";
import { B2bua, B2BUA_CAPABILITIES, DEFAULT_B2BUA_POLICY } from "../../src/b2bua/index.ts";
import type {
  B2buaEvent,
  B2buaOptions,
  B2buaPolicy,
  CallMedia,
  LegPolicy,
  MediaRequest,
} from "../../src/b2bua/index.ts";
import type { LegDtmfUpdate, LegId, OobMethod } from "../../src/media/index.ts";
import type { SipMessage } from "../../src/wire/sip/index.ts";

export const CALLER = { host: "10.0.0.1", port: 5060 } as const;
export const B2B = { host: "10.0.0.2", port: 5060 } as const;
export const CALLEE = { host: "10.0.0.3", port: 5060 } as const;
/** the caller dials 2000 through the B2BUA, as 1000 */
export const TARGET = `sip:2000@${B2B.host}:${B2B.port}`;
export const FROM = `<sip:1000@${CALLER.host}>`;
/** long enough for every RFC 3261 timer (64·T1) and the B2BUA's own to run out */
export const ALL_TIMERS_MS = 64 * 500 + 10_000;

export function seeded(seed = 1): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

export class FakeMedia implements CallMedia {
  readonly remotes: Record<LegId, { address: string; port: number } | null> = { a: null, b: null };
  readonly digits: { leg: LegId; method: OobMethod; digit: string; durationMs: number | undefined }[] = [];
  readonly dtmf: Record<LegId, LegDtmfUpdate> = { a: {}, b: {} };
  closed = false;
  constructor(
    readonly request: MediaRequest,
    private readonly ports: Record<LegId, number>,
  ) {}
  localPort(leg: LegId): number {
    return this.ports[leg];
  }
  setRemote(leg: LegId, address: string, port: number): void {
    this.remotes[leg] = { address, port };
  }
  digit(leg: LegId, method: OobMethod, digit: string, durationMs?: number): void {
    this.digits.push({ leg, method, digit, durationMs });
  }
  updateDtmf(leg: LegId, patch: LegDtmfUpdate): void {
    this.dtmf[leg] = { ...this.dtmf[leg], ...patch };
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

export interface WorldOptions {
  readonly legA?: Partial<LegPolicy>;
  readonly legB?: Partial<LegPolicy>;
  readonly policy?: Partial<B2buaPolicy>;
  readonly realMedia?: boolean;
  /** extra options of the caller / callee user agents (prack, authenticator ...) */
  readonly caller?: Partial<Omit<UserAgentOptions, "transport" | "clock">>;
  readonly callee?: Partial<Omit<UserAgentOptions, "transport" | "clock">>;
  /** extra B2BUA options (maxTransactions ...) */
  readonly b2bua?: Partial<Omit<B2buaOptions, "transport" | "clock" | "policy">>;
}

export function world(o: WorldOptions = {}) {
  const clock = new FakeClock();
  const net = new FakeNetwork(clock);
  let n = 0;
  const tags = (p: string) => () => `${p}${++n}`;
  const medias: FakeMedia[] = [];
  const events: B2buaEvent[] = [];
  const policy: B2buaPolicy = {
    ...DEFAULT_B2BUA_POLICY,
    ...o.policy,
    legs: {
      a: { ...DEFAULT_B2BUA_POLICY.legs.a, ...o.legA },
      b: { ...DEFAULT_B2BUA_POLICY.legs.b, ...o.legB },
    },
  };
  let nextPort = 40000;
  const b2bua = new B2bua({
    transport: net.transport(B2B),
    nextHop: { ...CALLEE, transport: "udp" },
    rtpAddress: o.realMedia === true ? "127.0.0.1" : "192.0.2.10",
    rtpPorts: { min: 21000, max: 21099 },
    policy,
    clock,
    sessionTimer: null,
    random: seeded(3),
    newTag: tags("bt"),
    newCallId: tags("legb-"),
    onEvent: (e) => void events.push(e),
    ...o.b2bua,
    ...(o.realMedia === true
      ? {}
      : {
          mediaFactory: (req: MediaRequest) => {
            const m = new FakeMedia(req, { a: nextPort, b: nextPort + 2 });
            nextPort += 4;
            medias.push(m);
            return Promise.resolve(m);
          },
        }),
  });
  const caller = new UserAgent({
    transport: net.transport(CALLER),
    clock,
    contactUser: "caller",
    capabilities: B2BUA_CAPABILITIES,
    random: seeded(7),
    newTag: tags("at"),
    newCallId: tags("call-"),
    sessionTimer: null,
    ...o.caller,
  });
  const callee = new UserAgent({
    transport: net.transport(CALLEE),
    clock,
    contactUser: "callee",
    capabilities: B2BUA_CAPABILITIES,
    random: seeded(11),
    newTag: tags("ct"),
    sessionTimer: null,
    ...o.callee,
  });
  return { clock, net, b2bua, caller, callee, medias, events, policy };
}

/** Lets timers at "now" fire and promises (media open) resolve, a few rounds. */
export async function settle(clock: FakeClock, rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    clock.advance(0);
    await new Promise((r) => setImmediate(r));
  }
}

export function sdp(opts: {
  port?: number;
  fmts?: readonly number[];
  te?: number | null;
  direction?: string;
  address?: string;
  version?: number;
}): string {
  const fmts = opts.fmts ?? [0, 8];
  const te = opts.te === undefined ? 101 : opts.te;
  const names: Record<number, string> = { 0: "PCMU/8000", 8: "PCMA/8000", 9: "G722/8000", 18: "G729/8000" };
  const address = opts.address ?? "10.9.9.9";
  return [
    "v=0",
    `o=- 100 ${opts.version ?? 1} IN IP4 ${address}`,
    "s=-",
    `c=IN IP4 ${address}`,
    "t=0 0",
    `m=audio ${opts.port ?? 20000} RTP/AVP ${[...fmts, ...(te === null ? [] : [te])].join(" ")}`,
    ...fmts.map((f) => `a=rtpmap:${f} ${names[f]}`),
    ...(te === null ? [] : [`a=rtpmap:${te} telephone-event/8000`, `a=fmtp:${te} 0-15`]),
    `a=${opts.direction ?? "sendrecv"}`,
    "",
  ].join("\r\n");
}

/** "METHOD a->b" / "200 INVITE b->a" lines of what was delivered. */
export function ladder(net: FakeNetwork, pred: (r: WireRecord) => boolean = () => true): string[] {
  const name = (h: string) => (h === CALLER.host ? "A" : h === B2B.host ? "X" : h === CALLEE.host ? "B" : h);
  return net.log
    .filter((r) => r.message !== null && pred(r))
    .map(
      (r) => `${describe(r.message!)} ${name(r.from.host)}->${name(r.to.host)}${r.dropped ? " (lost)" : ""}`,
    );
}

export function describe(m: SipMessage): string {
  const cseq = m.headers.find((h) => h.name === "cseq")?.value.split(/\s+/)[1] ?? "?";
  return m.kind === "request" ? m.method : `${m.status} ${cseq}`;
}

/** Messages delivered to `host`. */
export function to(
  net: FakeNetwork,
  host: string,
  pred: (m: SipMessage) => boolean = () => true,
): SipMessage[] {
  return net.log
    .filter((r) => !r.dropped && r.to.host === host && r.message !== null && pred(r.message))
    .map((r) => r.message!);
}

export const isRequest = (method: string) => (m: SipMessage) => m.kind === "request" && m.method === method;
export const isStatus = (status: number, method?: string) => (m: SipMessage) =>
  m.kind === "response" &&
  m.status === status &&
  (method === undefined || (m.headers.find((h) => h.name === "cseq")?.value.endsWith(method) ?? false));

/** The callee answers every INVITE with 180 then 200 and `answer` (or with the default answerer). */
export function autoAnswer(
  callee: UserAgent,
  answer: (offer: string | null) => string,
  sessions: InviteSession[] = [],
): InviteSession[] {
  callee.onInvite = (s) => {
    sessions.push(s);
    s.progress(180);
    s.accept({ sdp: answer(s.uas?.remoteOffer ?? null) });
  };
  return sessions;
}

/** No call state, session, dialog, transaction or port left; every clock timer has expired. */
export function leftovers(w: ReturnType<typeof world>): Record<string, number> {
  const s = w.b2bua.stats();
  return {
    calls: s.calls,
    sessions: s.sessions,
    dialogs: s.dialogs,
    transactions: s.transactions,
    rtpPortsInUse: s.rtpPortsInUse,
    openMedia: w.medias.filter((m) => !m.closed).length,
  };
}

export const CLEAN = { calls: 0, sessions: 0, dialogs: 0, transactions: 0, rtpPortsInUse: 0, openMedia: 0 };
