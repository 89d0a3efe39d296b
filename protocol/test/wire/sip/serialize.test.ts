import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseSip } from "../../../src/wire/sip/parse.ts";
import { serializeSip } from "../../../src/wire/sip/serialize.ts";
import type { SipMessage } from "../../../src/wire/sip/types.ts";

describe("serializeSip (RFC 3261 §7)", () => {
  it("writes the start line, raw header names, CRLFs and the body as is", () => {
    const msg: SipMessage = {
      kind: "request",
      method: "MESSAGE",
      uri: "sip:bob@h",
      version: "SIP/2.0",
      headers: [
        { name: "call-id", raw: "i", value: "x@y" },
        { name: "content-length", raw: "Content-Length", value: "2" },
      ],
      body: Buffer.from([0x00, 0xff]),
    };
    assert.deepEqual(
      serializeSip(msg),
      Buffer.concat([
        Buffer.from("MESSAGE sip:bob@h SIP/2.0\r\ni: x@y\r\nContent-Length: 2\r\n\r\n"),
        Buffer.from([0, 255]),
      ]),
    );
  });

  it("writes a response with an empty reason as 'SIP/2.0 100 ' and never invents Content-Length", () => {
    const msg: SipMessage = {
      kind: "response",
      status: 100,
      reason: "",
      version: "SIP/2.0",
      headers: [],
      body: Buffer.from("abc"),
    };
    assert.equal(serializeSip(msg).toString(), "SIP/2.0 100 \r\n\r\nabc");
  });
});

describe("round trip: parseSip(serializeSip(m)) deep-equals m for strict parses", () => {
  const dir = fileURLToPath(new URL("../../fixtures/rfc4475/", import.meta.url));
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".sip"))) {
    const first = parseSip(readFileSync(dir + file), "strict");
    if (!first.ok) continue; // invalid corpus entries: nothing to round-trip
    it(file, () => {
      const bytes = serializeSip(first.message);
      const again = parseSip(bytes, "strict");
      assert.ok(again.ok, again.ok ? "" : again.error.message);
      assert.deepEqual(again.message, first.message);
      assert.equal(again.consumed, bytes.length);
      // idempotent on bytes once folding is gone
      assert.deepEqual(serializeSip(again.message), bytes);
    });
  }
});
