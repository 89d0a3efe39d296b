import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  getHeader,
  getHeaders,
  parseContentType,
  parseCSeq,
  parseNameAddr,
  parseVia,
} from "../../../src/wire/sip/headers.ts";
import { canonicalHeaderName, COMPACT_HEADER_NAMES } from "../../../src/wire/sip/header-names.ts";
import { defaultReason, SIP_STATUS_REASONS } from "../../../src/wire/sip/status-codes.ts";
import type { SipHeader, SipMessage } from "../../../src/wire/sip/types.ts";

function msgWith(rows: [string, string][]): SipMessage {
  const headers: SipHeader[] = rows.map(([raw, value]) => ({ name: canonicalHeaderName(raw), raw, value }));
  return {
    kind: "request",
    method: "INVITE",
    uri: "sip:a@h",
    version: "SIP/2.0",
    headers,
    body: Buffer.alloc(0),
  };
}

describe("header names (RFC 3261 §7.3.3 and extensions)", () => {
  const table: [string, string][] = [
    ["i", "call-id"],
    ["M", "contact"],
    ["e", "content-encoding"],
    ["l", "content-length"],
    ["c", "content-type"],
    ["f", "from"],
    ["s", "subject"],
    ["k", "supported"],
    ["t", "to"],
    ["V", "via"],
    ["o", "event"],
    ["u", "allow-events"],
    ["r", "refer-to"],
    ["b", "referred-by"],
    ["x", "session-expires"],
    ["a", "accept-contact"],
    ["j", "reject-contact"],
    ["d", "request-disposition"],
    ["y", "identity"],
    ["n", "identity-info"],
    ["CALL-ID", "call-id"],
    ["X-Cisco-Foo", "x-cisco-foo"],
  ];
  for (const [raw, long] of table)
    it(`${raw} -> ${long}`, () => assert.equal(canonicalHeaderName(raw), long));
  it("the table is frozen and has the 20 compact forms", () => {
    assert.ok(Object.isFrozen(COMPACT_HEADER_NAMES));
    assert.equal(Object.keys(COMPACT_HEADER_NAMES).length, 20);
  });
  it("does not treat inherited object keys as compact forms", () => {
    assert.equal(canonicalHeaderName("constructor"), "constructor");
    assert.equal(canonicalHeaderName("__proto__"), "__proto__");
  });
});

describe("status codes (RFC 3261 §21 and extensions)", () => {
  const table: [number, string][] = [
    [100, "Trying"],
    [183, "Session Progress"],
    [202, "Accepted"],
    [422, "Session Interval Too Small"],
    [481, "Call/Transaction Does Not Exist"],
    [489, "Bad Event"],
    [491, "Request Pending"],
    [505, "Version Not Supported"],
    [603, "Decline"],
  ];
  for (const [code, reason] of table)
    it(`${code} ${reason}`, () => assert.equal(SIP_STATUS_REASONS[code], reason));
  it("an unknown code in a class falls back to the x00 phrase (RFC 3261 §8.1.3.2)", () => {
    assert.equal(defaultReason(499), "Bad Request");
    assert.equal(defaultReason(299), "OK");
  });
  it("is frozen", () => assert.ok(Object.isFrozen(SIP_STATUS_REASONS)));
});

