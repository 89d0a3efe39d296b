import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { AnalysisReport } from "../../src/analysis/model.ts";
import { sanitizeChars } from "../../src/report/escape.ts";
import { renderJunit, renderJunitSuites } from "../../src/report/junit.ts";
import {
  CDATA_END,
  emptyReport,
  healthyReport,
  HOSTILE,
  hostileReport,
  mismatchReport,
  PT_MISMATCH,
} from "./reports.ts";
import { findAll, parseXml, type XmlElement } from "./xml-check.ts";

function suite(xml: string): { root: XmlElement; suite: XmlElement; cases: XmlElement[] } {
  const root = parseXml(xml);
  assert.equal(root.name, "testsuites");
  const suites = findAll(root, "testsuite");
  assert.equal(suites.length, 1);
  return { root, suite: suites[0]!, cases: findAll(suites[0]!, "testcase") };
}

function property(s: XmlElement, name: string): string | undefined {
  return findAll(s, "property").find((p) => p.attrs.name === name)?.attrs.value;
}

describe("renderJunit", () => {
  it("healthy report: one passing 'leg <Call-ID> conforms' per leg, verdict property", () => {
    const r = healthyReport();
    const { root, suite: s, cases } = suite(renderJunit(r));
    assert.equal(cases.length, r.legs.length);
    assert.deepEqual(
      cases.map((c) => c.attrs.name),
      r.legs.map((l) => `leg ${l.callId} conforms`),
    );
    assert.equal(findAll(s, "failure").length, 0);
    assert.equal(s.attrs.tests, String(r.legs.length));
    assert.equal(s.attrs.failures, "0");
    assert.equal(root.attrs.tests, String(r.legs.length));
    assert.equal(property(s, "verdict"), "healthy");
    assert.equal(s.attrs.name, "healthy-call.pcapng");
  });

  it("mismatch report: a testcase per finding, <failure> only for errors, no 'conforms' for failed legs", () => {
    const r = mismatchReport();
    const { root, suite: s, cases } = suite(renderJunit(r));
    // 3 findings (2 errors, 1 warning); both legs carry an error finding, so no "conforms" case.
    assert.equal(cases.length, 3);
    const failing = cases.filter((c) => findAll(c, "failure").length > 0);
    assert.equal(failing.length, 2);
    assert.deepEqual(failing.map((c) => c.attrs.classname).sort(), [
      "mvsct.rules.dtmf-pt-mismatch",
      "mvsct.rules.ten-second-disconnect",
    ]);
    assert.equal(s.attrs.failures, "2");
    assert.equal(root.attrs.failures, "2");
    assert.equal(s.attrs.errors, "0");
    assert.equal(property(s, "verdict"), "dtmf-validation-failure");
    const pt = failing.find((c) => c.attrs.classname === "mvsct.rules.dtmf-pt-mismatch")!;
    const failure = findAll(pt, "failure")[0]!;
    assert.equal(failure.attrs.message, PT_MISMATCH.message);
    assert.match(failure.text, /Fix: Set the same telephone-event payload type/);
    assert.match(failure.text, /rtp\.p_type == 96/);
    const warn = cases.find((c) => c.attrs.classname === "mvsct.rules.nte-end-retransmits")!;
    assert.equal(findAll(warn, "failure").length, 0);
    assert.match(findAll(warn, "system-out")[0]!.text, /WARNING nte-end-retransmits/);
    assert.match(findAll(s, "system-out").at(-1)!.text, /snaplen/);
  });

  it("a leg with only a warning still gets its 'conforms' testcase", () => {
    const r = mismatchReport();
    r.findings = r.findings.filter((f) => f.severity !== "error");
    const { cases } = suite(renderJunit(r));
    assert.equal(cases.length, 1 + r.legs.length);
    assert.ok(cases.some((c) => c.attrs.name === "leg isr-leg-2@10.1.1.1 conforms"));
  });

  it("empty report: a valid empty testsuite", () => {
    const { suite: s, cases } = suite(renderJunit(emptyReport()));
    assert.equal(cases.length, 0);
    assert.equal(s.attrs.tests, "0");
  });

  it("hostile strings stay text: well-formed XML, values round-trip, no CDATA", () => {
    const r = hostileReport();
    const xml = renderJunit(r);
    assert.ok(!xml.includes("<img"));
    assert.ok(!xml.includes("<![CDATA["));
    assert.ok(!xml.includes(CDATA_END));
    assert.ok(!xml.includes("\u0001"));
    const { suite: s, cases } = suite(xml);
    assert.equal(s.attrs.name, `${HOSTILE}.pcap`);
    assert.equal(property(s, "verdict"), `fail ${HOSTILE}`);
    const conforms = cases.find((c) => c.attrs.classname === "mvsct.legs")!;
    assert.equal(conforms.attrs.name, `leg ${sanitizeChars(r.legs[1]!.callId)} conforms`);
    const failure = findAll(s, "failure")[0]!;
    assert.equal(failure.attrs.message, sanitizeChars(r.findings[0]!.message));
    assert.ok(failure.attrs.message.includes("\uFFFD[31m"), "ESC (forbidden in XML 1.0) is replaced");
    assert.ok(failure.text.includes(`${HOSTILE}${CDATA_END}`));
  });

  it("several captures: one testsuite each, totals add up", () => {
    const root = parseXml(renderJunitSuites([healthyReport(), mismatchReport(), emptyReport()]));
    const suites = findAll(root, "testsuite");
    assert.equal(suites.length, 3);
    assert.equal(root.attrs.tests, "5");
    assert.equal(root.attrs.failures, "2");
  });

  it("property: any string in Call-ID, reason and message gives well-formed XML that round-trips", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 40 }),
        fc.string({ unit: "grapheme", maxLength: 40 }),
        (a, b) => {
          const r: AnalysisReport = mismatchReport();
          r.legs[1]!.callId = a;
          r.findings = [{ ...PT_MISMATCH, legs: [r.legs[0]!.callId], message: b + a, fix: a }];
          r.capture.file = b;
          const { suite: s, cases } = suite(renderJunit(r));
          assert.equal(s.attrs.name, sanitizeChars(b));
          assert.equal(findAll(s, "failure")[0]!.attrs.message, sanitizeChars(b + a));
          assert.ok(cases.some((c) => c.attrs.name === `leg ${sanitizeChars(a)} conforms`));
        },
      ),
      { numRuns: 300, seed: 4733 },
    );
  });
});
