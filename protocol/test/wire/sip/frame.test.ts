import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { frameSipStream, MAX_HEADER_BYTES } from "../../../src/wire/sip/frame.ts";
import type { SipFrame } from "../../../src/wire/sip/frame.ts";

const crlf = (...lines: string[]): Buffer => Buffer.from(lines.join("\r\n"), "utf8");

const A = crlf(
  "OPTIONS sip:a@h SIP/2.0",
  "Via: SIP/2.0/TCP h;branch=z9hG4bK1",
  "Content-Length: 5",
  "",
  "hello",
);
const B = crlf("SIP/2.0 200 OK", "Via: SIP/2.0/TCP h;branch=z9hG4bK1", "l: 0", "", "");

/** Runs the framer over a whole buffer and lists what it returned. */
function frames(buf: Buffer): SipFrame[] {
  const out: SipFrame[] = [];
  let off = 0;
  for (let guard = 0; guard < 10_000; guard++) {
    const f = frameSipStream(buf, off);
    out.push(f);
    if (f.kind === "incomplete") return out;
    off += f.length;
  }
  assert.fail("framer made no progress");
}

describe("frameSipStream (RFC 3261 §18.3)", () => {
  it("frames two messages in one buffer by Content-Length", () => {
    const buf = Buffer.concat([A, B]);
    assert.deepEqual(frames(buf), [
      { kind: "message", length: A.length },
      { kind: "message", length: B.length },
      { kind: "incomplete" },
    ]);
  });

  it("starts at the given offset", () => {
    const buf = Buffer.concat([A, B]);
    assert.deepEqual(frameSipStream(buf, A.length), { kind: "message", length: B.length });
  });

  it("skips CRLF keepalives before a message (RFC 5626 §3.5.1)", () => {
    const buf = Buffer.concat([Buffer.from("\r\n\r\n"), A, Buffer.from("\r\n")]);
    const f = frames(buf);
    assert.equal(f[0]!.kind, "skip");
    assert.equal(f[0]!.kind === "skip" && f[0]!.length, 4);
    assert.deepEqual(f[1], { kind: "message", length: A.length });
    assert.equal(f[2]!.kind === "skip" && f[2]!.length, 2);
    assert.deepEqual(f[3], { kind: "incomplete" });
  });

  it("is incomplete until the header section and the body are both there", () => {
    for (let cut = 1; cut < A.length; cut++) {
      assert.deepEqual(frameSipStream(A.subarray(0, cut), 0), { kind: "incomplete" }, `cut at ${cut}`);
    }
    assert.deepEqual(frameSipStream(A, 0), { kind: "message", length: A.length });
  });

  it("reads the compact form, any case, LWS before the colon, and a folded value", () => {
    const variants = ["l: 5", "L :5", "CONTENT-LENGTH\t: 5", "Content-Length:\r\n 5"];
    for (const v of variants) {
      const buf = crlf("MESSAGE sip:a@h SIP/2.0", v, "", "helloEXTRA");
      assert.deepEqual(frameSipStream(buf, 0), { kind: "message", length: buf.length - 5 }, v);
    }
  });

  it("does not mistake other headers starting with l for Content-Length", () => {
    const buf = crlf("MESSAGE sip:a@h SIP/2.0", "Location: 9", "Content-Length: 1", "", "xyz");
    assert.deepEqual(frameSipStream(buf, 0), { kind: "message", length: buf.length - 2 });
  });

  it("frames a message without Content-Length with an empty body", () => {
    const head = crlf("OPTIONS sip:a@h SIP/2.0", "Via: SIP/2.0/TCP h", "", "");
    assert.deepEqual(frameSipStream(Buffer.concat([head, B]), 0), { kind: "message", length: head.length });
  });

  it("tolerates bare LF line endings", () => {
    const buf = Buffer.from("OPTIONS sip:a@h SIP/2.0\nContent-Length: 2\n\nokNEXT");
    assert.deepEqual(frameSipStream(buf, 0), { kind: "message", length: buf.length - 4 });
  });

  it("skips junk up to the next plausible start line", () => {
    const junk = Buffer.from("m=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n");
    const f = frames(Buffer.concat([junk, A]));
    assert.deepEqual(f[0], { kind: "skip", length: junk.length, reason: "junk before a start line" });
    assert.deepEqual(f[1], { kind: "message", length: A.length });
  });

  it("skips complete junk lines but keeps a printable partial line (it may grow into a start line)", () => {
    const buf = Buffer.from("junk line\r\nINVITE sip:a@h SI");
    assert.deepEqual(frameSipStream(buf, 0), { kind: "skip", length: 11, reason: "junk" });
    assert.deepEqual(frameSipStream(buf, 11), { kind: "incomplete" });
  });

  it("skips binary bytes without a line end", () => {
    const buf = Buffer.from([0x80, 0x00, 0x01, 0xff]);
    assert.deepEqual(frameSipStream(buf, 0), { kind: "skip", length: 4, reason: "junk without a line end" });
  });

  it("an HTTP request line is not a start line", () => {
    const f = frameSipStream(Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), 0);
    assert.equal(f.kind, "skip");
  });

  it("abandons a header section that never ends within the limit", () => {
    const start = Buffer.from("OPTIONS sip:a@h SIP/2.0\r\n");
    const filler = Buffer.from(
      `X-Filler: ${"a".repeat(100)}\r\n`.repeat(Math.ceil(MAX_HEADER_BYTES / 100) + 5),
    );
    const f = frameSipStream(Buffer.concat([start, filler]), 0);
    assert.deepEqual(f, { kind: "skip", length: start.length, reason: "no end of headers within 64 KiB" });
  });

  it("offsets at or past the end, or invalid, do not read outside the buffer", () => {
    assert.deepEqual(frameSipStream(A, A.length), { kind: "incomplete" });
    assert.deepEqual(frameSipStream(A, A.length + 10), { kind: "incomplete" });
    assert.deepEqual(frameSipStream(Buffer.alloc(0), 0), { kind: "incomplete" });
    assert.deepEqual(frameSipStream(A, -3), { kind: "message", length: A.length });
    assert.deepEqual(frameSipStream(A, Number.NaN), { kind: "message", length: A.length });
  });

  it("frames a stream made of RFC 4475 messages that carry an exact Content-Length", () => {
    const dir = fileURLToPath(new URL("../../fixtures/rfc4475/", import.meta.url));
    // hand-picked: valid messages whose Content-Length equals their body size
    const files = [
      "3.1.1.1-wsinv.sip",
      "3.1.1.3-esc01.sip",
      "3.1.1.4-escnull.sip",
      "3.1.1.7-longreq.sip",
      "3.1.1.10-transports.sip",
      "3.1.1.11-mpart01.sip",
      "3.1.1.12-unreason.sip",
      "3.1.1.13-noreason.sip",
    ];
    const bufs = files.map((f) => readFileSync(dir + f));
    const got = frames(Buffer.concat(bufs));
    assert.deepEqual(got, [
      ...bufs.map((b) => ({ kind: "message", length: b.length })),
      { kind: "incomplete" },
    ]);
  });
});