describe("getHeader / getHeaders", () => {
  const m = msgWith([
    ["v", "SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com:5061;branch=z9hG4bK2"],
    ["Via", "SIP/2.0/UDP c.example.com;branch=z9hG4bK3"],
    ["Contact", '"Doe, John" <sip:j@h;x=1,2>;q=0.5, <sip:k@h>'],
    ["WWW-Authenticate", 'Digest realm="r", nonce="n", qop="auth"'],
    ["Authorization", 'Digest username="u", realm="r"'],
    ["Date", "Sat, 13 Nov 2010 23:29:00 GMT"],
    ["Allow", "INVITE, ACK,CANCEL , ,BYE"],
    ["Warning", '399 h "a, b", 307 h "c"'],
    ["i", "abc@h"],
    ["Subject", "a, b"],
  ]);
  it("getHeader finds the first value by any name form", () => {
    assert.equal(getHeader(m, "Call-ID"), "abc@h");
    assert.equal(getHeader(m, "I"), "abc@h");
    assert.equal(
      getHeader(m, "via"),
      "SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com:5061;branch=z9hG4bK2",
    );
    assert.equal(getHeader(m, "Max-Forwards"), undefined);
  });
  it("splits Via rows into elements, across rows", () => {
    assert.deepEqual(getHeaders(m, "v"), [
      "SIP/2.0/UDP a.example.com;branch=z9hG4bK1",
      "SIP/2.0/TCP b.example.com:5061;branch=z9hG4bK2",
      "SIP/2.0/UDP c.example.com;branch=z9hG4bK3",
    ]);
  });
  it("does not split Contact inside quotes or <...>", () => {
    assert.deepEqual(getHeaders(m, "m"), ['"Doe, John" <sip:j@h;x=1,2>;q=0.5', "<sip:k@h>"]);
  });
  it("never splits WWW-Authenticate, Authorization, Date; splits Allow and Warning, dropping empties", () => {
    assert.deepEqual(getHeaders(m, "www-authenticate"), ['Digest realm="r", nonce="n", qop="auth"']);
    assert.deepEqual(getHeaders(m, "authorization"), ['Digest username="u", realm="r"']);
    assert.deepEqual(getHeaders(m, "date"), ["Sat, 13 Nov 2010 23:29:00 GMT"]);
    assert.deepEqual(getHeaders(m, "allow"), ["INVITE", "ACK", "CANCEL", "BYE"]);
    assert.deepEqual(getHeaders(m, "warning"), ['399 h "a, b"', '307 h "c"']);
    assert.deepEqual(getHeaders(m, "subject"), ["a, b"]);
    assert.deepEqual(getHeaders(m, "route"), []);
  });
});

describe("parseVia (RFC 3261 §20.42, RFC 3581)", () => {
  it("reads transport, host, port, branch, received, rport", () => {
    assert.deepEqual(
      parseVia("SIP/2.0/udp pc33.example.com:5066;branch=z9hG4bK776;received=192.0.2.1;rport=5067"),
      {
        protocol: "SIP/2.0",
        transport: "UDP",
        host: "pc33.example.com",
        port: 5066,
        branch: "z9hG4bK776",
        received: "192.0.2.1",
        rport: 5067,
        params: { branch: "z9hG4bK776", received: "192.0.2.1", rport: "5067" },
      },
    );
  });
  it("rport without a value is true; absent is null", () => {
    assert.equal(parseVia("SIP/2.0/UDP h;rport;branch=z9hG4bK1")!.rport, true);
    assert.equal(parseVia("SIP/2.0/UDP h;branch=z9hG4bK1")!.rport, null);
  });
  it("tolerates LWS around / and : (SLASH, COLON = SWS x SWS)", () => {
    const v = parseVia("SIP / 2.0 / TLS   h.example.com : 5061 ; branch = z9hG4bKx")!;
    assert.deepEqual([v.transport, v.host, v.port, v.branch], ["TLS", "h.example.com", 5061, "z9hG4bKx"]);
  });
  it("reads IPv6 references with and without a port", () => {
    const a = parseVia("SIP/2.0/TCP [2001:db8::9:1]:5070;branch=z9hG4bKa;received=2001:db8::9:255")!;
    assert.deepEqual([a.host, a.port, a.received], ["[2001:db8::9:1]", 5070, "2001:db8::9:255"]);
    assert.equal(parseVia("SIP/2.0/TCP [2001:db8::1]")!.port, null);
  });
  it("returns null for what is not a via-parm", () => {
    assert.equal(parseVia("garbage"), null);
    assert.equal(parseVia("SIP/2.0/UDP"), null);
    assert.equal(parseVia("SIP/2.0/UDP h:99999"), null);
  });
});

