/**
 * parseSip's `keepHeaders` (lenient mode): only the named headers and Content-Length are built; the
 * result is the full parse with the other headers filtered out, and nothing else changes (start
 * line, body framing, kept values with their folds).
 */
import { strict as assert } from "node:assert";
import { test } from "node:test";
import fc from "fast-check";
import { parseSip } from "../../../src/wire/sip/parse.ts";
import type { SipMessage } from "../../../src/wire/sip/types.ts";

const KEEP: ReadonlySet<string> = new Set(["call-id", "cseq", "from", "to", "content-type"]);

function parsed(text: string, keep?: ReadonlySet<string>): SipMessage {
  const r = parseSip(Buffer.from(text, "latin1"), "lenient", keep ? { keepHeaders: keep } : {});
  assert.ok(r.ok, `parse failed: ${JSON.stringify(r)}`);
  return r.message;
}

const INVITE = [
  "INVITE sip:2001@10.0.0.5 SIP/2.0",
  "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1",
  "  ;received=10.0.0.1",
  "i: abc@10.0.0.1",
  "f: <sip:1001@10.0.0.1>;tag=a1",
  "To: <sip:2001@10.0.0.5>",
  "CSeq: 1 INVITE",
  "Contact: <sip:1001@10.0.0.1>",
  "User-Agent: a folded",
  "\tvalue",
  "Subject: first,",
  "  second",
  "c: application/sdp",
  "l: 13",
  "",
  "v=0\r\no=- 1 1 X",
].join("\r\n");

test("only the kept headers and Content-Length are built; compact forms count by their long name", () => {
  const m = parsed(INVITE, KEEP);
  assert.deepEqual(
    m.headers.map((h) => h.name),
    ["call-id", "from", "to", "cseq", "content-type", "content-length"],
  );
  assert.equal(m.headers.find((h) => h.name === "from")?.value, "<sip:1001@10.0.0.1>;tag=a1");
  assert.equal(m.body.toString("latin1"), "v=0\r\no=- 1 1 ");
});

test("the continuation lines of a skipped header are skipped with it, without warnings", () => {
  const r = parseSip(Buffer.from(INVITE, "latin1"), "lenient", { keepHeaders: KEEP });
  assert.ok(r.ok);
  assert.deepEqual(
    r.warnings.filter((w) => w.code === "bad-header"),
    [],
  );
});

test("a kept header keeps its folds (joined by one space)", () => {
  const m = parsed(INVITE, new Set(["subject"]));
  assert.deepEqual(
    m.headers.map((h) => [h.name, h.value]),
    [
      ["subject", "first, second"],
      ["content-length", "13"],
    ],
  );
});

test("strict mode ignores keepHeaders", () => {
  const r = parseSip(Buffer.from(INVITE, "latin1"), "strict", { keepHeaders: KEEP });
  const full = parseSip(Buffer.from(INVITE, "latin1"), "strict");
  assert.deepEqual(r, full);
});

// any header list: the filtered parse equals the full parse filtered
const NAMES = [
  "Via",
  "v",
  "Call-ID",
  "i",
  "From",
  "f",
  "To",
  "t",
  "CSeq",
  "Contact",
  "m",
  "X-Foo",
  "content-type",
  "c",
];
const header = fc.tuple(
  fc.constantFrom(...NAMES),
  fc.stringMatching(/^[ -~]{0,20}$/),
  fc.option(fc.stringMatching(/^[!-~][ -~]{0,10}$/), { nil: undefined }),
);
test("property: the filtered parse is the full parse with the other headers left out", () => {
  fc.assert(
    fc.property(fc.array(header, { maxLength: 12 }), fc.boolean(), (hs, withLength) => {
      const lines = ["OPTIONS sip:a@b SIP/2.0"];
      for (const [n, v, fold] of hs) {
        lines.push(`${n}: ${v}`);
        if (fold !== undefined) lines.push(` ${fold}`);
      }
      if (withLength) lines.push("Content-Length: 2");
      const text = `${lines.join("\r\n")}\r\n\r\nok`;
      const full = parsed(text);
      const kept = parsed(text, KEEP);
      assert.deepEqual(
        kept.headers,
        full.headers.filter((h) => KEEP.has(h.name) || h.name === "content-length"),
      );
      assert.deepEqual(kept.body, full.body);
      assert.deepEqual(kept.kind, full.kind);
    }),
    { numRuns: 300 },
  );
});
