/**
 * RFC 4475 torture corpus (copied from /work/shared/captures/public/rfc4475/ into
 * protocol/test/fixtures/rfc4475/). Strict mode must accept every "valid" and
 * "valid-syntax-semantic-test" message and reject every "invalid" one; lenient mode parses all.
 * Each invalid message is also repaired (the flaw RFC 4475 describes, and only it) to show that
 * the rejection is for that flaw and not an accident of the parser.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseSip } from "../../../src/wire/sip/parse.ts";
import { getHeader, getHeaders, parseNameAddr, parseVia } from "../../../src/wire/sip/headers.ts";
import { parseSipUri } from "../../../src/wire/sip/uri.ts";
import type { SipMessage } from "../../../src/wire/sip/types.ts";

const DIR = fileURLToPath(new URL("../../fixtures/rfc4475/", import.meta.url));

interface Entry {
  file: string;
  rfc4475_section: string;
  verdict: "valid" | "invalid" | "valid-syntax-semantic-test";
  sha256: string;
  bytes: number;
}
const corpus = (JSON.parse(readFileSync(`${DIR}verdicts.json`, "utf8")) as { messages: Entry[] }).messages;
const load = (file: string): Buffer => readFileSync(`${DIR}${file}`);

/** The error code each invalid message must get (RFC 4475 §3.1.2 text), and its repair. */
const INVALID: Record<string, { codes: string[]; repair: [string, string][] }> = {
  "3.1.2.1-badinv01.sip": {
    codes: ["bad-via"],
    repair: [
      ["192.0.2.15;;,;,,", "192.0.2.15;branch=z9hG4bKfix"],
      ["<sip:joe@example.org>;;;;", "<sip:joe@example.org>"],
    ],
  },
  "3.1.2.2-clerr.sip": { codes: ["content-length-mismatch"], repair: [["Content-Length: 9999\r\n", ""]] },
  "3.1.2.3-ncl.sip": { codes: ["bad-header-value"], repair: [["Content-Length: -999\r\n", ""]] },
  "3.1.2.4-scalar02.sip": {
    codes: ["bad-cseq", "bad-header-value"],
    repair: [
      ["CSeq: 36893488147419103232", "CSeq: 3"],
      ["Max-Forwards: 300", "Max-Forwards: 30"],
      [`Expires: 1${"0".repeat(100)}`, "Expires: 10"],
      [";expires=280297596632815", ";expires=2802"],
    ],
  },
  "3.1.2.5-scalarlg.sip": {
    codes: ["bad-cseq", "bad-header-value"],
    repair: [
      ["CSeq: 9292394834772304023312", "CSeq: 9"],
      ["Retry-After: 949302838503028349304023988", "Retry-After: 9"],
      ["Warning: 1812", "Warning: 181"],
    ],
  },
  "3.1.2.6-quotbal.sip": { codes: ["bad-header-value"], repair: [['"Mr. J. User <', '"Mr. J. User" <']] },
  "3.1.2.7-ltgtruri.sip": {
    codes: ["bad-uri"],
    repair: [["INVITE <sip:user@example.com> SIP", "INVITE sip:user@example.com SIP"]],
  },
  "3.1.2.8-lwsruri.sip": {
    codes: ["bad-start-line"],
    repair: [["example.com; lr SIP", "example.com;lr SIP"]],
  },
  "3.1.2.9-lwsstart.sip": {
    codes: ["bad-start-line"],
    repair: [["INVITE  sip:user@example.com  SIP", "INVITE sip:user@example.com SIP"]],
  },
  "3.1.2.10-trws.sip": { codes: ["bad-start-line"], repair: [["SIP/2.0  \r\n", "SIP/2.0\r\n"]] },
  "3.1.2.11-escruri.sip": { codes: ["bad-uri"], repair: [["?Route=%3Csip:example.com%3E", ""]] },
  "3.1.2.12-baddate.sip": { codes: ["bad-header-value"], repair: [["16:00:00 EST", "16:00:00 GMT"]] },
  "3.1.2.13-regbadct.sip": {
    codes: ["bad-header-value"],
    repair: [
      [
        "Contact: sip:user@example.com?Route=%3Csip:sip.example.com%3E",
        "Contact: <sip:user@example.com?Route=%3Csip:sip.example.com%3E>",
      ],
    ],
  },
  "3.1.2.14-badaspec.sip": {
    codes: ["bad-header-value"],
    repair: [["< sip:t.watson@example.org >", "<sip:t.watson@example.org>"]],
  },
  "3.1.2.15-baddn.sip": {
    codes: ["bad-header-value"],
    repair: [
      ["Bell, Alexander", '"Bell, Alexander"'],
      ["Watson, Thomas", '"Watson, Thomas"'],
    ],
  },
  "3.1.2.16-badvers.sip": { codes: ["bad-version"], repair: [["SIP/7.0", "SIP/2.0"]] },
  "3.1.2.17-mismatch01.sip": { codes: ["bad-cseq"], repair: [["CSeq: 8 INVITE", "CSeq: 8 OPTIONS"]] },
  "3.1.2.18-mismatch02.sip": { codes: ["bad-cseq"], repair: [["CSeq: 8 INVITE", "CSeq: 8 NEWMETHOD"]] },
  "3.1.2.19-bigcode.sip": { codes: ["bad-start-line"], repair: [["SIP/2.0 4294967301 ", "SIP/2.0 429 "]] },
};

