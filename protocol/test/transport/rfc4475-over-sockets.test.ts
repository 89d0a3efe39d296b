/**
 * RFC 4475 torture messages sent over real UDP and TCP sockets (127.0.0.1 ports 18120-18129):
 * each gets the right treatment (200 from the core when it is well-formed, 400 / 505 with a
 * Warning when it is a malformed request, silence when it is a response), and the transport
 * still serves a valid OPTIONS afterwards.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createSocket } from "node:dgram";
import { connect } from "node:net";
import { getHeader, parseSip } from "../../src/wire/sip/index.ts";
import { buildResponse } from "../../src/transaction/index.ts";
import { TcpTransport, UdpTransport } from "../../src/transport/index.ts";
import type { SipTransport, TransportEvent } from "../../src/transport/index.ts";
import { options, sleep } from "./helpers.ts";

const DIR = new URL("../fixtures/rfc4475/", import.meta.url);

interface Fixture {
  readonly file: string;
  readonly rfc4475_section: string;
  readonly verdict: "valid" | "invalid" | "valid-syntax-semantic-test";
  readonly start_line: string;
}

const fixtures: readonly Fixture[] = JSON.parse(readFileSync(new URL("verdicts.json", DIR), "utf8")).messages;

/**
 * The answer the RFC 4475 text asks for: a response is never answered; an invalid request gets
 * 400 (505 for the SIP/7.0 one, §3.1.2.16); §3.3.1 (insuf) lacks mandatory headers: 400; any
 * other request reaches the core, which here answers 200. Over TCP, §3.1.2.2's Content-Length
 * larger than the bytes sent leaves the stream waiting for the body: no answer.
 */
function expected(f: Fixture, transport: "udp" | "tcp"): number | null {
  if (f.start_line.startsWith("SIP/")) return null;
  if (f.start_line.endsWith("SIP/7.0")) return 505;
  if (f.rfc4475_section === "3.1.2.2" && transport === "tcp") return null;
  if (f.verdict === "invalid" || f.rfc4475_section === "3.3.1") return 400;
  return 200;
}

/** The core stand-in: answers every delivered request with 200 back to its source. */
function core(t: SipTransport, events: TransportEvent[]): void {
  t.onEvent((e) => void events.push(e));
  t.onMessage((m, from) => {
    if (m.kind === "request" && m.method !== "ACK") t.send(buildResponse(m, 200, { toTag: "core" }), from);
  });
}

function statusOf(bytes: Buffer): { status: number; warning: string | undefined } | null {
  const r = parseSip(bytes, "lenient");
  return r.ok && r.message.kind === "response"
    ? { status: r.message.status, warning: getHeader(r.message, "warning") }
    : null;
}

test("RFC 4475 over UDP: every torture message gets 200, 400/505 with Warning, or silence; OPTIONS still answered", async () => {
  const server = await UdpTransport.open({ port: 18120, malformedRepliesPerSecond: 1000 });
  const events: TransportEvent[] = [];
  core(server, events);
  const client = createSocket("udp4");
  await new Promise<void>((r) => client.bind(18121, "127.0.0.1", () => r()));
  const replies: Buffer[] = [];
  client.on("message", (b) => void replies.push(b));
  try {
    for (const f of fixtures) {
      replies.length = 0;
      client.send(readFileSync(new URL(f.file, DIR)), 18120, "127.0.0.1");
      const want = expected(f, "udp");
      const deadline = Date.now() + (want === null ? 60 : 1000);
      while (replies.length === 0 && Date.now() < deadline) await sleep(2);
      const got = replies[0] === undefined ? null : statusOf(replies[0]);
      assert.equal(got?.status ?? null, want, `${f.file}: expected ${want}, got ${got?.status ?? "nothing"}`);
      if (want === 400 || want === 505) assert.match(got!.warning ?? "", /^399 127\.0\.0\.1:18120 "/, f.file);
    }
    replies.length = 0;
    client.send(
      options("SIP/2.0/UDP 127.0.0.1:18121;branch=z9hG4bKafter", "after-corpus"),
      18120,
      "127.0.0.1",
    );
    while (replies.length === 0) await sleep(2);
    assert.equal(statusOf(replies[0]!)?.status, 200);
    assert.equal(events.filter((e) => e.kind === "handler-error").length, 0);
  } finally {
    client.close();
    await server.close();
  }
});

function tcpExchange(port: number, bytes: Buffer, waitMs: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const s = connect({ host: "127.0.0.1", port }, () => s.write(bytes));
    const done = (): void => {
      s.destroy();
      resolve(Buffer.concat(chunks));
    };
    const timer = setTimeout(done, waitMs);
    s.on("data", (d) => {
      chunks.push(d);
      if (/\r\n\r\n/.test(Buffer.concat(chunks).toString("latin1"))) {
        clearTimeout(timer);
        setTimeout(done, 5);
      }
    });
    s.on("error", () => undefined);
  });
}

test("RFC 4475 over TCP: each torture message on its own connection gets the right answer; OPTIONS still answered", async () => {
  const server = await TcpTransport.open({ port: 18122, malformedRepliesPerSecond: 1000 });
  const events: TransportEvent[] = [];
  core(server, events);
  try {
    const results = await Promise.all(
      fixtures.map(async (f) => {
        const want = expected(f, "tcp");
        const reply = await tcpExchange(
          18122,
          readFileSync(new URL(f.file, DIR)),
          want === null ? 150 : 2000,
        );
        return { f, want, got: reply.length === 0 ? null : statusOf(reply) };
      }),
    );
    for (const { f, want, got } of results) {
      assert.equal(got?.status ?? null, want, `${f.file}: expected ${want}, got ${got?.status ?? "nothing"}`);
      if (want === 400 || want === 505) assert.match(got!.warning ?? "", /^399 127\.0\.0\.1:18122 "/, f.file);
    }
    const after = await tcpExchange(
      18122,
      options("SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKafter", "after-corpus"),
      2000,
    );
    assert.equal(statusOf(after)?.status, 200);
    assert.equal(events.filter((e) => e.kind === "handler-error").length, 0);
  } finally {
    await server.close();
  }
});
