import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeader, getHeaders, parseSip } from "../../src/wire/sip/index.ts";
import { classifyInbound, StreamFramer, warningHeader } from "../../src/transport/index.ts";
import { options, wire } from "./helpers.ts";

const source = { host: "127.0.0.1", port: 40000 };
const opts = { warnAgent: "127.0.0.1:5060", newTag: () => "t400" };

test("a well-formed request is delivered with its top Via stamped (RFC 3261 §18.2.1)", () => {
  const d = classifyInbound(options("SIP/2.0/UDP 10.0.0.1:5060;rport;branch=z9hG4bK1"), source, opts);
  assert.equal(d.kind, "deliver");
  assert.equal(
    getHeaders(d.kind === "deliver" ? d.message : (null as never), "via")[0],
    "SIP/2.0/UDP 10.0.0.1:5060;rport=40000;branch=z9hG4bK1;received=127.0.0.1",
  );
});

test("RFC 3261 §8.2 / RFC 4475 §3.1.2.2: a request whose Content-Length overruns the datagram gets 400 with a Warning 399 saying why", () => {
  const bytes = wire(`INVITE sip:ua@127.0.0.1 SIP/2.0
Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKx
Max-Forwards: 70
From: <sip:a@127.0.0.1>;tag=a
To: <sip:ua@127.0.0.1>
Call-ID: cl-1
CSeq: 5 INVITE
Content-Length: 500

v=0
`);
  const d = classifyInbound(bytes, source, opts);
  assert.equal(d.kind, "reply");
  if (d.kind !== "reply") return;
  const r = d.response;
  assert.equal(r.status, 400);
  assert.equal(
    getHeader(r, "warning"),
    '399 127.0.0.1:5060 "Content-Length 500 but only 5 body bytes available"',
  );
  assert.equal(getHeader(r, "call-id"), "cl-1");
  assert.equal(getHeader(r, "cseq"), "5 INVITE");
  assert.equal(getHeader(r, "to"), "<sip:ua@127.0.0.1>;tag=t400");
  assert.equal(getHeaders(r, "via")[0], "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKx;received=127.0.0.1");
});

test("RFC 3261 §21.5.6 / RFC 4475 §3.1.2.16: an unsupported SIP-Version gets 505", () => {
  const bytes = Buffer.from(
    options("SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1").toString().replace("SIP/2.0\r\n", "SIP/7.0\r\n"),
  );
  const d = classifyInbound(bytes, source, opts);
  assert.equal(d.kind === "reply" && d.response.status, 505);
});

test("RFC 4475 §3.3.1: a request missing To, From and Call-ID gets 400 naming them", () => {
  const bytes = wire(`OPTIONS sip:ua@127.0.0.1 SIP/2.0
Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1
Max-Forwards: 70
CSeq: 1 OPTIONS
Content-Length: 0

`);
  const d = classifyInbound(bytes, source, opts);
  assert.equal(d.kind, "reply");
  assert.match(d.kind === "reply" ? getHeader(d.response, "warning")! : "", /to, from, call-id/);
});

test("RFC 4475 §3.4.1: an RFC 2543 request without Max-Forwards is delivered", () => {
  const bytes = Buffer.from(
    options("SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1").toString().replace("Max-Forwards: 70\r\n", ""),
  );
  assert.equal(classifyInbound(bytes, source, opts).kind, "deliver");
});

const DROPS: readonly [string, Buffer][] = [
  [
    "a malformed response (RFC 3261 §18.1.2: discarded)",
    wire("SIP/2.0 200 OK\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\nCSeq: 99999999999999999999 OPTIONS\n\n"),
  ],
  [
    "a malformed ACK (never answered)",
    wire("ACK sip:a@b SIP/2.0\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\nCSeq: 1 INVITE\n\n"),
  ],
  ["a malformed request without a readable Via", wire("OPTIONS <sip:x> SIP/2.0\nCall-ID: x\n\n")],
  ["random binary", Buffer.from([0x80, 0x00, 0xff, 0x13, 0x37, 0x00, 0x0a, 0x0d])],
  ["CRLF keepalives", Buffer.from("\r\n\r\n")],
  ["empty datagram", Buffer.alloc(0)],
];
for (const [what, bytes] of DROPS) {
  test(`dropped, not answered: ${what}`, () => {
    assert.equal(classifyInbound(bytes, source, opts).kind, "drop");
  });
}

test("the Warning text is a valid quoted-string whatever the problem text holds", () => {
  const h = warningHeader("h:1", 'a "quoted" \\ back\r\nslash');
  assert.equal(h.value, '399 h:1 "a \\"quoted\\" \\\\ back  slash"');
  const longText = warningHeader("h:1", "x".repeat(1000));
  assert.ok(longText.value.length < 260);
});

const one = options("SIP/2.0/TCP 10.0.0.1;branch=z9hG4bK1", "f-1");
const withBody = wire(`MESSAGE sip:ua@127.0.0.1 SIP/2.0
Via: SIP/2.0/TCP 10.0.0.1;branch=z9hG4bK2
Max-Forwards: 70
From: <sip:a@127.0.0.1>;tag=a
To: <sip:ua@127.0.0.1>
Call-ID: f-2
CSeq: 1 MESSAGE
Content-Type: text/plain
Content-Length: *

hello
world`);

test("RFC 3261 §18.3: two messages in one TCP segment are framed by Content-Length", () => {
  const f = new StreamFramer(64 * 1024);
  const out = f.push(Buffer.concat([one, withBody]));
  assert.deepEqual(
    out.map((o) => o.kind),
    ["message", "message"],
  );
  const second = out[1]!.kind === "message" ? out[1]!.bytes : Buffer.alloc(0);
  const parsed = parseSip(second, "strict");
  assert.ok(parsed.ok && parsed.message.body.toString() === "hello\r\nworld");
  assert.equal(f.buffered, 0);
});

test("RFC 3261 §18.3: a message split at every possible byte is framed once, whole", () => {
  const stream = Buffer.concat([one, withBody]);
  for (let cut = 1; cut < stream.length; cut++) {
    const f = new StreamFramer(64 * 1024);
    const out = [...f.push(stream.subarray(0, cut)), ...f.push(stream.subarray(cut))];
    const msgs = out.filter((o) => o.kind === "message");
    assert.equal(msgs.length, 2, `cut at ${cut}`);
    assert.ok(msgs[0]!.kind === "message" && msgs[0]!.bytes.equals(one));
    assert.ok(msgs[1]!.kind === "message" && msgs[1]!.bytes.equals(withBody));
  }
});

test("RFC 5626 §3.5.1: a CRLFCRLF ping between messages is reported as a ping, a lone CRLF is not", () => {
  const f = new StreamFramer(64 * 1024);
  const out = f.push(Buffer.concat([Buffer.from("\r\n\r\n"), one, Buffer.from("\r\n")]));
  assert.deepEqual(
    out.map((o) => (o.kind === "skip" ? `skip:${o.ping}` : o.kind)),
    ["skip:true", "message", "skip:false"],
  );
});

test("a stream that never completes a message past the buffer limit overflows (the connection is then closed)", () => {
  const f = new StreamFramer(1024);
  const head = Buffer.from(one.toString().replace("Content-Length: 0", "Content-Length: 100000"));
  const out = [...f.push(head), ...f.push(Buffer.alloc(2000, 0x61))];
  assert.equal(out.at(-1)?.kind, "overflow");
  assert.equal(f.buffered, 0);
});
