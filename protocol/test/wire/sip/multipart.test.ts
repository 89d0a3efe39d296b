import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseMultipart } from "../../../src/wire/sip/multipart.ts";
import type { MultipartResult } from "../../../src/wire/sip/multipart.ts";
import { parseSip } from "../../../src/wire/sip/parse.ts";
import { getHeader, parseContentType } from "../../../src/wire/sip/headers.ts";

const crlf = (...lines: string[]): Buffer => Buffer.from(lines.join("\r\n"), "utf8");

function parts(r: MultipartResult): Extract<MultipartResult, { ok: true }> {
  if (!r.ok) assert.fail(`${r.error.code}: ${r.error.message}`);
  return r;
}

describe("parseMultipart (RFC 2046 §5.1.1)", () => {
  it("splits RFC 4475 §3.1.1.11 (text + binary S/MIME part) byte-exactly", () => {
    const file = readFileSync(
      fileURLToPath(new URL("../../fixtures/rfc4475/3.1.1.11-mpart01.sip", import.meta.url)),
    );
    const r = parseSip(file, "strict");
    assert.ok(r.ok);
    const ct = parseContentType(getHeader(r.message, "content-type")!)!;
    assert.deepEqual(
      [ct.type, ct.subtype, ct.params["boundary"]],
      ["multipart", "mixed", "7a9cbec02ceef655"],
    );
    const mp = parts(parseMultipart(r.message.body, ct.params["boundary"]!));
    assert.equal(mp.missingCloseDelimiter, false);
    assert.equal(mp.parts.length, 2);
    assert.deepEqual(
      mp.parts.map((p) => p.headers.map((h) => `${h.name}=${h.value}`)),
      [
        ["content-type=text/plain", "content-transfer-encoding=binary"],
        ["content-type=application/octet-stream", "content-transfer-encoding=binary"],
      ],
    );
    assert.equal(mp.parts[0]!.body.toString(), "Hello");
    // oracle: the binary part runs from after its empty line to the CRLF before the close delimiter
    const body = r.message.body;
    const marker = Buffer.from("application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n");
    const from = body.indexOf(marker) + marker.length;
    const to = body.lastIndexOf(Buffer.from("\r\n--7a9cbec02ceef655--"));
    assert.deepEqual(mp.parts[1]!.body, body.subarray(from, to));
    assert.deepEqual([...mp.parts[1]!.body.subarray(0, 2)], [0x30, 0x82]); // DER SEQUENCE
    assert.ok(mp.parts[1]!.body.includes(0x00));
  });

  it("ignores preamble and epilogue, reads SDP + ISUP parts", () => {
    const body = crlf(
      "This is the preamble.",
      "--unique-boundary-1",
      "Content-Type: application/sdp",
      "",
      "v=0",
      "--unique-boundary-1  ",
      "Content-Type: application/ISUP; version=itu-t92+",
      "Content-Disposition: signal; handling=optional",
      "",
      "\x01\x00\x49",
      "--unique-boundary-1--",
      "epilogue text",
    );
    const mp = parts(parseMultipart(body, "unique-boundary-1"));
    assert.equal(mp.parts.length, 2);
    assert.equal(mp.parts[0]!.body.toString(), "v=0");
    assert.equal(mp.parts[1]!.headers[1]!.value, "signal; handling=optional");
    assert.deepEqual([...mp.parts[1]!.body], [0x01, 0x00, 0x49]);
  });

  it("a part without headers starts with its empty line", () => {
    const mp = parts(parseMultipart(crlf("--b", "", "plain", "--b--"), "b"));
    assert.deepEqual(mp.parts[0]!.headers, []);
    assert.equal(mp.parts[0]!.body.toString(), "plain");
  });

  it("matches a boundary only at a line start and as the whole boundary", () => {
    const body = crlf("--b", "", "text --b inside", "--bb is not it", "--b--");
    const mp = parts(parseMultipart(body, "b"));
    assert.equal(mp.parts.length, 1);
    assert.equal(mp.parts[0]!.body.toString(), "text --b inside\r\n--bb is not it");
  });

  it("tolerates a missing close delimiter, with a flag", () => {
    const mp = parts(
      parseMultipart(crlf("--b", "Content-Type: text/plain", "", "one", "--b", "", "two"), "b"),
    );
    assert.equal(mp.missingCloseDelimiter, true);
    assert.deepEqual(
      mp.parts.map((p) => p.body.toString()),
      ["one", "two"],
    );
  });

  it("tolerates bare LF", () => {
    const mp = parts(parseMultipart(Buffer.from("--b\nContent-Type: a/b\n\nx\n--b--\n"), "b"));
    assert.equal(mp.parts[0]!.body.toString(), "x");
  });

  it("reports a missing or malformed boundary", () => {
    const r1 = parseMultipart(Buffer.from("no boundary here"), "b");
    assert.equal(!r1.ok && r1.error.code, "no-boundary");
    for (const bad of ["", "x".repeat(71), "ends with space ", 'bad"quote']) {
      const r = parseMultipart(Buffer.from("--x"), bad);
      assert.equal(!r.ok && r.error.code, "bad-boundary", JSON.stringify(bad));
    }
  });
});
