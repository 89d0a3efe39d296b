import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  KPML_REQUEST_NAMESPACE,
  parseKpmlRequest,
  parseKpmlResponse,
  writeKpmlRequest,
  writeKpmlResponse,
} from "../../../src/wire/dtmf/kpml.ts";

/**
 * Cisco IOS bodies from the Cisco IOS 15M&T SIP configuration guide, "SIP KPML-Based Out-of-Band
 * DTMF Relay" debug output (SUBSCRIBE and NOTIFY from an IOS 12.x gateway), copied as shown.
 */
const CISCO_REQUEST =
  '<?xml version="1.0" encoding="UTF-8"?><kpml-request xmlns="urn:ietf:params:xml:ns:kpml-request" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:ietf:params:xml:ns:kpml-request kpml-request.xsd" version="1.0"><pattern persist="persist"><regex tag="dtmf">[x*#ABCD]</regex></pattern></kpml-request>';
const CISCO_RESPONSE =
  '<?xml version="1.0" encoding="UTF-8"?><kpml-response version="1.0" code="200" text="OK" digits="1" tag="dtmf"/>';

test("Cisco IOS kpml-request", () => {
  const r = parseKpmlRequest(CISCO_REQUEST);
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.request, {
    version: "1.0",
    namespace: KPML_REQUEST_NAMESPACE,
    persist: "persist",
    interdigitTimerMs: null,
    criticalDigitTimerMs: null,
    extraDigitTimerMs: null,
    enterKey: null,
    regexes: [{ tag: "dtmf", value: "[x*#ABCD]" }],
    patternAttributes: { persist: "persist" },
  });
});

test("Cisco IOS kpml-response", () => {
  const r = parseKpmlResponse(CISCO_RESPONSE);
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.response, {
    version: "1.0",
    namespace: null,
    code: 200,
    text: "OK",
    digits: "1",
    tag: "dtmf",
    suppressed: false,
    forcedFlush: false,
  });
});

test("request with prefixes, single quotes, whitespace, comments, timers and two regexes", () => {
  const text = `<?xml version='1.0'?>
<!-- subscriber: MVS -->
<k:kpml-request xmlns:k='urn:ietf:params:xml:ns:kpml-request' version = '1.0' >
  <k:pattern interdigittimer="7500" criticaldigittimer='1000' extradigittimer="500" enterkey="#">
    <k:regex tag='pin'> [0-9]{4}# </k:regex>
    <k:regex><![CDATA[x<5]]></k:regex>
    <k:regex tag="amp">&amp;&#42;&#x23;</k:regex>
  </k:pattern>
</k:kpml-request>`;
  const r = parseKpmlRequest(text);
  assert.ok(r.ok, JSON.stringify(r));
  const q = r.request;
  assert.equal(q.namespace, KPML_REQUEST_NAMESPACE);
  assert.equal(q.persist, "one-shot", "RFC 4730 default");
  assert.deepEqual(
    [q.interdigitTimerMs, q.criticalDigitTimerMs, q.extraDigitTimerMs, q.enterKey],
    [7500, 1000, 500, "#"],
  );
  assert.deepEqual(q.regexes, [
    { tag: "pin", value: "[0-9]{4}#" },
    { tag: null, value: "x<5" },
    { tag: "amp", value: "&*#" },
  ]);
});

test("response with forced_flush, suppressed, an error code and no digits", () => {
  const flushed = parseKpmlResponse(
    '<kpml-response xmlns="urn:ietf:params:xml:ns:kpml-response" version="1.0" code="200" text="OK" digits="12" forced_flush="true" suppressed="1"/>',
  );
  assert.ok(flushed.ok);
  assert.deepEqual(
    [flushed.response.forcedFlush, flushed.response.suppressed, flushed.response.digits],
    [true, true, "12"],
  );
  const timeout = parseKpmlResponse(
    "<kpml-response version='1.0' code='423' text='Timer Expired'></kpml-response>",
  );
  assert.ok(timeout.ok);
  assert.deepEqual([timeout.response.code, timeout.response.digits, timeout.response.tag], [423, null, null]);
});

const BAD_REQUESTS: readonly [string, string][] = [
  ["<kpml-response version='1.0' code='200'/>", "wrong-root"],
  ["", "wrong-root"],
  ["just text", "wrong-root"],
  ["<kpml-request version='1.0'></kpml-request>", "no-pattern"],
  ["<kpml-request><pattern persist='persist'/></kpml-request>", "no-regex"],
  ["<kpml-request><pattern persist='forever'><regex>x</regex></pattern></kpml-request>", "bad-persist"],
  ["<kpml-request><pattern", "bad-xml"],
  ["<kpml-request a='1><pattern/>", "bad-xml"],
  ["<!-- never closed <kpml-request/>", "bad-xml"],
];

