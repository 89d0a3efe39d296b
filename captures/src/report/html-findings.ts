/**
 * The "Findings" section: one card per finding, errors first — what is wrong, how to fix it, the
 * frames that prove it and the Wireshark display filter that shows them, ready to copy.
 */
import type { Finding } from "../analysis/model.ts";
import { escapeHtml as e } from "./escape.ts";
import { framesLabel } from "./format.ts";
import type { ReportView } from "./view.ts";

/** The findings section body. */
export function renderFindingsSection(view: ReportView): string {
  if (view.findings.length === 0) {
    return `<p class="empty">No findings: every rule passed on every leg.</p>`;
  }
  const firstByRule = new Map<string, number>();
  view.findings.forEach((f, i) => {
    if (!firstByRule.has(f.rule)) firstByRule.set(f.rule, i);
  });
  return view.findings.map((f, i) => findingCard(f, i, view, firstByRule)).join("\n");
}

function findingCard(
  f: Finding,
  i: number,
  view: ReportView,
  firstByRule: ReadonlyMap<string, number>,
): string {
  const legs =
    f.legs.length === 0
      ? `<span class="muted small">whole capture</span>`
      : `<span class="muted small wrap">${f.legs
          .map((id) => {
            const label = view.legLabels.get(id);
            return `${label === undefined ? "" : `<b>${e(label)}</b> `}<span class="mono">${e(id)}</span>`;
          })
          .join(" · ")}</span>`;
  let cause = "";
  if (f.causedBy !== undefined) {
    const target = firstByRule.get(f.causedBy);
    const name = `<span class="mono">${e(f.causedBy)}</span>`;
    cause = `<span class="small">caused by ${target === undefined ? name : `<a href="#finding-${target}">${name}</a>`}</span>`;
  }
  const filter =
    f.evidence.filter === ""
      ? ""
      : `<div class="filter"><span class="small muted">Wireshark filter</span><code data-testid="finding-filter">${e(f.evidence.filter)}</code><button type="button" data-copy>Copy</button></div>`;
  return `<article class="finding ${e(f.severity)}" id="finding-${i}" data-testid="finding" data-rule="${e(f.rule)}" data-severity="${e(f.severity)}">
<div class="title"><span class="chip ${e(f.severity)}">${e(f.severity)}</span><span class="rule">${e(f.rule)}</span>${legs}${cause}</div>
<p class="message wrap">${e(f.message)}</p>
<p class="fix wrap" data-testid="finding-fix"><b>Fix:</b> ${e(f.fix)}</p>
<div class="small">Evidence frames: <span class="mono">${e(framesLabel(f.evidence.frames, 40))}</span></div>
${filter}
</article>`;
}
