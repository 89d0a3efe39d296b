import { test } from "node:test";
import assert from "node:assert/strict";
import { getHeaders } from "../../src/wire/sip/index.ts";
import {
  normalizeIp,
  sameIp,
  hostForUri,
  stampVia,
  routeResponse,
  sendResponse,
  targetOfUri,
} from "../../src/transport/index.ts";
import type { SipTransport, TransportAddress } from "../../src/transport/index.ts";
import { req, res } from "./helpers.ts";

function request(via: string) {
  return req(`OPTIONS sip:b@127.0.0.1 SIP/2.0
Via: ${via}
Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp
Max-Forwards: 70
From: <sip:a@example.com>;tag=1
To: <sip:b@example.com>
Call-ID: c1
CSeq: 1 OPTIONS
Content-Length: 0

`);
}

test("address normalisation: IPv4-mapped IPv6 equals IPv4, IPv6 spellings compare equal, brackets for URIs", () => {
  assert.equal(normalizeIp("::ffff:127.0.0.1"), "127.0.0.1");
  assert.equal(normalizeIp("[2001:DB8:0:0:0:0:0:1]"), "2001:db8::1");
  assert.equal(normalizeIp("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");
  assert.equal(normalizeIp("0:0:0:0:0:0:0:1"), "::1");
  assert.ok(sameIp("[::1]", "0::1"));
  assert.ok(!sameIp("127.0.0.1", "127.0.0.2"));
  assert.equal(hostForUri("::1"), "[::1]");
  assert.equal(hostForUri("10.0.0.1"), "10.0.0.1");
});

// RFC 3261 §18.2.1 and RFC 3581 §4 as a table: top Via as sent, packet source, top Via after.
const STAMP_TABLE: readonly [string, string, number, string][] = [
  // sent-by equals the source: untouched
  [
    "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1",
    "127.0.0.1",
    5060,
    "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1",
  ],
  // "contains an IP address that differs from the packet source address": received added
  [
    "SIP/2.0/UDP 10.1.1.1:4540;branch=z9hG4bK1",
    "192.0.2.1",
    4540,
    "SIP/2.0/UDP 10.1.1.1:4540;branch=z9hG4bK1;received=192.0.2.1",
  ],
  // "contains a domain name": received added even when it would resolve to the source
  [
    "SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK1",
    "127.0.0.1",
    5060,
    "SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK1;received=127.0.0.1",
  ],
  // RFC 3581 §4 example: rport filled with the source port, received added
  [
    "SIP/2.0/UDP 10.1.1.1:4540;rport;branch=z9hG4bKkjshdyff",
    "192.0.2.1",
    9988,
    "SIP/2.0/UDP 10.1.1.1:4540;rport=9988;branch=z9hG4bKkjshdyff;received=192.0.2.1",
  ],
  // rport: "received ... even if it is identical to the value of the sent-by component"
  [
    "SIP/2.0/UDP 127.0.0.1:5060;rport;branch=z9hG4bK1",
    "127.0.0.1",
    5060,
    "SIP/2.0/UDP 127.0.0.1:5060;rport=5060;branch=z9hG4bK1;received=127.0.0.1",
  ],
  // a stale received from the sender is replaced, not duplicated
  [
    "SIP/2.0/UDP 10.0.0.9;received=1.2.3.4;branch=z9hG4bK1",
    "127.0.0.1",
    5060,
    "SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK1;received=127.0.0.1",
  ],
  // IPv6 sent-by written differently from the source: same address, untouched
  [
    "SIP/2.0/TCP [2001:db8::0:1]:5060;branch=z9hG4bK1",
    "2001:db8::1",
    33000,
    "SIP/2.0/TCP [2001:db8::0:1]:5060;branch=z9hG4bK1",
  ],
  // IPv6 received is written without brackets (RFC 3261 §25.1 via-received)
  [
    "SIP/2.0/UDP [2001:db8::5];branch=z9hG4bK1",
    "2001:db8::1",
    5060,
    "SIP/2.0/UDP [2001:db8::5];branch=z9hG4bK1;received=2001:db8::1",
  ],
  // an IPv4-mapped source (dual-stack socket) counts as IPv4
  [
    "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1",
    "::ffff:127.0.0.1",
    5070,
    "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1",
  ],
];

for (const [sent, host, port, expected] of STAMP_TABLE) {
  test(`RFC 3261 §18.2.1 / RFC 3581 §4: "${sent}" from ${host}:${port}`, () => {
    const stamped = stampVia(request(sent), { host, port });
    const vias = getHeaders(stamped, "via");
    assert.equal(vias[0], expected);
    assert.equal(vias[1], "SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp", "only the top Via is touched");
  });
}

test("RFC 3261 §18.2.1: only the first via-parm of a comma-joined Via row is stamped", () => {
  const r = request("SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKa, SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKb");
  const vias = getHeaders(stampVia(r, { host: "127.0.0.1", port: 5060 }), "via");
  assert.deepEqual(vias.slice(0, 2), [
    "SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKa;received=127.0.0.1",
    "SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKb",
  ]);
});

function response(via: string) {
  return res(`SIP/2.0 200 OK
Via: ${via}
From: <sip:a@example.com>;tag=1
To: <sip:b@example.com>;tag=2
Call-ID: c1
CSeq: 1 OPTIONS
Content-Length: 0

`);
}

const tcpSource: TransportAddress = { host: "192.0.2.7", port: 40123, transport: "tcp" };
// RFC 3261 §18.2.2 and RFC 3581 §4 as a table: top Via of the response -> where it goes.
const ROUTE_TABLE: readonly [
  string,
  TransportAddress | null,
  TransportAddress | null,
  TransportAddress | null,
][] = [
  [
    "SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1",
    null,
    { host: "192.0.2.1", port: 5070, transport: "udp" },
    null,
  ],
  [
    "SIP/2.0/UDP 10.1.1.1;branch=z9hG4bK1;received=192.0.2.1",
    null,
    { host: "192.0.2.1", port: 5060, transport: "udp" },
    null,
  ],
  [
    "SIP/2.0/UDP 10.1.1.1:4540;rport=9988;branch=z9hG4bK1;received=192.0.2.1",
    null,
    { host: "192.0.2.1", port: 9988, transport: "udp" },
    null,
  ],
  // a filled rport without received is not receiver-tagged: sent-by applies
  [
    "SIP/2.0/UDP 192.0.2.3:5080;rport=1234;branch=z9hG4bK1",
    null,
    { host: "192.0.2.3", port: 5080, transport: "udp" },
    null,
  ],
  [
    "SIP/2.0/TCP 10.1.1.1:5062;branch=z9hG4bK1;received=192.0.2.7",
    tcpSource,
    tcpSource,
    { host: "192.0.2.7", port: 5062, transport: "tcp" },
  ],
  [
    "SIP/2.0/UDP [2001:db8::9]:5070;branch=z9hG4bK1",
    null,
    { host: "2001:db8::9", port: 5070, transport: "udp" },
    null,
  ],
];

for (const [via, source, primary, fallback] of ROUTE_TABLE) {
  test(`RFC 3261 §18.2.2: a response with top Via "${via}" goes to ${primary?.host}:${primary?.port}`, () => {
    assert.deepEqual(routeResponse(response(via), source), { primary, fallback });
  });
}

test("RFC 3261 §18.2.2: no route for a transport we do not serve", () => {
  assert.equal(routeResponse(response("SIP/2.0/TLS 192.0.2.1;branch=z9hG4bK1"), null), null);
});

test("RFC 3261 §18.2.2: over TCP the response uses the open connection, else connects to received:sent-by port", () => {
  const sent: TransportAddress[] = [];
  let open = true;
  const t: SipTransport = {
    protocols: ["tcp"],
    local: { host: "127.0.0.1", port: 5060 },
    send: (_m, to) => void sent.push(to),
    onMessage: () => undefined,
    onEvent: () => undefined,
    hasConnection: () => open,
    close: async () => undefined,
  };
  const r = response("SIP/2.0/TCP 10.1.1.1:5062;branch=z9hG4bK1;received=192.0.2.7");
  const source = { ...tcpSource, local: { host: "127.0.0.1", port: 5060 } };
  assert.ok(sendResponse(t, r, source));
  open = false;
  assert.ok(sendResponse(t, r, source));
  assert.deepEqual(sent, [tcpSource, { host: "192.0.2.7", port: 5062, transport: "tcp" }]);
});

test("RFC 3263 §4 subset: URI targets are IP literals with the transport parameter; names are refused (no DNS)", () => {
  assert.deepEqual(targetOfUri("sip:bob@127.0.0.1:5070;transport=tcp"), {
    ok: true,
    address: { host: "127.0.0.1", port: 5070, transport: "tcp" },
  });
  assert.deepEqual(targetOfUri("<sip:[::1];lr>"), {
    ok: true,
    address: { host: "::1", port: 5060, transport: "udp" },
  });
  assert.equal(targetOfUri("sip:bob@biloxi.example.com").ok, false);
  assert.equal(targetOfUri("sips:bob@127.0.0.1").ok, false);
  assert.equal(targetOfUri("sip:bob@127.0.0.1;transport=sctp").ok, false);
});
