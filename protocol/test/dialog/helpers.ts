/** Two user agents on a fake network driven by a fake clock. SDP and messages written by hand. */
import { FakeClock } from "../../src/transaction/index.ts";
import type { TransactionConfig } from "../../src/transaction/index.ts";
import { FakeNetwork } from "../../src/transport/index.ts";
import type { WireRecord } from "../../src/transport/index.ts";
import { UserAgent } from "../../src/dialog/index.ts";
import type { UserAgentOptions, InviteSession } from "../../src/dialog/index.ts";
import type { SipMessage } from "../../src/wire/sip/index.ts";

export const ALICE = { host: "10.0.0.1", port: 5060 } as const;
export const BOB = { host: "10.0.0.2", port: 5060 } as const;

/** A deterministic random source (linear congruential), so retry timers and RSeq are reproducible. */
export function seeded(seed = 1): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

export type UaOverrides = Partial<Omit<UserAgentOptions, "transport" | "clock">>;

export function pair(a: UaOverrides = {}, b: UaOverrides = {}, config?: TransactionConfig) {
  const clock = new FakeClock();
  const net = new FakeNetwork(clock);
  let n = 0;
  const tags = (p: string) => () => `${p}${++n}`;
  const alice = new UserAgent({
    transport: net.transport(ALICE),
    clock,
    contactUser: "alice",
    random: seeded(7),
    newTag: tags("at"),
    newCallId: tags("call-"),
    ...(config === undefined ? {} : { transactionConfig: config }),
    ...a,
  });
  const bob = new UserAgent({
    transport: net.transport(BOB),
    clock,
    contactUser: "bob",
    random: seeded(11),
    newTag: tags("bt"),
    ...(config === undefined ? {} : { transactionConfig: config }),
    ...b,
  });
  return { clock, net, alice, bob };
}

export function sdp(port: number, direction = "sendrecv", address = "10.0.0.9", version = 1): string {
  return [
    "v=0",
    `o=- 100 ${version} IN IP4 ${address}`,
    "s=-",
    `c=IN IP4 ${address}`,
    "t=0 0",
    `m=audio ${port} RTP/AVP 0 101`,
    "a=rtpmap:0 PCMU/8000",
    "a=rtpmap:101 telephone-event/8000",
    "a=fmtp:101 0-15",
    `a=${direction}`,
    "",
  ].join("\r\n");
}

export const OFFER_A = sdp(20000);
export const ANSWER_B = sdp(30000);

/** The requests / responses on the wire, as "METHOD" / "200 INVITE" strings, in order. */
export function ladder(net: FakeNetwork, pred: (r: WireRecord) => boolean = () => true): string[] {
  return net.log
    .filter((r) => r.message !== null && pred(r))
    .map((r) => describe(r.message!) + (r.dropped ? " (lost)" : ""));
}

export function describe(m: SipMessage): string {
  const cseq = m.headers.find((h) => h.name === "cseq")?.value.split(/\s+/)[1] ?? "?";
  return m.kind === "request" ? m.method : `${m.status} ${cseq}`;
}

/** Records a session's events as strings. */
export function watch(s: InviteSession, log: string[], prefix = ""): void {
  s.handlers = {
    ...s.handlers,
    onProvisional: (r) => void log.push(`${prefix}provisional ${r.status}`),
    onAnswer: (x) => void log.push(`${prefix}answer ${portOf(x)}`),
    onConfirmed: () => void log.push(`${prefix}confirmed`),
    onFailure: (st) => void log.push(`${prefix}failure ${st}`),
    onTerminated: (why) => void log.push(`${prefix}terminated ${why}`),
    onRefreshResult: (m, st) => void log.push(`${prefix}refresh ${m} ${st}`),
  };
}

export function portOf(sdpText: string | null): number | null {
  const m = sdpText === null ? null : /m=audio (\d+)/.exec(sdpText);
  return m === null ? null : Number(m[1]);
}

export const isMethod = (method: string) => (r: { readonly message: SipMessage | null }) =>
  r.message?.kind === "request" && r.message.method === method;
