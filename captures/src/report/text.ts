/**
 * `renderText`: the default human output of `mvsct analyze`. The verdict comes first (a script or
 * a tired engineer reads one line), then per call its legs with codecs and DTMF PTs, a DTMF
 * timeline table across legs, the findings with their fixes, a compact SIP ladder and the RTP
 * streams. ANSI colour only when `opts.color`; capture strings are neutralised for the terminal.
 */
import type { AnalysisReport, Finding, Leg } from "../analysis/model.ts";
import {
  byeLabel,
  codecLabel,
  directionLabel,
  formatMs,
  formatSeconds,
  framesLabel,
  METHOD_LABELS,
  plural,
  statusLabel,
  telephoneEventAsymmetric,
  telephoneEventLabel,
} from "./format.ts";
import { renderTable } from "./text-table.ts";
import { renderTextLadder } from "./text-ladder.ts";
import { painter, safeText as t, type Paint, type Style } from "./text-style.ts";
import { buildView, LADDER_LIMIT, type CallView, type ReportView } from "./view.ts";

export interface TextOptions {
  /** ANSI colours (default false) */
  color?: boolean;
  /** ladder lines drawn at most (default LADDER_LIMIT) */
  ladderLimit?: number;
}

/** Renders the report for a terminal or a log file; ends with a newline. */
export function renderText(report: AnalysisReport, opts: TextOptions = {}): string {
  const paint = painter(opts.color === true);
  const view = buildView(report, opts.ladderLimit ?? LADDER_LIMIT);
  const out: string[] = [verdictLine(view, paint), ...captureLines(view, paint)];

  out.push("", paint("CALLS", "bold"));
  if (view.calls.length === 0) out.push("  No SIP calls (INVITE dialogs) found in this capture.");
  for (const c of view.calls) out.push(...callLines(c, view, paint));

  out.push("", paint(`FINDINGS (${view.findings.length})`, "bold"));
  if (view.findings.length === 0) out.push("  none — every rule passed on every leg");
  for (const f of view.findings) out.push(...findingLines(f, view, paint));

  const ladder = renderTextLadder(view.ladder, paint);
  out.push("", paint(`SIP LADDER (${plural(view.ladder.drawn + view.ladder.omitted, "message")})`, "bold"));
  out.push(...(ladder.length === 0 ? ["  none"] : ladder));

  out.push("", paint(`RTP STREAMS (${view.streams.length})`, "bold"));
  if (view.streams.length === 0) out.push("  none");
  else {
    out.push(
      ...renderTable(
        [
          { title: "from" },
          { title: "to" },
          { title: "SSRC" },
          { title: "packets", align: "right" },
          { title: "PTs" },
          { title: "NTE", align: "right" },
          { title: "lost", align: "right" },
          { title: "undeclared PTs" },
        ],
        view.streams.map((s) => [
          t(s.from),
          t(s.to),
          t(s.ssrc),
          t(s.packets),
          t(s.payloadTypes.join(",")),
          t(s.eventPackets),
          s.lost > 0 ? { text: t(s.lost), style: "red" } : t(s.lost),
          s.unexpectedPts.length > 0 ? { text: t(s.unexpectedPts.join(",")), style: "red" } : "—",
        ]),
        paint,
      ),
    );
  }
  return out.join("\n") + "\n";
}

function verdictLine(view: ReportView, paint: Paint): string {
  const style: Style =
    view.tone === "healthy" ? "boldGreen" : view.tone === "error" ? "boldRed" : "boldYellow";
  const { error, warning, info } = view.counts;
  return `${paint(`VERDICT: ${t(view.report.verdict)}`, style)}  (${plural(error, "error")}, ${plural(warning, "warning")}, ${info} info)`;
}

function captureLines(view: ReportView, paint: Paint): string[] {
  const r = view.report;
  const other = Object.entries(r.otherSip ?? {}).map(([m, n]) => `${t(m)} ${t(n)}`);
  const lines = [
    `Capture: ${t(r.capture.file)} (${t(r.capture.format)}) · ${t(r.capture.packets)} packets · ${formatSeconds(r.capture.durationS)} s · ${plural(r.calls.length, "call")} · ${plural(r.legs.length, "leg")} · ${plural(view.streams.length, "RTP stream")}`,
  ];
  if (other.length > 0) lines.push(`Other SIP: ${other.join(", ")}`);
  for (const w of r.capture.warnings ?? []) lines.push(paint(`  warning: ${t(w)}`, "yellow"));
  return lines;
}

