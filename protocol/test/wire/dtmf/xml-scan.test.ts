import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeEntities, escapeXml, scanXml } from "../../../src/wire/dtmf/xml-scan.ts";

test("tokens: declaration, DOCTYPE and comments skipped; prefixes split; namespaces apart from attributes", () => {
  const r = scanXml(
    `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "v">]><!-- c --><p:a xmlns:p="urn:x" xmlns="urn:d" p:b='1' c=2>t<b/></p:a>`,
  );
  assert.ok(r.ok);
  assert.deepEqual(r.tokens, [
    {
      kind: "open",
      name: "a",
      prefix: "p",
      attrs: { b: "1", c: "2" },
      namespaces: { p: "urn:x", "": "urn:d" },
      selfClosing: false,
    },
    { kind: "text", text: "t" },
    { kind: "open", name: "b", prefix: null, attrs: {}, namespaces: {}, selfClosing: true },
    { kind: "close", name: "a" },
  ]);
});

test("entities: predefined and numeric decoded, invalid code points left as written", () => {
  assert.equal(decodeEntities("&lt;&gt;&amp;&quot;&apos;&#65;&#x42;"), `<>&"'AB`);
  assert.equal(decodeEntities("&#0;&#xD800;&#x110000;&nbsp;&"), "&#0;&#xD800;&#x110000;&nbsp;&");
  assert.equal(decodeEntities(escapeXml(`<a href="x">&'`)), `<a href="x">&'`);
});

test("unterminated constructs are errors, not exceptions", () => {
  for (const s of ["<?xml", "<!-- x", "<![CDATA[ x", "<!DOCTYPE x", "</a", "<a b='1", "<a", "< a>"]) {
    assert.equal(scanXml(s).ok, false, s);
  }
});
