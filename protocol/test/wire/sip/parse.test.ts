import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseSip } from "../../../src/wire/sip/parse.ts";
import type { SipMessage, SipParseError, SipParseResult } from "../../../src/wire/sip/types.ts";

const crlf = (...lines: string[]): Buffer => Buffer.from(lines.join("\r\n"), "utf8");

function ok(r: SipParseResult): {
  message: SipMessage;
  consumed: number;
  warnings: readonly SipParseError[];
} {
  if (!r.ok) assert.fail(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r;
}
function errCode(r: SipParseResult): string {
  if (r.ok) assert.fail("expected an error");
  return r.error.code;
}

const INVITE = crlf(
  "INVITE sip:bob@biloxi.example.com SIP/2.0",
  "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds",
  "Max-Forwards: 70",
  "To: Bob <sip:bob@biloxi.example.com>",
  "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774",
  "Call-ID: a84b4c76e66710@pc33.atlanta.example.com",
  "CSeq: 314159 INVITE",
  "Contact: <sip:alice@pc33.atlanta.example.com>",
  "Content-Type: application/sdp",
  "Content-Length: 4",
  "",
  "v=0\n",
);

describe("parseSip: requests and responses (RFC 3261 §7.1, §7.2)", () => {
  it("parses a Request-Line, headers in order and a Content-Length body", () => {
    const r = ok(parseSip(INVITE, "strict"));
    const m = r.message;
    assert.equal(m.kind, "request");
    if (m.kind !== "request") return;
    assert.equal(m.method, "INVITE");
    assert.equal(m.uri, "sip:bob@biloxi.example.com");
    assert.equal(m.version, "SIP/2.0");
    assert.deepEqual(
      m.headers.map((h) => h.name),
      ["via", "max-forwards", "to", "from", "call-id", "cseq", "contact", "content-type", "content-length"],
    );
    assert.equal(m.headers[4]!.value, "a84b4c76e66710@pc33.atlanta.example.com");
    assert.equal(m.body.toString(), "v=0\n");
    assert.equal(r.consumed, INVITE.length);
    assert.deepEqual(r.warnings, []);
  });

  it("parses a Status-Line with a multi-word reason", () => {
    const buf = crlf(
      "SIP/2.0 180 Ringing Now",
      "Via: SIP/2.0/UDP h;branch=z9hG4bK1",
      "To: <sip:b@h>;tag=2",
      "From: <sip:a@h>;tag=1",
      "Call-ID: x",
      "CSeq: 1 INVITE",
      "Content-Length: 0",
      "",
      "",
    );
    const m = ok(parseSip(buf, "strict")).message;
    assert.deepEqual(
      [m.kind, m.kind === "response" && m.status, m.kind === "response" && m.reason],
      ["response", 180, "Ringing Now"],
    );
  });

  it("accepts the version in any case (RFC 3261 §7.1) and keeps it as written", () => {
    const buf = crlf("OPTIONS sip:a@h sip/2.0", "Via: SIP/2.0/UDP h", "l: 0", "", "");
    const m = ok(parseSip(buf, "strict")).message;
    assert.equal(m.version, "sip/2.0");
  });

  it("expands compact forms (RFC 3261 §7.3.3) and keeps the raw name", () => {
    const buf = crlf(
      "MESSAGE sip:a@h SIP/2.0",
      "v: SIP/2.0/UDP h",
      "i: cid",
      "f: <sip:a@h>;tag=1",
      "t: <sip:b@h>",
      "l: 2",
      "c: text/plain",
      "k: timer",
      "o: dialog",
      "",
      "hi",
    );
    const m = ok(parseSip(buf, "strict")).message;
    assert.deepEqual(
      m.headers.map((h) => [h.name, h.raw]),
      [
        ["via", "v"],
        ["call-id", "i"],
        ["from", "f"],
        ["to", "t"],
        ["content-length", "l"],
        ["content-type", "c"],
        ["supported", "k"],
        ["event", "o"],
      ],
    );
    assert.equal(m.body.toString(), "hi");
  });

  it("unfolds continuation lines into one SP (RFC 3261 §7.3.1)", () => {
    const buf = crlf(
      "OPTIONS sip:a@h SIP/2.0",
      "Subject: I know you're there,",
      "   pick up the phone   ",
      "\tand talk to me!",
      "To:",
      " <sip:b@h>",
      "",
      "",
    );
    const m = ok(parseSip(buf, "lenient")).message;
    assert.equal(m.headers[0]!.value, "I know you're there, pick up the phone and talk to me!");
    assert.equal(m.headers[1]!.value, "<sip:b@h>");
  });

  it("allows whitespace before the colon and none after it (HCOLON)", () => {
    const buf = crlf("OPTIONS sip:a@h SIP/2.0", "Call-ID \t:x@y", "", "");
    const h = ok(parseSip(buf, "lenient")).message.headers[0]!;
    assert.deepEqual(h, { name: "call-id", raw: "Call-ID", value: "x@y" });
  });

  it("tolerates bare LF line endings", () => {
    const buf = Buffer.from("OPTIONS sip:a@h SIP/2.0\nVia: SIP/2.0/UDP h\nContent-Length: 3\n\nabc");
    const r = ok(parseSip(buf, "lenient"));
    assert.equal(r.message.body.toString(), "abc");
    assert.equal(r.consumed, buf.length);
  });

  it("keeps a UTF-8 reason phrase and an empty one (RFC 4475 §3.1.1.12/13)", () => {
    const utf = ok(parseSip(crlf("SIP/2.0 200 Très bien", "l: 0", "", ""), "lenient")).message;
    assert.equal(utf.kind === "response" && utf.reason, "Très bien");
    const empty = ok(parseSip(crlf("SIP/2.0 100 ", "l: 0", "", ""), "lenient")).message;
    assert.equal(empty.kind === "response" && empty.reason, "");
  });
});

describe("parseSip: framing (RFC 3261 §18.3)", () => {
  it("stops at Content-Length: extra bytes after the body are not consumed", () => {
    const buf = Buffer.concat([INVITE, Buffer.from("GARBAGE")]);
    const r = ok(parseSip(buf, "strict"));
    assert.equal(r.consumed, INVITE.length);
    assert.equal(r.message.body.toString(), "v=0\n");
  });

  it("takes the rest of the datagram as the body when Content-Length is absent", () => {
    const buf = crlf("MESSAGE sip:a@h SIP/2.0", "Content-Type: text/plain", "", "hello\r\nworld");
    const r = ok(parseSip(buf, "lenient"));
    assert.equal(r.message.body.toString(), "hello\r\nworld");
    assert.equal(r.consumed, buf.length);
  });

  it("skips leading CRLF keepalives (RFC 5626, RFC 3261 §7.5) and counts them in consumed", () => {
    const buf = Buffer.concat([Buffer.from("\r\n\r\n"), INVITE]);
    const r = ok(parseSip(buf, "strict"));
    assert.equal(r.consumed, buf.length);
    assert.equal(r.message.kind, "request");
  });

  it("Content-Length beyond the available bytes: strict rejects, lenient keeps what is there", () => {
    const buf = crlf("MESSAGE sip:a@h SIP/2.0", "Content-Length: 50", "", "short");
    assert.equal(errCode(parseSip(buf, "strict")), "content-length-mismatch");
    const r = ok(parseSip(buf, "lenient"));
    assert.equal(r.message.body.toString(), "short");
    assert.ok(r.warnings.some((w) => w.code === "content-length-mismatch"));
  });

  it("a body containing NUL and bare CR is kept byte for byte", () => {
    const body = Buffer.from([0x00, 0x0d, 0x41, 0x0a, 0xff]);
    const buf = Buffer.concat([crlf("MESSAGE sip:a@h SIP/2.0", "Content-Length: 5", "", ""), body]);
    assert.deepEqual(ok(parseSip(buf, "lenient")).message.body, body);
  });

  it("a header section without its empty line: strict truncated, lenient warns", () => {
    const buf = crlf("OPTIONS sip:a@h SIP/2.0", "Via: SIP/2.0/UDP h", "Call-ID: abc");
    assert.equal(errCode(parseSip(buf, "strict")), "truncated");
    const r = ok(parseSip(buf, "lenient"));
    assert.equal(r.message.headers.length, 2);
    assert.ok(r.warnings.some((w) => w.code === "truncated"));
  });
});

const REQ_HEADERS = [
  "Via: SIP/2.0/UDP h;branch=z9hG4bK1",
  "Max-Forwards: 70",
  "To: <sip:b@h>",
  "From: <sip:a@h>;tag=1",
  "Call-ID: c@h",
  "CSeq: 1 OPTIONS",
];
const withHeader = (extra: string, replace?: string): Buffer =>
  crlf(
    "OPTIONS sip:b@h SIP/2.0",
    ...REQ_HEADERS.filter((h) => replace === undefined || !h.startsWith(replace)),
    extra,
    "Content-Length: 0",
    "",
    "",
  );

describe("parseSip strict mode: rejections", () => {
  const cases: [string, Buffer, string][] = [
    ["empty input", Buffer.alloc(0), "empty"],
    ["only CRLFs", Buffer.from("\r\n\r\n"), "empty"],
    ["HTTP request", crlf("GET / HTTP/1.1", "Host: x", "", ""), "not-sip"],
    ["binary junk", Buffer.from([0x80, 0x00, 0x12, 0x34, 0x0a, 0x0a]), "not-sip"],
    ["SIP/3.0 request", crlf("OPTIONS sip:b@h SIP/3.0", ...REQ_HEADERS, "", ""), "bad-version"],
    ["SIP/2.0 response status 99", crlf("SIP/2.0 099 Low", "", ""), "bad-start-line"],
    ["status 700", crlf("SIP/2.0 700 High", "", ""), "bad-start-line"],
    ["status line without SP before reason", crlf("SIP/2.0 200", "", ""), "bad-start-line"],
    ["double SP in Request-Line", crlf("OPTIONS  sip:b@h SIP/2.0", "", ""), "bad-start-line"],
    ["method not a token", crlf("OPT:IONS sip:b@h SIP/2.0", "", ""), "not-sip"],
    ["Request-URI not a URI", crlf("OPTIONS bob SIP/2.0", ...REQ_HEADERS, "", ""), "bad-uri"],
    ["header without colon", withHeader("NoColonHere"), "bad-header"],
    ["header name with space", withHeader("Bad Name: x"), "bad-header"],
    ["continuation before any header", crlf("OPTIONS sip:b@h SIP/2.0", " folded", "", ""), "bad-header"],
    ["Max-Forwards 256", withHeader("Max-Forwards: 256", "Max-Forwards"), "bad-header-value"],
    [
      "Content-Length not a number",
      crlf("OPTIONS sip:b@h SIP/2.0", ...REQ_HEADERS, "Content-Length: ten", "", ""),
      "bad-header-value",
    ],
    ["CSeq 2**31", withHeader("CSeq: 2147483648 OPTIONS", "CSeq"), "bad-cseq"],
    ["CSeq without method", withHeader("CSeq: 5", "CSeq"), "bad-cseq"],
    ["Expires 2**32", withHeader("Expires: 4294967296"), "bad-header-value"],
    ["Via without sent-by", withHeader("Via: SIP/2.0/UDP", "Via"), "bad-via"],
    ["Via with bad port", withHeader("Via: SIP/2.0/UDP h:70000", "Via"), "bad-via"],
    ["Contact with empty parameter", withHeader("Contact: <sip:a@h>;;q=1"), "bad-header-value"],
    ["Route without <>", withHeader("Route: sip:p@h;lr"), "bad-header-value"],
    ["Warning code of 2 digits", withHeader('Warning: 30 h "x"'), "bad-header-value"],
    ["Call-ID with a space", withHeader("Call-ID: a b", "Call-ID"), "bad-header-value"],
    ["Content-Type without subtype", withHeader("Content-Type: text"), "bad-header-value"],
  ];
  for (const [name, buf, code] of cases) {
    it(`${name} -> ${code}`, () => assert.equal(errCode(parseSip(buf, "strict")), code));
  }

  it("the well-formed baseline of those cases is accepted", () => {
    ok(parseSip(withHeader("Contact: <sip:a@h>;q=0.5;expires=3600"), "strict"));
  });
});

describe("parseSip: semantic problems are warnings unless asked (RFC 4475 §3.3)", () => {
  const noTo = crlf("OPTIONS sip:b@h SIP/2.0", ...REQ_HEADERS.filter((h) => !h.startsWith("To")), "", "");
  it("a missing mandatory header is a warning by default", () => {
    const r = ok(parseSip(noTo, "strict"));
    assert.deepEqual(
      r.warnings.map((w) => w.code),
      ["missing-header"],
    );
    assert.match(r.warnings[0]!.message, /\bto\b/);
  });
  it("and an error with requireMandatoryHeaders (RFC 3261 §8.1.1)", () => {
    assert.equal(errCode(parseSip(noTo, "strict", { requireMandatoryHeaders: true })), "missing-header");
  });
  it("Max-Forwards is not mandatory in responses (RFC 3261 §8.2.6)", () => {
    const resp = crlf("SIP/2.0 200 OK", ...REQ_HEADERS.filter((h) => !h.startsWith("Max")), "", "");
    ok(parseSip(resp, "strict", { requireMandatoryHeaders: true }));
  });
  it("a CSeq method that differs from the request method is rejected in strict mode only", () => {
    const buf = withHeader("CSeq: 1 INVITE", "CSeq");
    assert.equal(errCode(parseSip(buf, "strict")), "bad-cseq");
    assert.ok(ok(parseSip(buf, "lenient")).warnings.some((w) => w.code === "bad-cseq"));
  });
});

describe("parseSip lenient mode: keep what can be kept", () => {
  it("rejects an HTTP request on port 5060 as not-sip", () => {
    assert.equal(
      errCode(parseSip(crlf("GET / HTTP/1.1", "Host: example.com", "", ""), "lenient")),
      "not-sip",
    );
    assert.equal(errCode(parseSip(crlf("HTTP/1.1 200 OK", "", ""), "lenient")), "not-sip");
  });
  it("keeps a Request-URI with LWS and warns", () => {
    const r = ok(parseSip(crlf("INVITE  sip:a@h; lr  SIP/2.0", "l: 0", "", ""), "lenient"));
    assert.equal(r.message.kind === "request" && r.message.uri, "sip:a@h; lr");
    assert.ok(r.warnings.some((w) => w.code === "bad-start-line"));
  });
  it("keeps an out-of-range status code and warns", () => {
    const r = ok(parseSip(crlf("SIP/2.0 4294967301 big", "", ""), "lenient"));
    assert.equal(r.message.kind === "response" && r.message.status, 4294967301);
  });
  it("skips a line without a colon and keeps the rest", () => {
    const r = ok(parseSip(crlf("OPTIONS sip:a@h SIP/2.0", "garbage line", "Call-ID: x", "", ""), "lenient"));
    assert.deepEqual(
      r.message.headers.map((h) => h.value),
      ["x"],
    );
    assert.ok(r.warnings.some((w) => w.code === "bad-header"));
  });
  it("keeps an unusual but printable header name", () => {
    const r = ok(parseSip(crlf("OPTIONS sip:a@h SIP/2.0", "X-Odd(name): v", "", ""), "lenient"));
    assert.equal(r.message.headers[0]!.raw, "X-Odd(name)");
  });
  it("a non-numeric Content-Length takes the rest as body and warns", () => {
    const r = ok(parseSip(crlf("OPTIONS sip:a@h SIP/2.0", "Content-Length: -1", "", "abc"), "lenient"));
    assert.equal(r.message.body.toString(), "abc");
    assert.ok(r.warnings.some((w) => w.code === "bad-header-value"));
  });
});
