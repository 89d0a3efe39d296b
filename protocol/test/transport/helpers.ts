/** Test helpers: messages written as wire text (parsed by wire/sip, not by the code under test). */
import assert from "node:assert/strict";
import { parseSip } from "../../src/wire/sip/index.ts";
import type { SipMessage, SipRequest, SipResponse } from "../../src/wire/sip/index.ts";

/** Wire text with "\n" line ends -> bytes with CRLF; Content-Length filled in when "Content-Length: *". */
export function wire(text: string): Buffer {
  const crlf = text.replace(/\r?\n/g, "\r\n");
  const split = crlf.indexOf("\r\n\r\n");
  const body = split < 0 ? "" : crlf.slice(split + 4);
  return Buffer.from(crlf.replace("Content-Length: *", `Content-Length: ${Buffer.byteLength(body)}`));
}

export function msg(text: string): SipMessage {
  const r = parseSip(wire(text), "strict");
  assert.ok(r.ok, r.ok ? "" : r.error.message);
  return r.message;
}

export const req = (text: string): SipRequest => msg(text) as SipRequest;
export const res = (text: string): SipResponse => msg(text) as SipResponse;

export function options(via: string, callId = "opt-1", cseq = 1): Buffer {
  return wire(`OPTIONS sip:ua@127.0.0.1 SIP/2.0
Via: ${via}
Max-Forwards: 70
From: <sip:probe@127.0.0.1>;tag=p1
To: <sip:ua@127.0.0.1>
Call-ID: ${callId}
CSeq: ${cseq} OPTIONS
Content-Length: 0

`);
}

/** Resolves with the first value `poll` returns that is not undefined, or rejects after `ms`. */
export async function eventually<T>(poll: () => T | undefined, ms = 2000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = poll();
    if (v !== undefined) return v;
    if (Date.now() - start > ms) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
