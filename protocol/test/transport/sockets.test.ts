/** Real sockets on 127.0.0.1 / ::1, ports 18100-18139. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import type { Socket } from "node:net";
import { getHeader, getHeaders, parseSip } from "../../src/wire/sip/index.ts";
import type { SipMessage, SipRequest } from "../../src/wire/sip/index.ts";
import { buildResponse } from "../../src/transaction/index.ts";
import { TcpTransport, UdpTransport, sendResponse } from "../../src/transport/index.ts";
import type {
  ReceivedFrom,
  SipTransport,
  TransportEvent,
  TransportProtocol,
} from "../../src/transport/index.ts";
import { eventually, options, req, sleep, wire } from "./helpers.ts";

interface Got {
  readonly message: SipMessage;
  readonly from: ReceivedFrom;
}

function record(t: SipTransport): Got[] {
  const got: Got[] = [];
  t.onMessage((message, from) => void got.push({ message, from }));
  return got;
}

/** A UAS that answers INVITE with 200 and OPTIONS with 200 through sendResponse (RFC 3261 §18.2.2). */
function answering(t: SipTransport): Got[] {
  const got: Got[] = [];
  t.onMessage((message, from) => {
    got.push({ message, from });
    if (message.kind === "request" && message.method !== "ACK")
      sendResponse(t, buildResponse(message, 200, { toTag: "uas1" }), from);
  });
  return got;
}

function invite(transport: TransportProtocol, sentBy: string, host: string, port: number): SipRequest {
  return req(`INVITE sip:bob@${host.includes(":") ? `[${host}]` : host}:${port} SIP/2.0
Via: SIP/2.0/${transport.toUpperCase()} ${sentBy};rport;branch=z9hG4bKsock1
Max-Forwards: 70
From: <sip:alice@127.0.0.1>;tag=a1
To: <sip:bob@127.0.0.1>
Call-ID: sock-call-1
CSeq: 1 INVITE
Contact: <sip:alice@${sentBy}>
Content-Length: 0

`);
}

function ackFor(transport: TransportProtocol, sentBy: string): SipRequest {
  return req(`ACK sip:bob@127.0.0.1 SIP/2.0
Via: SIP/2.0/${transport.toUpperCase()} ${sentBy};branch=z9hG4bKsock2
Max-Forwards: 70
From: <sip:alice@127.0.0.1>;tag=a1
To: <sip:bob@127.0.0.1>;tag=uas1
Call-ID: sock-call-1
CSeq: 1 ACK
Content-Length: 0

`);
}

for (const [family, host, portA, portB] of [
  ["IPv4", "127.0.0.1", 18100, 18101],
  ["IPv6", "::1", 18102, 18103],
] as const) {
  test(`UDP over ${family}: INVITE / 200 / ACK between two transports; rport and received steer the 200 (RFC 3581 §4)`, async () => {
    const a = await UdpTransport.open({ host, port: portA });
    const b = await UdpTransport.open({ host, port: portB });
    try {
      const atA = record(a);
      const atB = answering(b);
      // a deliberately wrong sent-by: only received + rport can bring the response back
      a.send(invite("udp", "192.0.2.99:5999", host, portB), { host, port: portB, transport: "udp" });
      const ok = await eventually(() => atA.find((g) => g.message.kind === "response"));
      assert.equal(ok.message.kind === "response" && ok.message.status, 200);
      assert.equal(
        getHeaders(ok.message, "via")[0],
        `SIP/2.0/UDP 192.0.2.99:5999;rport=${portA};branch=z9hG4bKsock1;received=${host}`,
      );
      assert.deepEqual(
        { host: ok.from.host, port: ok.from.port, transport: ok.from.transport },
        { host, port: portB, transport: "udp" },
      );
      a.send(ackFor("udp", `${family === "IPv6" ? "[::1]" : host}:${portA}`), {
        host,
        port: portB,
        transport: "udp",
      });
      const ack = await eventually(() =>
        atB.find((g) => g.message.kind === "request" && g.message.method === "ACK"),
      );
      assert.equal(ack.from.port, portA);
      assert.equal(atB.length, 2);
    } finally {
      await a.close();
      await b.close();
    }
  });
}

