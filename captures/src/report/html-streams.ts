/**
 * The "RTP streams" section: every stream the analyzer saw (tied to a SIP leg or not), with the
 * payload types it carried, telephone-event packets, loss, and PTs the receiver never declared
 * (DOMAIN.md check C1, RFC 3264 §5.1).
 */
import type { RtpStreamSummary } from "../analysis/model.ts";
import { escapeHtml as e } from "./escape.ts";
import { directionLabel, formatSeconds } from "./format.ts";
import type { ReportView } from "./view.ts";

/** The streams section body. */
export function renderStreamsSection(view: ReportView): string {
  if (view.streams.length === 0) return `<p class="empty">No RTP streams were found in this capture.</p>`;
  const rows = view.streams.map(streamRow).join("\n");
  return `<div class="table-wrap"><table data-testid="streams">
<thead><tr><th>From</th><th>To</th><th>SSRC</th><th>Direction</th><th class="num">Packets</th><th>Payload types</th><th class="num">NTE packets</th><th class="num">First (s)</th><th class="num">Last (s)</th><th class="num">Lost</th><th>Undeclared PTs</th><th class="num">First frame</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>`;
}

function streamRow(s: RtpStreamSummary): string {
  const unexpected =
    s.unexpectedPts.length === 0
      ? `<span class="muted">—</span>`
      : `<span class="bad">${e(s.unexpectedPts.join(", "))}</span>`;
  return `<tr data-testid="stream-row">
<td class="mono wrap">${e(s.from)}</td>
<td class="mono wrap">${e(s.to)}</td>
<td class="mono">${e(s.ssrc)}</td>
<td>${s.direction === null ? `<span class="muted">no SIP leg</span>` : e(directionLabel(s.direction))}</td>
<td class="num">${e(s.packets)}</td>
<td class="mono">${e(s.payloadTypes.join(", "))}</td>
<td class="num">${e(s.eventPackets)}</td>
<td class="num">${e(formatSeconds(s.firstS))}</td>
<td class="num">${e(formatSeconds(s.lastS))}</td>
<td class="num${s.lost > 0 ? " bad" : ""}">${e(s.lost)}</td>
<td>${unexpected}</td>
<td class="num">${e(s.firstFrame)}</td>
</tr>`;
}