function callLines(c: CallView, view: ReportView, paint: Paint): string[] {
  const corr =
    c.call === null || c.call.correlation.length === 0 ? "" : `  [${c.call.correlation.map(t).join(", ")}]`;
  const lines = ["", paint(`${t(c.title)}${c.call === null ? "" : `  ${t(c.call.id)}`}`, "bold") + corr];
  c.legs.forEach((leg, i) => lines.push(...legLines(leg, i, view.errorLegs.has(leg.callId), paint)));
  for (const id of c.missingLegIds)
    lines.push(paint(`  (leg ${t(id)} named by the call but absent from the report)`, "yellow"));

  if (c.dtmf.length === 0) {
    lines.push("  DTMF: none seen on any leg");
  } else {
    lines.push("  DTMF timeline:");
    lines.push(
      ...renderTable(
        [
          { title: "time (s)", align: "right" },
          { title: "leg" },
          { title: "direction" },
          { title: "digit" },
          { title: "method" },
          { title: "PT", align: "right" },
          { title: "duration", align: "right" },
          { title: "valid" },
        ],
        c.dtmf.map(({ event: ev, legIndex }) => [
          formatSeconds(ev.atS),
          `L${legIndex + 1}`,
          directionLabel(ev.direction),
          { text: t(ev.digit), style: "bold" },
          METHOD_LABELS[ev.method] ?? t(ev.method),
          ev.pt === undefined ? "—" : t(ev.pt),
          formatMs(ev.durationMs),
          ev.valid
            ? { text: lostNote(ev.startLost, ev.endLost, "yes"), style: "green" }
            : {
                text: `NO${ev.invalidReason === undefined ? "" : ` — ${t(ev.invalidReason)}`}`,
                style: "red",
              },
        ]),
        paint,
        "    ",
      ),
    );
  }
  const dc = c.call?.digitConservation;
  if (dc !== undefined) {
    const mark = dc.conserved ? paint("conserved", "green") : paint("NOT conserved", "red");
    lines.push(`  Digits entered: ${t(dc.entered) || "(none)"} — ${mark}`);
    for (const l of dc.legs) {
      const label = view.legLabels.get(l.callId) ?? "leg";
      const lat =
        l.latencyMs.length === 0 ? "" : `  relay latency ${l.latencyMs.map((ms) => formatMs(ms)).join(", ")}`;
      lines.push(`    ${label} ${t(l.callId)}: ${t(l.digits) || "(none)"}${lat}`);
    }
  }
  return lines;
}

function lostNote(startLost: boolean | undefined, endLost: boolean | undefined, base: string): string {
  const notes = [startLost === true ? "start lost" : "", endLost === true ? "no end" : ""].filter(
    (s) => s !== "",
  );
  return notes.length === 0 ? base : `${base} (${notes.join(", ")})`;
}

function legLines(leg: Leg, i: number, hasError: boolean, paint: Paint): string[] {
  const status = leg.finalStatus;
  const statusText = `final ${statusLabel(status)}`;
  const statusPainted =
    status === null
      ? paint(statusText, "yellow")
      : status >= 300
        ? paint(statusText, "red")
        : paint(statusText, "green");
  const users = [
    leg.fromUser === null ? "" : `From ${t(leg.fromUser)}`,
    leg.requestUser === null ? "" : `R-URI ${t(leg.requestUser)}`,
    leg.toUser === null ? "" : `To ${t(leg.toUser)}`,
  ].filter((s) => s !== "");
  const te = `telephone-event ${t(telephoneEventLabel(leg))}`;
  const tePainted = telephoneEventAsymmetric(leg) || leg.telephoneEventPt === null ? paint(te, "red") : te;
  const answered = leg.answeredAtS === null ? "not answered" : `answered ${formatSeconds(leg.answeredAtS)} s`;
  const marker = hasError ? paint("✗", "red") : " ";
  return [
    `${marker} L${i + 1}  ${paint(t(leg.callId), "bold")}  ${t(leg.transport.toUpperCase())}  ${statusPainted}  INVITE ${formatSeconds(leg.inviteAtS)} s  ${answered}`,
    `      ${t(leg.caller)} → ${t(leg.callee)}${users.length === 0 ? "" : `  (${users.join(", ")})`}`,
    `      codec ${t(codecLabel(leg.codec))} · ${tePainted} · ${t(byeLabel(leg.bye))}`,
  ];
}

function findingLines(f: Finding, view: ReportView, paint: Paint): string[] {
  const sev: Style = f.severity === "error" ? "boldRed" : f.severity === "warning" ? "boldYellow" : "blue";
  const legs =
    f.legs.length === 0 ? "whole capture" : f.legs.map((id) => view.legLabels.get(id) ?? t(id)).join(", ");
  const lines = [
    "",
    `  ${paint(f.severity.toUpperCase(), sev)} ${paint(t(f.rule), "bold")}  [${t(legs)}]${f.causedBy === undefined ? "" : `  caused by ${t(f.causedBy)}`}`,
    `    ${t(f.message)}`,
    `    ${paint("Fix:", "green")} ${t(f.fix)}`,
    `    Evidence: frames ${framesLabel(f.evidence.frames)}`,
  ];
  if (f.evidence.filter !== "") lines.push(`    Wireshark: ${t(f.evidence.filter)}`);
  return lines;
}