test("UDP: a malformed request gets 400 with Warning 399; the transport keeps serving OPTIONS", async () => {
  const b = await UdpTransport.open({ port: 18104 });
  const a = await UdpTransport.open({ port: 18105 });
  const events: TransportEvent[] = [];
  b.onEvent((e) => void events.push(e));
  try {
    const atB = answering(b);
    const atA = record(a);
    const bad = Buffer.from(
      options("SIP/2.0/UDP 127.0.0.1:18105;branch=z9hG4bKbad", "bad-1")
        .toString()
        .replace("CSeq: 1 OPTIONS", "CSeq: 1 INVITE"),
    );
    a.send(bad, { host: "127.0.0.1", port: 18104, transport: "udp" });
    const r = await eventually(() => atA[0]);
    assert.ok(r.message.kind === "response");
    assert.equal(r.message.status, 400);
    assert.match(
      getHeader(r.message, "warning")!,
      /^399 127\.0\.0\.1:18104 ".*does not match request method.*"$/,
    );
    assert.equal(atB.length, 0, "the malformed request never reaches the core");
    assert.ok(events.some((e) => e.kind === "answered-malformed"));
    a.send(options("SIP/2.0/UDP 127.0.0.1:18105;branch=z9hG4bKgood", "good-1"), {
      host: "127.0.0.1",
      port: 18104,
      transport: "udp",
    });
    const good = await eventually(() =>
      atA.find((g) => g.message.kind === "response" && g.message.status === 200),
    );
    assert.equal(getHeader(good.message, "call-id"), "good-1");
  } finally {
    await a.close();
    await b.close();
  }
});

test("UDP: a handler that throws is reported, not fatal; sending to a host name is refused without DNS", async () => {
  const b = await UdpTransport.open({ port: 18106 });
  const events: TransportEvent[] = [];
  b.onEvent((e) => void events.push(e));
  let calls = 0;
  b.onMessage(() => {
    calls++;
    throw new Error("bug in the core");
  });
  try {
    b.send(options("SIP/2.0/UDP 127.0.0.1:18106;branch=z9hG4bK1"), {
      host: "127.0.0.1",
      port: 18106,
      transport: "udp",
    });
    b.send(options("SIP/2.0/UDP 127.0.0.1:18106;branch=z9hG4bK2"), {
      host: "127.0.0.1",
      port: 18106,
      transport: "udp",
    });
    await eventually(() => (calls === 2 ? true : undefined));
    assert.equal(events.filter((e) => e.kind === "handler-error").length, 2);
    b.send(options("SIP/2.0/UDP x;branch=z9hG4bK3"), {
      host: "sip.example.com",
      port: 5060,
      transport: "udp",
    });
    assert.ok(events.some((e) => e.kind === "send-error" && /sip\.example\.com/.test(e.reason)));
  } finally {
    await b.close();
  }
});

for (const [family, host, portA, portB] of [
  ["IPv4", "127.0.0.1", 18110, 18111],
  ["IPv6", "::1", 18116, 18117],
] as const)
  test(`TCP over ${family}: INVITE / 200 / ACK reuse one connection; the 200 returns on it (RFC 3261 §18.2.2)`, async () => {
    const a = await TcpTransport.open({ host, port: portA });
    const b = await TcpTransport.open({ host, port: portB });
    try {
      const atA = record(a);
      const atB = answering(b);
      const to = { host, port: portB, transport: "tcp" } as const;
      const sentBy = `${family === "IPv6" ? "[::1]" : host}:${portA}`;
      a.send(invite("tcp", sentBy, host, portB), to);
      const ok = await eventually(() => atA.find((g) => g.message.kind === "response"));
      assert.equal(ok.message.kind === "response" && ok.message.status, 200);
      assert.deepEqual({ host: ok.from.host, port: ok.from.port }, { host, port: portB });
      a.send(ackFor("tcp", sentBy), to);
      await eventually(() => atB.find((g) => g.message.kind === "request" && g.message.method === "ACK"));
      assert.equal(a.connectionCount, 1);
      assert.equal(b.connectionCount, 1);
      assert.notEqual(
        atB[0]!.from.port,
        18110,
        "B saw A's ephemeral port: the response went back on the connection",
      );
      assert.equal(atB[1]!.from.port, atB[0]!.from.port, "the ACK came on the same connection");
    } finally {
      await a.close();
      await b.close();
    }
  });

function rawClient(port: number): Promise<{ socket: Socket; data: () => string }> {
  return new Promise((resolve, reject) => {
    let text = "";
    const socket = connect({ host: "127.0.0.1", port }, () => resolve({ socket, data: () => text }));
    socket.on("data", (d) => (text += d.toString("latin1")));
    socket.on("error", reject);
  });
}