function repair(buf: Buffer, edits: [string, string][]): Buffer {
  let text = buf.toString("latin1");
  for (const [from, to] of edits) {
    assert.ok(text.includes(from), `repair text ${JSON.stringify(from)} not found`);
    text = text.replaceAll(from, to);
  }
  return Buffer.from(text, "latin1");
}

function accepted(file: string): SipMessage {
  const r = parseSip(load(file), "strict");
  if (!r.ok) assert.fail(`${file}: ${r.error.code}: ${r.error.message}`);
  return r.message;
}

describe("RFC 4475 corpus integrity", () => {
  it("has 49 messages whose bytes match verdicts.json", () => {
    assert.equal(corpus.length, 49);
    for (const e of corpus) {
      const buf = load(e.file);
      assert.equal(buf.length, e.bytes, e.file);
      assert.equal(createHash("sha256").update(buf).digest("hex"), e.sha256, e.file);
    }
  });
  it("every invalid message has an expected code and repair", () => {
    const invalid = corpus.filter((e) => e.verdict === "invalid").map((e) => e.file);
    assert.deepEqual(invalid.sort(), Object.keys(INVALID).sort());
  });
});

describe("RFC 4475 strict mode", () => {
  for (const e of corpus) {
    if (e.verdict === "invalid") {
      const spec = INVALID[e.file]!;
      it(`rejects ${e.file} (§${e.rfc4475_section}) with ${spec.codes.join("/")}`, () => {
        const r = parseSip(load(e.file), "strict");
        if (r.ok) assert.fail("accepted an invalid message");
        assert.ok(spec.codes.includes(r.error.code), `${r.error.code}: ${r.error.message}`);
      });
      it(`accepts ${e.file} once its flaw is repaired`, () => {
        const r = parseSip(repair(load(e.file), spec.repair), "strict");
        assert.ok(r.ok, r.ok ? "" : `${r.error.code}: ${r.error.message}`);
      });
    } else {
      it(`accepts ${e.file} (§${e.rfc4475_section}, ${e.verdict})`, () => {
        accepted(e.file);
      });
    }
  }
});

describe("RFC 4475 lenient mode", () => {
  for (const e of corpus) {
    it(`parses ${e.file}`, () => {
      const r = parseSip(load(e.file), "lenient");
      assert.ok(r.ok, r.ok ? "" : `${r.error.code}: ${r.error.message}`);
    });
  }
});

