/**
 * `renderJunit`: the analysis as JUnit XML for Jenkins and GitLab. One <testsuite> per capture;
 * one <testcase> per finding (an error finding carries <failure>, a warning or info finding passes
 * with its text in <system-out>), and one passing "leg <Call-ID> conforms" per leg that no error
 * finding names. Everything from the capture is XML-escaped; no CDATA, so `]]>` is just text.
 *
 * Shape (the subset of the Ant JUnit schema both CI systems read):
 *   <testsuites name tests failures errors skipped>
 *     <testsuite name tests failures errors skipped time>
 *       <properties><property name value/>…</properties>
 *       <testcase classname name time>[<failure message type>text</failure>][<system-out>…]</testcase>
 */
import type { AnalysisReport, Finding, Leg } from "../analysis/model.ts";
import { escapeXml as x, escapeXmlAttr as a } from "./escape.ts";
import {
  byeLabel,
  codecLabel,
  formatSeconds,
  framesLabel,
  statusLabel,
  telephoneEventLabel,
} from "./format.ts";
import { buildView, type ReportView } from "./view.ts";

interface Case {
  classname: string;
  name: string;
  failure?: { message: string; type: string; text: string };
  out?: string;
}

/** JUnit XML for one capture. */
export function renderJunit(report: AnalysisReport): string {
  return renderJunitSuites([report]);
}

/** JUnit XML for several captures: one <testsuite> each, inside one <testsuites>. */
export function renderJunitSuites(reports: readonly AnalysisReport[]): string {
  const suites = reports.map((r) => suiteOf(buildView(r)));
  const tests = suites.reduce((n, s) => n + s.cases.length, 0);
  const failures = suites.reduce((n, s) => n + s.failures, 0);
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="mvsct analyze" tests="${tests}" failures="${failures}" errors="0" skipped="0" time="0">
${suites.map((s) => s.xml).join("\n")}
</testsuites>
`;
}

function suiteOf(view: ReportView): { xml: string; cases: Case[]; failures: number } {
  const r = view.report;
  const cases: Case[] = [...r.findings.map((f) => findingCase(f, view)), ...conformingLegCases(view)];
  const failures = cases.filter((c) => c.failure !== undefined).length;
  const props: [string, string | number][] = [
    ["verdict", r.verdict],
    ["schema", r.schema],
    ["capture.file", r.capture.file],
    ["capture.format", r.capture.format],
    ["capture.packets", r.capture.packets],
    ["capture.durationS", r.capture.durationS],
    ["calls", r.calls.length],
    ["legs", r.legs.length],
    ["findings.error", view.counts.error],
    ["findings.warning", view.counts.warning],
    ["findings.info", view.counts.info],
  ];
  const warnings = r.capture.warnings ?? [];
  const sysOut =
    warnings.length === 0
      ? ""
      : `\n    <system-out>${x(warnings.map((w) => `capture warning: ${w}`).join("\n"))}</system-out>`;
  const xml = `  <testsuite name="${a(r.capture.file)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0" time="0">
    <properties>
${props.map(([n, v]) => `      <property name="${a(n)}" value="${a(v)}"/>`).join("\n")}
    </properties>
${cases.map(caseXml).join("\n")}${sysOut}
  </testsuite>`;
  return { xml, cases, failures };
}

function caseXml(c: Case): string {
  const open = `    <testcase classname="${a(c.classname)}" name="${a(c.name)}" time="0"`;
  if (c.failure === undefined && c.out === undefined) return `${open}/>`;
  const failure =
    c.failure === undefined
      ? ""
      : `\n      <failure message="${a(c.failure.message)}" type="${a(c.failure.type)}">${x(c.failure.text)}</failure>`;
  const out = c.out === undefined ? "" : `\n      <system-out>${x(c.out)}</system-out>`;
  return `${open}>${failure}${out}\n    </testcase>`;
}

function findingCase(f: Finding, view: ReportView): Case {
  const legs = f.legs.length === 0 ? "capture" : f.legs.join(", ");
  const text = [
    `${f.severity.toUpperCase()} ${f.rule}: ${f.message}`,
    `Fix: ${f.fix}`,
    `Legs: ${f.legs.length === 0 ? "(whole capture)" : f.legs.map((id) => `${view.legLabels.get(id) ?? "?"} ${id}`).join(", ")}`,
    `Evidence frames: ${framesLabel(f.evidence.frames, 100)}`,
    `Wireshark filter: ${f.evidence.filter}`,
    ...(f.causedBy === undefined ? [] : [`Caused by: ${f.causedBy}`]),
  ].join("\n");
  const c: Case = { classname: `mvsct.rules.${f.rule}`, name: `${f.rule} [${legs}]` };
  if (f.severity === "error") c.failure = { message: f.message, type: f.rule, text };
  else c.out = text;
  return c;
}

function conformingLegCases(view: ReportView): Case[] {
  return view.report.legs
    .filter((leg) => !view.errorLegs.has(leg.callId))
    .map((leg) => ({ classname: "mvsct.legs", name: `leg ${leg.callId} conforms`, out: legSummary(leg) }));
}

function legSummary(leg: Leg): string {
  return [
    `${leg.caller} -> ${leg.callee} (${leg.transport.toUpperCase()}), final ${statusLabel(leg.finalStatus)}`,
    `codec ${codecLabel(leg.codec)}, telephone-event ${telephoneEventLabel(leg)}`,
    `answered at ${formatSeconds(leg.answeredAtS)} s, ${leg.dtmf.length} DTMF digit(s), ${byeLabel(leg.bye)}`,
  ].join("\n");
}
