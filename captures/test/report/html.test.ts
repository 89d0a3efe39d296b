import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import fc from "fast-check";
import { escapeHtml } from "../../src/report/escape.ts";
import { renderHtml } from "../../src/report/html.ts";
import { LADDER_LIMIT } from "../../src/report/view.ts";
import { byTestId, scanHtml } from "./html-check.ts";
import {
  CDATA_END,
  emptyReport,
  healthyReport,
  HOSTILE,
  hostileReport,
  longLadderReport,
  mismatchReport,
  PT_MISMATCH,
  TEN_SECOND,
} from "./reports.ts";

const dtmfCount = (r: ReturnType<typeof healthyReport>): number =>
  r.legs.reduce((n, l) => n + l.dtmf.length, 0);

describe("renderHtml", () => {
  it("healthy report: green verdict, every section, a row per leg, a mark per digit, an arrow per message", () => {
    const r = healthyReport();
    const html = renderHtml(r);
    const tags = scanHtml(html);
    const verdict = byTestId(tags, "verdict");
    assert.equal(verdict.length, 1);
    assert.equal(verdict[0]!.attrs.get("class"), "verdict healthy");
    assert.match(html, /<span class="value">healthy<\/span>/);
    for (const id of [
      "header",
      "findings",
      "calls",
      "ladder",
      "streams",
      "dtmf-timeline",
      "digit-conservation",
    ]) {
      assert.ok(byTestId(tags, id).length >= 1, `section ${id}`);
    }
    const rows = byTestId(tags, "leg-row");
    assert.deepEqual(
      rows.map((t) => t.attrs.get("data-call-id")),
      r.legs.map((l) => l.callId),
    );
    const marks = byTestId(tags, "dtmf-mark");
    assert.equal(marks.length, dtmfCount(r));
    assert.deepEqual(marks.map((m) => m.attrs.get("data-digit")).join(""), "12341234");
    assert.ok(marks.every((m) => m.attrs.get("data-valid") === "true"));
    assert.equal(byTestId(tags, "ladder-arrow").length, r.ladder!.length);
    assert.equal(byTestId(tags, "ladder-column").length, 3);
    assert.equal(byTestId(tags, "finding").length, 0);
    assert.match(html, /No findings/);
    assert.equal(byTestId(tags, "stream-row").length, r.streams!.length);
  });

  it("every ladder arrow carries its frame, in ladder order within each call group", () => {
    const r = healthyReport();
    const tags = scanHtml(renderHtml(r));
    const frames = byTestId(tags, "ladder-arrow").map((t) => Number(t.attrs.get("data-frame")));
    assert.deepEqual(
      frames,
      r.ladder!.map((m) => m.frame),
    );
    assert.equal(byTestId(tags, "ladder-group").length, 1);

    // Split the two legs into two calls: the ladder groups by call, each group in time order.
    const [a, b] = r.legs;
    r.calls = [
      { id: "c1", legs: [a!.callId], correlation: ["single"] },
      { id: "c2", legs: [b!.callId], correlation: ["single"] },
    ];
    r.ladder!.push({
      frame: 999,
      atS: 0.5,
      from: "127.0.0.1:5070",
      to: "127.0.0.1:9999",
      label: "OPTIONS",
      callId: null,
      kind: "request",
    });
    const split = scanHtml(renderHtml(r));
    const ofCall = (id: string | null): number[] =>
      r.ladder!.filter((m) => m.callId === id).map((m) => m.frame);
    assert.deepEqual(
      byTestId(split, "ladder-arrow").map((t) => Number(t.attrs.get("data-frame"))),
      [...ofCall(a!.callId), ...ofCall(b!.callId), ...ofCall(null)],
    );
    assert.deepEqual(
      byTestId(split, "ladder-group").map((t) => t.attrs.get("data-call-index")),
      ["1", "2", "-1"],
    );
    assert.equal(byTestId(split, "ladder-column").length, 4);
  });

  it("mismatch report: red verdict, errors first with fix and copyable filter, invalid marks, flagged legs", () => {
    const r = mismatchReport();
    const html = renderHtml(r);
    const tags = scanHtml(html);
    assert.equal(byTestId(tags, "verdict")[0]!.attrs.get("class"), "verdict error");
    const findings = byTestId(tags, "finding");
    assert.deepEqual(
      findings.map((f) => f.attrs.get("data-severity")),
      ["error", "error", "warning"],
    );
    assert.deepEqual(
      findings.map((f) => f.attrs.get("data-rule")),
      [TEN_SECOND.rule, PT_MISMATCH.rule, "nte-end-retransmits"],
    );
    assert.ok(html.includes(escapeHtml(PT_MISMATCH.fix)));
    assert.ok(
      html.includes(`<code data-testid="finding-filter">${escapeHtml(TEN_SECOND.evidence.filter)}</code>`),
    );
    assert.ok(html.includes(`caused by <a href="#finding-1">`), "causedBy links to the cause's card");
    const marks = byTestId(tags, "dtmf-mark");
    assert.equal(marks.length, 3);
    assert.ok(marks.every((m) => m.attrs.get("data-valid") === "false"));
    assert.ok(html.includes("PT 96 not negotiated (telephone-event is 101)"));
    assert.ok(byTestId(tags, "leg-row").every((t) => t.attrs.get("class") === "has-error"));
    assert.ok(html.includes("caller 96 / callee 101"), "asymmetric telephone-event PTs are shown");
    assert.ok(html.includes("Q.850;cause=16"));
    assert.ok(html.includes("10.020 s after answer"));
    assert.ok(html.includes("digits NOT conserved"));
    assert.equal(byTestId(tags, "capture-warnings").length, 1);
  });

  it("empty report renders every section with an explanation", () => {
    const html = renderHtml(emptyReport());
    const tags = scanHtml(html);
    for (const id of ["verdict", "findings", "calls", "ladder", "streams"])
      assert.equal(byTestId(tags, id).length, 1, id);
    assert.equal(byTestId(tags, "leg-row").length, 0);
    assert.match(html, /No SIP calls/);
    assert.match(html, /No RTP streams/);
  });

  it("hostile strings render as text: no injected tag, attribute or stray '<'", () => {
    const r = hostileReport();
    const html = renderHtml(r);
    const tags = scanHtml(html); // throws on any tag or '<' we did not write
    assert.ok(!html.includes("<img"));
    assert.equal(html.match(/<script/g)?.length, 1, "only our own script tag");
    assert.ok(html.includes(escapeHtml(HOSTILE)));
    assert.ok(html.includes(escapeHtml(CDATA_END)));
    assert.ok(!/[\u0001\u001b]/.test(html), "control characters are replaced");
    assert.equal(byTestId(tags, "leg-row")[0]!.attrs.get("data-call-id"), escapeHtml(r.legs[0]!.callId));
    assert.equal(byTestId(tags, "dtmf-mark").length, 2);
    assert.equal(byTestId(tags, "ladder-arrow").length, 4);
    assert.ok(html.startsWith("<!DOCTYPE html>"));
    assert.match(html, /<title>fail &lt;\/script&gt;/);
  });

  it("is self-contained: no URL, and the CSP admits exactly the inline style and script by hash", () => {
    const html = renderHtml(mismatchReport());
    assert.ok(!/https?:|url\((?!#)|@import|\bsrc=/i.test(html), "only same-document url(#id) references");
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    assert.ok(csp !== undefined);
    assert.match(csp, /default-src 'none'/);
    const hash = (s: string): string => `sha256-${createHash("sha256").update(s).digest("base64")}`;
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    assert.ok(csp.includes(`style-src '${hash(style)}'`));
    assert.ok(csp.includes(`script-src '${hash(script)}'`));
  });

  it(`caps the ladder at ${LADDER_LIMIT} arrows and says how many were left out`, () => {
    const html = renderHtml(longLadderReport(LADDER_LIMIT + 120));
    const tags = scanHtml(html);
    assert.equal(byTestId(tags, "ladder-arrow").length, LADDER_LIMIT);
    assert.equal(byTestId(tags, "ladder-omitted").length, 1);
    assert.match(html, /120 more not drawn/);
    assert.equal(byTestId(scanHtml(renderHtml(longLadderReport(LADDER_LIMIT))), "ladder-omitted").length, 0);
  });

  it("is deterministic", () => {
    assert.equal(renderHtml(mismatchReport()), renderHtml(mismatchReport()));
  });

  it("property: any string in Call-ID, label, reason, digit or verdict stays text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 30 }), fc.string({ maxLength: 30 }), (a, b) => {
        const r = mismatchReport();
        r.verdict = a;
        r.legs[0]!.callId = a + b;
        r.legs[0]!.dtmf[0]!.digit = b;
        r.legs[1]!.bye!.reason = a;
        r.ladder![0]!.label = b + a;
        r.ladder![1]!.from = a;
        const tags = scanHtml(renderHtml(r));
        assert.equal(byTestId(tags, "ladder-arrow").length, r.ladder!.length);
        assert.equal(byTestId(tags, "dtmf-mark").length, 3);
      }),
      { numRuns: 200, seed: 3261 },
    );
  });
});
