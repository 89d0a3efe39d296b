/** The test oracle itself must be able to say no: malformed documents are rejected. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findAll, parseXml } from "./xml-check.ts";

describe("xml-check (test oracle)", () => {
  it("accepts a well-formed document and decodes entities and references", () => {
    const root = parseXml(
      `<?xml version="1.0" encoding="UTF-8"?>\n<a x="1 &amp; &lt;2&gt; &#10;&#x41;">t&apos;&quot;<b/><!-- c --><b y='q'>in</b></a>\n`,
    );
    assert.equal(root.name, "a");
    assert.equal(root.attrs.x, "1 & <2> \nA");
    assert.equal(root.text, `t'"`);
    assert.equal(findAll(root, "b").length, 2);
    assert.equal(findAll(root, "b")[1]?.text, "in");
  });

  const bad: [string, string][] = [
    ["unclosed", "<a><b></a>"],
    ["mismatched", "<a></b>"],
    ["two roots", "<a/><b/>"],
    ["text outside root", "x<a/>"],
    ["raw < in attribute", `<a x="<"/>`],
    ["unquoted attribute", "<a x=1/>"],
    ["duplicate attribute", `<a x="1" x="2"/>`],
    ["unknown entity", "<a>&nbsp;</a>"],
    ["bare ampersand", "<a>a & b</a>"],
    ["CDATA end in text", "<a>]]></a>"],
    ["CDATA section", "<a><![CDATA[x]]></a>"],
    ["forbidden control char", "<a>\u0001</a>"],
    ["reference to forbidden char", "<a>&#1;</a>"],
    ["no root", "   "],
    ["missing space between attributes", `<a x="1"y="2"/>`],
  ];
  for (const [what, doc] of bad) {
    it(`rejects: ${what}`, () => {
      assert.throws(() => parseXml(doc));
    });
  }
});
