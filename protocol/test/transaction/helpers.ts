/**
 * Test fixtures for the transaction layer: messages built by hand (independently of the code under
 * test), a fake transport that records what was sent and when, and a recording TU.
 */
import type { SipHeader, SipMessage, SipRequest, SipResponse } from "../../src/wire/sip/types.ts";
import { FakeClock } from "../../src/transaction/clock.ts";

export function hdr(name: string, value: string): SipHeader {
  return { name: name.toLowerCase(), raw: name, value };
}

export interface RequestSpec {
  readonly method?: string;
  readonly uri?: string;
  readonly branch?: string | null;
  readonly transport?: string;
  readonly sentBy?: string;
  readonly callId?: string;
  readonly fromTag?: string;
  readonly toTag?: string | null;
  readonly cseq?: number;
  readonly cseqMethod?: string;
  readonly extraVia?: readonly string[];
  readonly routes?: readonly string[];
  readonly extra?: readonly SipHeader[];
}

export function request(spec: RequestSpec = {}): SipRequest {
  const method = spec.method ?? "INVITE";
  const branch = spec.branch === undefined ? "z9hG4bKabc123" : spec.branch;
  const via = `SIP/2.0/${spec.transport ?? "UDP"} ${spec.sentBy ?? "pc33.atlanta.com"}${branch === null ? "" : `;branch=${branch}`}`;
  const headers: SipHeader[] = [hdr("Via", via)];
  for (const v of spec.extraVia ?? []) headers.push(hdr("Via", v));
  for (const r of spec.routes ?? []) headers.push(hdr("Route", r));
  headers.push(hdr("Max-Forwards", "70"));
  const toTag = spec.toTag ?? null;
  headers.push(hdr("To", `Bob <sip:bob@biloxi.com>${toTag === null ? "" : `;tag=${toTag}`}`));
  headers.push(hdr("From", `Alice <sip:alice@atlanta.com>;tag=${spec.fromTag ?? "88sja8x"}`));
  headers.push(hdr("Call-ID", spec.callId ?? "987asjd97y7atg"));
  headers.push(hdr("CSeq", `${spec.cseq ?? 986759} ${spec.cseqMethod ?? method}`));
  headers.push(...(spec.extra ?? []));
  headers.push(hdr("Content-Length", "0"));
  return {
    kind: "request",
    method,
    uri: spec.uri ?? "sip:bob@biloxi.com",
    version: "SIP/2.0",
    headers,
    body: Buffer.alloc(0),
  };
}

/** A response to `req` built by hand: copies Via/From/Call-ID/CSeq, To with an optional tag. */
export function response(req: SipRequest, status: number, toTag: string | null = "99sa0xk"): SipResponse {
  const headers: SipHeader[] = [];
  for (const h of req.headers) {
    if (h.name === "via" || h.name === "from" || h.name === "call-id" || h.name === "cseq") headers.push(h);
    if (h.name === "to")
      headers.push(hdr("To", toTag === null || /;tag=/.test(h.value) ? h.value : `${h.value};tag=${toTag}`));
  }
  headers.push(hdr("Content-Length", "0"));
  return {
    kind: "response",
    status,
    reason: `R${status}`,
    version: "SIP/2.0",
    headers,
    body: Buffer.alloc(0),
  };
}

export function headerValue(msg: SipMessage, name: string): string | undefined {
  return msg.headers.find((h) => h.name === name)?.value;
}

export function headerValues(msg: SipMessage, name: string): string[] {
  return msg.headers.filter((h) => h.name === name).map((h) => h.value);
}

export interface Sent {
  readonly atMs: number;
  readonly message: SipMessage;
}

/** A fake transport: every message handed to `send` is recorded with the clock time. */
export class FakeTransport {
  readonly sent: Sent[] = [];
  constructor(private readonly clock: FakeClock) {}
  readonly send = (message: SipMessage): void => {
    this.sent.push({ atMs: this.clock.now(), message });
  };
  /** send times (seconds) of messages matching `pred` */
  timesS(pred: (m: SipMessage) => boolean = () => true): number[] {
    return this.sent.filter((s) => pred(s.message)).map((s) => s.atMs / 1000);
  }
  count(pred: (m: SipMessage) => boolean = () => true): number {
    return this.sent.filter((s) => pred(s.message)).length;
  }
}

export const isRequest =
  (method: string) =>
  (m: SipMessage): boolean =>
    m.kind === "request" && m.method === method;

export const isStatus =
  (status: number) =>
  (m: SipMessage): boolean =>
    m.kind === "response" && m.status === status;

/** A TU that records every callback in order. */
export class RecordingTu {
  readonly events: string[] = [];
  readonly responses: SipResponse[] = [];
  readonly onResponse = (r: SipResponse): void => {
    this.responses.push(r);
    this.events.push(`response:${r.status}`);
  };
  readonly onTimeout = (): void => {
    this.events.push("timeout");
  };
  readonly onTransportError = (reason: string): void => {
    this.events.push(`transport-error:${reason}`);
  };
  readonly onTerminated = (): void => {
    this.events.push("terminated");
  };
}

export function setup(): { clock: FakeClock; transport: FakeTransport } {
  const clock = new FakeClock();
  return { clock, transport: new FakeTransport(clock) };
}
