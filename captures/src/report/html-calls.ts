/**
 * The "Calls" section: per call its legs table, its DTMF timeline and, when the analyzer matched
 * digits across legs, the digit-conservation table with relay latency (DOMAIN.md check C8).
 */
import type { Call, Leg } from "../analysis/model.ts";
import { escapeHtml as e } from "./escape.ts";
import {
  codecLabel,
  formatMs,
  formatSeconds,
  statusLabel,
  telephoneEventAsymmetric,
  telephoneEventLabel,
} from "./format.ts";
import { renderDtmfTimeline } from "./html-dtmf-timeline.ts";
import type { CallView, ReportView } from "./view.ts";

/** The calls section body (every call, then legs tied to no call). */
export function renderCallsSection(view: ReportView): string {
  if (view.calls.length === 0) {
    return `<p class="empty">No SIP calls (INVITE dialogs) were found in this capture.</p>`;
  }
  return view.calls.map((c) => renderCall(c, view.errorLegs)).join("\n");
}

function renderCall(c: CallView, errorLegs: ReadonlySet<string>): string {
  const tags = (c.call?.correlation ?? []).map(
    (t) => `<span class="tag" title="legs tied by">${e(t)}</span>`,
  );
  const missing =
    c.missingLegIds.length > 0
      ? `<p class="note">Legs named by this call but absent from the report: ${c.missingLegIds
          .map((id) => `<code>${e(id)}</code>`)
          .join(", ")}</p>`
      : "";
  const id = c.call === null ? "" : `<span class="mono muted wrap">${e(c.call.id)}</span>`;
  return `<div class="call" data-testid="call" data-call-index="${c.index}">
  <div class="call-head"><h3>${e(c.title)}</h3>${id}${tags.join("")}<span class="muted small">${c.legs.length} leg${c.legs.length === 1 ? "" : "s"} · ${c.dtmf.length} digit${c.dtmf.length === 1 ? "" : "s"}</span></div>
  ${legsTable(c.legs, errorLegs)}
  ${missing}
  ${renderDtmfTimeline(c)}
  ${c.call === null ? "" : conservationTable(c.call)}
</div>`;
}

function legsTable(legs: Leg[], errorLegs: ReadonlySet<string>): string {
  const rows = legs.map((leg, i) => legRow(leg, i, errorLegs.has(leg.callId))).join("\n");
  return `<div class="table-wrap"><table data-testid="legs">
<thead><tr><th>Leg</th><th>Call-ID</th><th>Caller</th><th>Callee</th><th>Transport</th><th class="num">Final</th><th>Codec</th><th>telephone-event PT</th><th class="num">INVITE → answer (s)</th><th>BYE / CANCEL</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>`;
}

function legRow(leg: Leg, i: number, hasError: boolean): string {
  const status = leg.finalStatus;
  const statusClass = status === null ? "muted" : status >= 300 ? "bad" : status >= 200 ? "good" : "";
  const from = leg.fromUser === null ? "" : `<span class="sub">From: ${e(leg.fromUser)}</span>`;
  const ruri = leg.requestUser === null ? "" : `<span class="sub">R-URI: ${e(leg.requestUser)}</span>`;
  const to = leg.toUser === null ? "" : `<span class="sub">To: ${e(leg.toUser)}</span>`;
  const te = telephoneEventLabel(leg);
  const teClass = telephoneEventAsymmetric(leg) || leg.telephoneEventPt === null ? "bad" : "";
  const offer = leg.offerIn === null ? "" : `<span class="sub">offer in ${e(leg.offerIn)}</span>`;
  return `<tr data-testid="leg-row" data-call-id="${e(leg.callId)}"${hasError ? ` class="has-error"` : ""}>
<td class="mono">L${i + 1}</td>
<td class="mono cid">${e(leg.callId)}${leg.ciscoGuid ? `<span class="sub">GUID ${e(leg.ciscoGuid)}</span>` : ""}</td>
<td class="mono nowrap">${e(leg.caller)}${from}</td>
<td class="mono nowrap">${e(leg.callee)}${ruri}${to}</td>
<td>${e(leg.transport.toUpperCase())}</td>
<td class="num ${statusClass}">${e(statusLabel(status))}</td>
<td class="nowrap">${e(codecLabel(leg.codec))}${offer}</td>
<td class="nowrap ${teClass}">${e(te)}</td>
<td class="num">${e(formatSeconds(leg.inviteAtS))} → ${leg.answeredAtS === null ? `<span class="muted">not answered</span>` : e(formatSeconds(leg.answeredAtS))}</td>
<td class="bye">${byeCell(leg)}</td>
</tr>`;
}

function byeCell(leg: Leg): string {
  const bye = leg.bye;
  if (bye === null) return `<span class="muted">—</span>`;
  const after =
    bye.afterAnswerS === null ? "before answer" : `${formatSeconds(bye.afterAnswerS)} s after answer`;
  const reason =
    bye.reason === null || bye.reason === "" ? "" : `<span class="sub wrap">${e(bye.reason)}</span>`;
  return `<b>${e(bye.method)}</b> by ${e(bye.sender)}<span class="sub">${e(after)} · frame ${e(bye.frame)}</span>${reason}`;
}

function conservationTable(call: Call): string {
  const dc = call.digitConservation;
  if (dc === undefined) return "";
  const verdict = dc.conserved
    ? `<span class="good">digits conserved</span>`
    : `<span class="bad">digits NOT conserved</span>`;
  const rows = dc.legs
    .map((l) => {
      const same = l.digits === dc.entered;
      const lat = l.latencyMs.length === 0 ? "—" : l.latencyMs.map((ms) => formatMs(ms)).join(", ");
      return `<tr data-testid="conservation-row"><td class="mono wrap">${e(l.callId)}</td><td class="mono ${same ? "" : "bad"}">${e(l.digits === "" ? "(none)" : l.digits)}</td><td class="small">${e(lat)}</td></tr>`;
    })
    .join("\n");
  return `<div class="conservation" data-testid="digit-conservation">
<h3>Digit conservation and relay latency</h3>
<p class="small">Entered on the first leg: <code>${e(dc.entered === "" ? "(none)" : dc.entered)}</code> — ${verdict}</p>
<div class="table-wrap"><table><thead><tr><th>Leg</th><th>Digits that left</th><th>Relay latency per digit</th></tr></thead>
<tbody>
${rows}
</tbody></table></div></div>`;
}