describe("parseNameAddr (RFC 3261 §20.10, §20.20, §20.39)", () => {
  it("name-addr with a quoted display name and tag", () => {
    assert.deepEqual(parseNameAddr('"A. G. Bell" <sip:agb@bell-telephone.com> ;tag=a48s'), {
      displayName: "A. G. Bell",
      uri: "sip:agb@bell-telephone.com",
      tag: "a48s",
      params: { tag: "a48s" },
      bracketed: true,
    });
  });
  it("token display name without LWS before < (RFC 4475 §3.1.1.6)", () => {
    const a = parseNameAddr("caller<sip:caller@example.com>;tag=323")!;
    assert.deepEqual([a.displayName, a.uri, a.tag], ["caller", "sip:caller@example.com", "323"]);
  });
  it("URI parameters inside <> stay in the URI", () => {
    const a = parseNameAddr("<sip:alice@h;transport=tcp>;expires=60")!;
    assert.equal(a.uri, "sip:alice@h;transport=tcp");
    assert.deepEqual(a.params, { expires: "60" });
  });
  it("addr-spec without <>: parameters belong to the header", () => {
    const a = parseNameAddr("sip:+12125551212@server.phone2net.com;tag=887s")!;
    assert.deepEqual(
      [a.displayName, a.uri, a.tag, a.bracketed],
      [null, "sip:+12125551212@server.phone2net.com", "887s", false],
    );
  });
  it("quoted parameter values are unquoted; '<' inside them does not start a name-addr", () => {
    const a = parseNameAddr('sip:a@h;+sip.instance="<urn:uuid:1>";reg-id=1')!;
    assert.equal(a.uri, "sip:a@h");
    assert.deepEqual(a.params, { "+sip.instance": "<urn:uuid:1>", "reg-id": "1" });
  });
  it("Contact: * and unreadable values", () => {
    assert.equal(parseNameAddr("*")!.uri, "*");
    assert.equal(parseNameAddr('"unbalanced <sip:a@h>'), null);
    assert.equal(parseNameAddr("Bob <sip:b@h"), null);
    assert.equal(parseNameAddr(""), null);
  });
  it("a __proto__ parameter stays an own property", () => {
    const a = parseNameAddr("<sip:a@h>;__proto__=x")!;
    assert.equal(Object.getPrototypeOf(a.params), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(a.params, "__proto__")?.value, "x");
  });
});

describe("parseCSeq (RFC 3261 §20.16)", () => {
  it("reads number and method", () => {
    assert.deepEqual(parseCSeq("4711 INVITE"), { seq: 4711, method: "INVITE" });
    assert.deepEqual(parseCSeq("0009   ACK"), { seq: 9, method: "ACK" });
    assert.deepEqual(parseCSeq("4294967295 BYE"), { seq: 4294967295, method: "BYE" });
  });
  it("rejects malformed or oversized values", () => {
    for (const v of ["INVITE", "12", "-1 INVITE", "1 IN VITE", "4294967296 BYE", "1 INV:ITE"]) {
      assert.equal(parseCSeq(v), null, v);
    }
  });
});

describe("parseContentType (RFC 3261 §20.15)", () => {
  it("lower-cases type/subtype, keeps the boundary as written", () => {
    assert.deepEqual(parseContentType('Multipart/Mixed; Boundary="Unique-Boundary-1";charset=UTF-8'), {
      type: "multipart",
      subtype: "mixed",
      params: { boundary: "Unique-Boundary-1", charset: "UTF-8" },
    });
    assert.deepEqual(parseContentType("application/sdp"), {
      type: "application",
      subtype: "sdp",
      params: {},
    });
  });
  it("returns null without a slash", () => assert.equal(parseContentType("sdp"), null));
});
