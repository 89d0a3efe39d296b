import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderText } from "../../src/report/text.ts";
import {
  emptyReport,
  ESC_SEQ,
  healthyReport,
  hostileReport,
  longLadderReport,
  mismatchReport,
  PT_MISMATCH,
  TEN_SECOND,
} from "./reports.ts";

const ESC = "\u001b";

describe("renderText", () => {
  it("puts the verdict on the first line", () => {
    assert.match(renderText(healthyReport()).split("\n")[0]!, /^VERDICT: healthy\b/);
    assert.match(
      renderText(mismatchReport()).split("\n")[0]!,
      /^VERDICT: dtmf-validation-failure \s*\(2 errors, 1 warning, 0 info\)/,
    );
    assert.match(renderText(emptyReport()).split("\n")[0]!, /^VERDICT: healthy\b/);
  });

  it("lists each leg with its codec and telephone-event PT", () => {
    const out = renderText(mismatchReport());
    assert.match(out, /L1 {2}isr-leg-2@10\.1\.1\.1 {2}UDP {2}final 200/);
    assert.match(
      out,
      /codec PCMU\/8000 \(PT 0\) · telephone-event caller 96 \/ callee 101 · BYE by callee, 10\.050 s after answer/,
    );
    assert.match(out, /BYE by callee, 10\.020 s after answer, Q\.850;cause=16/);
  });

  it("has a DTMF timeline row per digit, across legs in time order", () => {
    const r = healthyReport();
    const lines = renderText(r).split("\n");
    const head = lines.findIndex((l) =>
      /time \(s\)\s+leg\s+direction\s+digit\s+method\s+PT\s+duration\s+valid/.test(l),
    );
    assert.ok(head > 0, "table header");
    const rows = lines.slice(head + 1, head + 1 + 8);
    const expected = r.legs
      .flatMap((leg, i) => leg.dtmf.map((ev) => ({ atS: ev.atS, leg: `L${i + 1}`, digit: ev.digit })))
      .sort((a, b) => a.atS - b.atS);
    assert.equal(rows.length, expected.length);
    rows.forEach((row, i) => {
      const cols = row.trim().split(/\s{2,}/);
      assert.equal(Number(cols[0]), expected[i]!.atS);
      assert.equal(cols[1], expected[i]!.leg);
      assert.equal(cols[3], expected[i]!.digit);
      assert.equal(cols.at(-1), "yes");
    });
    assert.match(rows[0]!, /RFC 2833\/4733\s+101\s+120 ms/);
    assert.match(rows[1]!, /KPML\s+—\s+—/);
  });

  it("marks invalid digits with their reason and shows digit conservation", () => {
    const out = renderText(mismatchReport());
    assert.equal(out.match(/NO — PT 96 not negotiated \(telephone-event is 101\)/g)?.length, 3);
    assert.match(out, /Digits entered: 567 — NOT conserved/);
  });

  it("lists findings errors first, each with its fix and Wireshark filter", () => {
    const out = renderText(mismatchReport());
    const ten = out.indexOf(`ERROR ${TEN_SECOND.rule}`);
    const pt = out.indexOf(`ERROR ${PT_MISMATCH.rule}`);
    const warn = out.indexOf("WARNING nte-end-retransmits");
    assert.ok(ten > 0 && pt > ten && warn > pt);
    assert.ok(out.includes(`Fix: ${PT_MISMATCH.fix}`));
    assert.ok(out.includes(`Wireshark: ${PT_MISMATCH.evidence.filter}`));
    assert.ok(out.includes("caused by dtmf-pt-mismatch"));
  });

  it("draws a compact ladder: requests point right, responses back, grouped by call", () => {
    const out = renderText(healthyReport());
    assert.match(out, /^ {3}0\.000 {2}127\.0\.0\.1:5060 ─+INVITE─+▶ 127\.0\.0\.1:5070 {2}#1$/m);
    assert.match(out, /^ {3}1\.200 {2}127\.0\.0\.1:5060 ◀─+200 OK─+ 127\.0\.0\.1:5070 {2}#4$/m);
    assert.match(out, /── Call 1 \(14\) ──/);
    const capped = renderText(longLadderReport(30), { ladderLimit: 10 });
    assert.equal(capped.match(/ #\d+$/gm)?.length, 10);
    assert.match(capped, /… 20 more not shown/);
  });

  it("empty report says so in every section", () => {
    const out = renderText(emptyReport());
    assert.match(out, /No SIP calls/);
    assert.match(out, /FINDINGS \(0\)\n {2}none/);
    assert.match(out, /SIP LADDER \(0 messages\)\n {2}none/);
  });

  it("uses ANSI colour only when asked", () => {
    assert.ok(!renderText(mismatchReport()).includes(ESC));
    const coloured = renderText(mismatchReport(), { color: true });
    assert.ok(coloured.startsWith(`${ESC}[1;31mVERDICT: dtmf-validation-failure${ESC}[0m`));
    assert.ok(renderText(healthyReport(), { color: true }).startsWith(`${ESC}[1;32mVERDICT: healthy`));
  });

  it("neutralises terminal control sequences from the capture", () => {
    const plain = renderText(hostileReport());
    assert.ok(!plain.includes(ESC), "no raw ESC from the capture");
    assert.ok(!plain.includes("\u202e") && !plain.includes("\u0001"));
    assert.ok(plain.includes("\\x1b[31mboss"));
    const coloured = renderText(hostileReport(), { color: true });
    assert.ok(!coloured.includes(ESC_SEQ + "boss") && !coloured.includes(ESC_SEQ + "red"));
    assert.ok(plain.includes("</script><img src=x onerror=alert(1)>"), "text output keeps markup as is");
  });
});
