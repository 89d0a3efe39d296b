import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseSipUri } from "../../../src/wire/sip/uri.ts";

describe("parseSipUri (RFC 3261 §19.1)", () => {
  it("reads every component of a full SIP URI", () => {
    assert.deepEqual(
      parseSipUri(
        "sip:alice:secretword@atlanta.com:5061;transport=TCP;lr?subject=project%20x&priority=urgent",
      ),
      {
        scheme: "sip",
        user: "alice",
        password: "secretword",
        host: "atlanta.com",
        port: 5061,
        params: { transport: "TCP", lr: null },
        headers: { subject: "project x", priority: "urgent" },
        opaque: "alice:secretword@atlanta.com:5061;transport=TCP;lr?subject=project%20x&priority=urgent",
      },
    );
  });
  it("lower-cases the scheme and accepts sips and <...>", () => {
    const u = parseSipUri("<SIPS:bob@biloxi.example.com>")!;
    assert.deepEqual([u.scheme, u.user, u.host, u.port], ["sips", "bob", "biloxi.example.com", null]);
  });
  it("decodes escapes in the user part (RFC 4475 §3.1.1.3, §3.1.1.4)", () => {
    assert.equal(parseSipUri("sip:sips%3Auser%40example.com@example.net")!.user, "sips:user@example.com");
    assert.equal(parseSipUri("sip:null-%00-null@example.com")!.user, "null-\u0000-null");
    assert.equal(parseSipUri("sip:%E2%82%AC@h")!.user, "€");
  });
  it("decodes escaped parameter names and values (RFC 4475 §3.1.1.3)", () => {
    assert.deepEqual(parseSipUri("sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31")!.params, {
      lr: null,
      name: "value%41",
    });
  });
  it("a user part may hold ; ? / (RFC 4475 §3.1.1.9, §3.1.1.2)", () => {
    const u = parseSipUri("sip:user;par=u%40example.net@example.com")!;
    assert.deepEqual([u.user, u.host, u.params], ["user;par=u@example.net", "example.com", {}]);
    const v = parseSipUri(
      "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com",
    )!;
    assert.equal(v.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    assert.equal(v.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    assert.equal(v.host, "example.com");
  });
  it("reads IPv6 references (RFC 5118)", () => {
    const u = parseSipUri("sip:[2001:db8::10]:5070;maddr=[2001:db8::20]")!;
    assert.deepEqual(
      [u.user, u.host, u.port, u.params["maddr"]],
      [null, "[2001:db8::10]", 5070, "[2001:db8::20]"],
    );
    assert.equal(parseSipUri("sip:[2001:db8::10")!, null);
  });
  it("tel URIs (RFC 3966) put the number in user", () => {
    const u = parseSipUri("tel:+1-201-555-0123;phone-context=example.com")!;
    assert.deepEqual(
      [u.scheme, u.user, u.host, u.params],
      ["tel", "+1-201-555-0123", "", { "phone-context": "example.com" }],
    );
  });
  it("other schemes are kept opaque (RFC 4475 §3.3.2, §3.3.3)", () => {
    const u = parseSipUri("soap.beep://192.0.2.103:3002")!;
    assert.deepEqual([u.scheme, u.host, u.opaque], ["soap.beep", "", "//192.0.2.103:3002"]);
  });
  it("returns null for non-URIs", () => {
    for (const t of [
      "",
      "alice",
      "sip:",
      ":x",
      "sip:a@",
      "sip:a@h:port",
      "sip:a@h:65536",
      "sip:a b@h",
      "1sip:x",
      "sip:a@ho st",
    ]) {
      assert.equal(parseSipUri(t), null, t);
    }
  });
});