describe("RFC 4475 content checks", () => {
  it("3.1.1.1 wsinv: folded, oddly spaced headers read right", () => {
    const m = accepted("3.1.1.1-wsinv.sip");
    assert.equal(getHeader(m, "to"), "sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n");
    assert.equal(parseNameAddr(getHeader(m, "to")!)!.tag, "1918181833n");
    const from = parseNameAddr(getHeader(m, "from")!)!;
    assert.equal(from.displayName, 'J Rosenberg \\"');
    assert.equal(from.tag, "98asjd8");
    assert.equal(getHeader(m, "max-forwards"), "0068");
    assert.equal(getHeader(m, "cseq"), "0009 INVITE");
    assert.equal(getHeader(m, "NewFangledHeader"), "newfangled value continued newfangled value");
    assert.equal(getHeader(m, "subject"), "");
    const vias = getHeaders(m, "via").map((v) => parseVia(v)!);
    assert.deepEqual(
      vias.map((v) => [v.transport, v.host, v.branch]),
      [
        ["UDP", "192.0.2.2", "390skdjuw"],
        ["TCP", "spindle.example.com", "z9hG4bK9ikj8"],
        ["UDP", "192.168.255.111", "z9hG4bK30239"],
      ],
    );
    const contact = parseNameAddr(getHeader(m, "m")!)!;
    assert.equal(contact.displayName, 'Quoted string ""');
    assert.deepEqual(contact.params, { newparam: "newvalue", secondparam: null, q: "0.33" });
    assert.equal(m.body.length, 150);
  });

  it("3.1.1.2 intmeth: odd method, URI and escaped controls in a display name", () => {
    const m = accepted("3.1.1.2-intmeth.sip");
    assert.equal(m.kind === "request" && m.method, "!interesting-Method0123456789_*+`.%indeed'~");
    const to = parseNameAddr(getHeader(m, "to")!)!;
    assert.equal(to.displayName, "BEL:\x07 NUL:\x00 DEL:\x7f");
    const from = parseNameAddr(getHeader(m, "from")!)!;
    assert.equal(from.tag, "_token~1'+`*%!-.");
    assert.equal(from.params["fromparam''~+*_!.-%"], "работающий");
  });

  it("3.1.1.3 esc01: escaped user parts decode", () => {
    const m = accepted("3.1.1.3-esc01.sip");
    assert.equal(parseSipUri(m.kind === "request" ? m.uri : "")!.user, "sips:user@example.com");
    assert.equal(parseSipUri(parseNameAddr(getHeader(m, "from")!)!.uri)!.user, "I have spaces");
    assert.equal(getHeader(m, "content-type"), "application/sdp");
  });

  it("3.1.1.5 esc02: C%6Fntact is not Contact", () => {
    const m = accepted("3.1.1.5-esc02.sip");
    assert.equal(getHeaders(m, "contact").length, 2);
  });

  it("3.1.1.7 longreq: 34 Via rows in any case and compact form", () => {
    assert.equal(getHeaders(accepted("3.1.1.7-longreq.sip"), "Via").length, 34);
  });

  it("3.1.1.8 dblreq: only the first request, consumed stops after its empty body", () => {
    const buf = load("3.1.1.8-dblreq.sip");
    const r = parseSip(buf, "strict");
    assert.ok(r.ok);
    assert.equal(r.message.kind === "request" && r.message.method, "REGISTER");
    assert.equal(r.message.body.length, 0);
    assert.equal(buf.subarray(r.consumed).toString("latin1").trimStart().slice(0, 6), "INVITE");
  });

  it("3.1.1.12/13 response reasons", () => {
    const m12 = accepted("3.1.1.12-unreason.sip");
    assert.equal(m12.kind === "response" && m12.reason, "= 2**3 * 5**2 но сто девяносто девять - простое");
    const m13 = accepted("3.1.1.13-noreason.sip");
    assert.equal(m13.kind === "response" && m13.reason, "");
  });

  it("3.3.9 mcl01: conflicting Content-Length values are reported", () => {
    const r = parseSip(load("3.3.9-mcl01.sip"), "strict");
    assert.ok(r.ok);
    assert.ok(r.warnings.some((w) => /conflicting Content-Length/.test(w.message)));
  });

  it("3.4.1 inv2543: no Content-Length, the body is the rest of the datagram", () => {
    const buf = load("3.4.1-inv2543.sip");
    const m = accepted("3.4.1-inv2543.sip");
    assert.ok(m.body.toString().startsWith("v=0"));
    assert.equal(m.body.length, buf.length - buf.indexOf("\r\n\r\n") - 4);
  });
});
