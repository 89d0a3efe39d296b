/**
 * Property tests: the codec never throws on any bytes (house rule: decoders return typed errors),
 * the framer never reaches past the buffer and always makes progress, strict acceptance implies
 * the same lenient result, and generated messages survive serialize -> parse.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { parseSip } from "../../../src/wire/sip/parse.ts";
import { frameSipStream } from "../../../src/wire/sip/frame.ts";
import { serializeSip } from "../../../src/wire/sip/serialize.ts";
import { canonicalHeaderName } from "../../../src/wire/sip/header-names.ts";
import { getHeaders, parseNameAddr, parseVia } from "../../../src/wire/sip/headers.ts";
import { parseMultipart } from "../../../src/wire/sip/multipart.ts";
import type { SipMessage } from "../../../src/wire/sip/types.ts";

const DIR = fileURLToPath(new URL("../../fixtures/rfc4475/", import.meta.url));
const CORPUS = readdirSync(DIR)
  .filter((f) => f.endsWith(".sip"))
  .sort()
  .map((f) => readFileSync(DIR + f));
const RUNS = { numRuns: 300, seed: 4475 };

/** Everything the codec promises about any input. */
function checkInvariants(buf: Buffer): void {
  for (const mode of ["strict", "lenient"] as const) {
    const r = parseSip(buf, mode);
    if (r.ok) {
      assert.ok(r.consumed > 0 && r.consumed <= buf.length, `consumed ${r.consumed} of ${buf.length}`);
      for (const h of r.message.headers) {
        getHeaders(r.message, h.name);
        parseVia(h.value);
        parseNameAddr(h.value);
      }
    }
  }
  const strict = parseSip(buf, "strict");
  if (strict.ok) {
    const lenient = parseSip(buf, "lenient");
    assert.ok(lenient.ok, "strict accepted but lenient rejected");
    assert.deepEqual(lenient.message, strict.message);
    assert.equal(lenient.consumed, strict.consumed);
  }
  // the framer walks the whole buffer, always forward, never past the end
  let off = 0;
  for (let steps = 0; off < buf.length; steps++) {
    assert.ok(steps <= buf.length, "framer made no progress");
    const f = frameSipStream(buf, off);
    if (f.kind === "incomplete") break;
    assert.ok(f.length >= 1, `${f.kind} of length ${f.length}`);
    assert.ok(off + f.length <= buf.length, `${f.kind} ends at ${off + f.length} > ${buf.length}`);
    if (f.kind === "message") parseSip(buf.subarray(off, off + f.length), "lenient");
    off += f.length;
  }
}

/** Bytes SIP grammar cares about, so mutations hit the interesting paths. */
const interestingByte = fc.constantFrom(
  0x0d,
  0x0a,
  0x20,
  0x09,
  0x3a,
  0x3b,
  0x2c,
  0x3c,
  0x3e,
  0x22,
  0x5c,
  0x40,
  0x00,
  0xff,
);

const corpusMessage = fc.integer({ min: 0, max: CORPUS.length - 1 }).map((i) => CORPUS[i]!);

describe("property: never throws, framer stays in bounds", () => {
  it("random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => checkInvariants(Buffer.from(bytes))),
      RUNS,
    );
  });

  it("random text made of SIP-ish fragments", () => {
    const fragment = fc.constantFrom(
      "INVITE ",
      "SIP/2.0",
      " 200 OK",
      "sip:a@h",
      "\r\n",
      "\n",
      "Content-Length: ",
      "l:",
      "12",
      "Via: SIP/2.0/UDP h;branch=z",
      "<",
      ">",
      '"',
      ";",
      ",",
      " ",
      "\t",
      "--b",
      "CSeq: 1 INVITE",
    );
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 40 }), (parts) =>
        checkInvariants(Buffer.from(parts.join(""))),
      ),
      RUNS,
    );
  });

  it("truncated RFC 4475 messages", () => {
    fc.assert(
      fc.property(corpusMessage, fc.nat(), (msg, n) =>
        checkInvariants(msg.subarray(0, n % (msg.length + 1))),
      ),
      RUNS,
    );
  });

  it("RFC 4475 messages with bit flips and byte overwrites", () => {
    const edit = fc.record({
      at: fc.nat(),
      bit: fc.integer({ min: 0, max: 7 }),
      byte: fc.option(interestingByte),
    });
    fc.assert(
      fc.property(corpusMessage, fc.array(edit, { minLength: 1, maxLength: 8 }), (msg, edits) => {
        const buf = Buffer.from(msg);
        for (const e of edits) {
          const i = e.at % buf.length;
          buf[i] = e.byte ?? buf[i]! ^ (1 << e.bit);
        }
        checkInvariants(buf);
      }),
      RUNS,
    );
  });

  it("concatenated corpus messages with junk in between", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(corpusMessage, fc.uint8Array({ maxLength: 8 })), { maxLength: 4 }),
        (items) => {
          checkInvariants(Buffer.concat(items.flatMap(([m, junk]) => [m, Buffer.from(junk)])));
        },
      ),
      { ...RUNS, numRuns: 100 },
    );
  });

  it("multipart parsing of random bodies", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("--b", "\r\n", "\n", "x", "--", "Content-Type: a/b", " "), {
          maxLength: 30,
        }),
        (parts) => {
          const r = parseMultipart(Buffer.from(parts.join("")), "b");
          if (r.ok) for (const p of r.parts) assert.ok(p.body.length >= 0);
        },
      ),
      RUNS,
    );
  });
});

describe("property: generated messages round-trip through serializeSip and strict parseSip", () => {
  const tokenChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~";
  const token = fc
    .array(fc.constantFrom(...tokenChars), { minLength: 1, maxLength: 12 })
    .map((cs) => cs.join(""));
  // header values: printable text (incl. UTF-8), no CR/LF, no outer SP/HTAB (the parser trims them)
  const value = fc
    .string({ unit: fc.constantFrom(...'ab c;=,<>"\\é€\t:/@'), maxLength: 30 })
    .map((s) => s.replace(/^[ \t]+|[ \t]+$/g, ""));
  const header = fc.tuple(token, value).map(([n, v]) => ({ raw: `X-${n}`, value: v }));
  const request = fc.record({
    method: token,
    user: token,
    headers: fc.array(header, { maxLength: 8 }),
    body: fc.uint8Array({ maxLength: 64 }),
  });

  it("requests with extension headers and binary bodies", () => {
    fc.assert(
      fc.property(request, ({ method, user, headers, body }) => {
        const all = [
          ...headers,
          { raw: "CSeq", value: `1 ${method}` },
          { raw: "l", value: String(body.length) },
        ].map((h) => ({ name: canonicalHeaderName(h.raw), ...h }));
        const msg: SipMessage = {
          kind: "request",
          method,
          uri: `sip:${user}@example.com`,
          version: "SIP/2.0",
          headers: all,
          body: Buffer.from(body),
        };
        const bytes = serializeSip(msg);
        const r = parseSip(Buffer.concat([bytes, Buffer.from("NEXT")]), "strict");
        assert.ok(r.ok, r.ok ? "" : `${r.error.code}: ${r.error.message}`);
        assert.deepEqual(r.message, msg);
        assert.equal(r.consumed, bytes.length);
      }),
      RUNS,
    );
  });
});