for (const [text, code] of BAD_REQUESTS) {
  test(`request ${JSON.stringify(text)} -> ${code}`, () => {
    const r = parseKpmlRequest(text);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.error.code, code);
  });
}

const BAD_RESPONSES: readonly [string, string][] = [
  ["<kpml-response version='1.0'/>", "bad-code"],
  ["<kpml-response code='OK'/>", "bad-code"],
  ["<kpml-response code='2000'/>", "bad-code"],
  ["<kpml-request/>", "wrong-root"],
  ["<kpml-response code='200", "bad-xml"],
];

for (const [text, code] of BAD_RESPONSES) {
  test(`response ${JSON.stringify(text)} -> ${code}`, () => {
    const r = parseKpmlResponse(text);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.error.code, code);
  });
}

test("request writer round-trips", () => {
  const text = writeKpmlRequest({
    persist: "persist",
    interdigitTimerMs: 7500,
    regexes: [
      { tag: "dtmf", value: "[x*#ABCD]" },
      { tag: null, value: "<&>" },
    ],
  });
  assert.ok(
    text.startsWith(
      '<?xml version="1.0" encoding="UTF-8"?>\r\n<kpml-request xmlns="urn:ietf:params:xml:ns:kpml-request" version="1.0">',
    ),
  );
  const r = parseKpmlRequest(text);
  assert.ok(r.ok);
  assert.equal(r.request.persist, "persist");
  assert.equal(r.request.interdigitTimerMs, 7500);
  assert.deepEqual(r.request.regexes, [
    { tag: "dtmf", value: "[x*#ABCD]" },
    { tag: null, value: "<&>" },
  ]);
  assert.throws(() => writeKpmlRequest({ regexes: [] }), RangeError);
});

test("response writer round-trips", () => {
  const text = writeKpmlResponse({ code: 200, text: "OK", digits: "5", tag: "dtmf" });
  assert.equal(
    text,
    '<?xml version="1.0" encoding="UTF-8"?>\r\n<kpml-response xmlns="urn:ietf:params:xml:ns:kpml-response" version="1.0" code="200" text="OK" digits="5" tag="dtmf"/>\r\n',
  );
  const r = parseKpmlResponse(text);
  assert.ok(r.ok);
  assert.deepEqual(
    [r.response.code, r.response.text, r.response.digits, r.response.tag],
    [200, "OK", "5", "dtmf"],
  );
  const flushed = parseKpmlResponse(
    writeKpmlResponse({ code: 200, text: 'say "hi"', digits: "#", forcedFlush: true }),
  );
  assert.ok(flushed.ok);
  assert.deepEqual(
    [flushed.response.text, flushed.response.forcedFlush, flushed.response.suppressed],
    ['say "hi"', true, false],
  );
  assert.throws(() => writeKpmlResponse({ code: 20, text: "x" }), RangeError);
});

test("property: writers round-trip arbitrary digits, tags and regex text", () => {
  fc.assert(
    fc.property(
      fc.string({ maxLength: 20 }),
      fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
      fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() === s && s !== ""),
      (digits, tag, regex) => {
        const resp = parseKpmlResponse(
          writeKpmlResponse({ code: 200, text: "OK", digits, ...(tag === undefined ? {} : { tag }) }),
        );
        assert.ok(resp.ok);
        assert.equal(resp.response.digits, digits);
        assert.equal(resp.response.tag, tag ?? null);
        const req = parseKpmlRequest(writeKpmlRequest({ regexes: [{ tag: tag ?? null, value: regex }] }));
        assert.ok(req.ok);
        assert.deepEqual(req.request.regexes, [{ tag: tag ?? null, value: regex }]);
      },
    ),
    { numRuns: 300 },
  );
});

test("property: random text never throws", () => {
  const xmlish = fc
    .array(
      fc.oneof(
        fc.string({ maxLength: 8 }),
        fc.constantFrom(
          "<",
          ">",
          "/>",
          "</",
          "<?",
          "?>",
          "<!--",
          "-->",
          "<![CDATA[",
          "]]>",
          "'",
          '"',
          "=",
          "&#x",
          ";",
          "kpml-request",
          "kpml-response",
          "pattern",
          "regex",
          " code=",
        ),
      ),
      {
        maxLength: 30,
      },
    )
    .map((parts) => parts.join(""));
  fc.assert(
    fc.property(xmlish, (text) => {
      parseKpmlRequest(text);
      parseKpmlResponse(text);
    }),
    { numRuns: 500 },
  );
});