test("TCP framing: two messages in one write, then one message split across three writes", async () => {
  const b = await TcpTransport.open({ port: 18112 });
  try {
    const atB = answering(b);
    const c = await rawClient(18112);
    c.socket.write(
      Buffer.concat([
        options("SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKw1", "w-1"),
        options("SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKw2", "w-2"),
      ]),
    );
    await eventually(() => (atB.length === 2 ? true : undefined));
    const third = options("SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKw3", "w-3");
    c.socket.write(third.subarray(0, 10));
    await sleep(20);
    c.socket.write(third.subarray(10, third.length - 3));
    await sleep(20);
    assert.equal(atB.length, 2, "nothing delivered before the message is complete");
    c.socket.write(third.subarray(third.length - 3));
    await eventually(() => (atB.length === 3 ? true : undefined));
    assert.deepEqual(
      atB.map((g) => getHeader(g.message, "call-id")),
      ["w-1", "w-2", "w-3"],
    );
    await eventually(() => ((c.data().match(/SIP\/2\.0 200 OK/g) ?? []).length === 3 ? true : undefined));
    c.socket.destroy();
  } finally {
    await b.close();
  }
});

test("TCP: a malformed request gets 400 on its connection; garbage and a CRLFCRLF ping do not break the stream", async () => {
  const b = await TcpTransport.open({ port: 18113 });
  try {
    const atB = answering(b);
    const c = await rawClient(18113);
    c.socket.write("\r\n\r\n");
    await eventually(() => (c.data() === "\r\n" ? true : undefined));
    c.socket.write("\x00\x01\x02garbage line\r\n");
    c.socket.write(
      wire(
        "OPTIONS sip:x@127.0.0.1 SIP/2.0\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKm\nMax-Forwards: 70\nFrom: <sip:a@b>;tag=1\nTo: <sip:x@127.0.0.1>\nCall-ID: m-1\nCSeq: x OPTIONS\nContent-Length: 0\n\n",
      ),
    );
    c.socket.write(options("SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKok", "after-bad"));
    await eventually(() => (/SIP\/2\.0 200 OK/.test(c.data()) ? true : undefined));
    const text = c.data();
    assert.ok(text.startsWith("\r\n"), "the ping is answered with a CRLF pong (RFC 5626 §3.5.1)");
    const first = parseSip(Buffer.from(text.slice(2), "latin1"), "lenient"); // it echoes the bad CSeq
    assert.ok(first.ok && first.message.kind === "response" && first.message.status === 400);
    assert.match(getHeader(first.message, "warning") ?? "", /^399 /);
    assert.deepEqual(
      atB.map((g) => getHeader(g.message, "call-id")),
      ["after-bad"],
    );
    c.socket.destroy();
  } finally {
    await b.close();
  }
});

test("TCP limits: connections beyond maxConnections are closed; an idle connection is closed", async () => {
  const b = await TcpTransport.open({ port: 18114, maxConnections: 1, idleTimeoutMs: 150 });
  const events: TransportEvent[] = [];
  b.onEvent((e) => void events.push(e));
  try {
    answering(b);
    const c1 = await rawClient(18114);
    await eventually(() => (b.connectionCount === 1 ? true : undefined));
    const c2 = await rawClient(18114);
    await eventually(() => (c2.socket.destroyed || c2.socket.readableEnded ? true : undefined));
    assert.ok(events.some((e) => e.kind === "connection-refused"));
    await eventually(() => (b.connectionCount === 0 ? true : undefined), 2000);
    assert.ok(events.some((e) => e.kind === "connection-closed" && e.reason === "idle"));
    c1.socket.destroy();
    c2.socket.destroy();
  } finally {
    await b.close();
  }
});

test("TCP: an incomplete message beyond maxBufferBytes closes the connection", async () => {
  const b = await TcpTransport.open({ port: 18115, maxBufferBytes: 2048 });
  try {
    answering(b);
    const c = await rawClient(18115);
    c.socket.write(
      options("SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKbig")
        .toString()
        .replace("Content-Length: 0", "Content-Length: 100000"),
    );
    c.socket.write(Buffer.alloc(4096, 0x61));
    await eventually(() => (c.socket.readableEnded || c.socket.destroyed ? true : undefined));
    c.socket.destroy();
    await eventually(() => (b.connectionCount === 0 ? true : undefined));
  } finally {
    await b.close();
  }
});
