/**
 * The report page's one stylesheet, inlined (the page must open offline from a ticket or an
 * e-mail). Colours follow the usual traffic-light reading: green healthy, amber warning, red error.
 */
export const REPORT_CSS = `
:root {
  --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #f6f8fa; --card: #ffffff;
  --ok: #1a7f37; --ok-bg: #dafbe1; --warn: #9a6700; --warn-bg: #fff8c5; --err: #cf222e; --err-bg: #ffebe9;
  --info: #0969da; --info-bg: #ddf4ff; --accent: #0969da;
  --mono: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace;
}
* { box-sizing: border-box; }
html { background: var(--bg); }
body { margin: 0; color: var(--fg); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
main { max-width: 1280px; margin: 0 auto; padding: 20px 24px 40px; }
h1, h2, h3 { margin: 0; line-height: 1.25; }
h2 { font-size: 18px; }
h3 { font-size: 15px; }
a { color: var(--accent); }
code, .mono { font-family: var(--mono); font-size: 12.5px; }
.muted { color: var(--muted); }
.small { font-size: 12px; }
.wrap { overflow-wrap: anywhere; }

header.top { display: flex; gap: 24px; align-items: stretch; background: var(--card); border: 1px solid var(--line);
  border-radius: 10px; padding: 20px; margin-bottom: 16px; }
.verdict { min-width: 260px; border-radius: 8px; padding: 14px 20px; color: #fff; display: flex; flex-direction: column; justify-content: center; }
.verdict .label { font-size: 11px; text-transform: uppercase; letter-spacing: .08em; opacity: .9; }
.verdict .value { font-size: 30px; font-weight: 700; overflow-wrap: anywhere; }
.verdict.healthy { background: var(--ok); }
.verdict.warning { background: var(--warn); }
.verdict.error { background: var(--err); }
.capture { flex: 1; min-width: 0; }
.capture h1 { font-size: 20px; margin-bottom: 6px; overflow-wrap: anywhere; }
.facts { display: flex; flex-wrap: wrap; gap: 6px 22px; margin: 8px 0 0; padding: 0; list-style: none; }
.facts b { font-weight: 600; }
.counts { display: flex; gap: 8px; margin-top: 12px; flex-wrap: wrap; }
.chip { display: inline-block; border-radius: 999px; padding: 1px 10px; font-size: 12px; font-weight: 600; border: 1px solid transparent; }
.chip.error { background: var(--err-bg); color: var(--err); border-color: #ffcecb; }
.chip.warning { background: var(--warn-bg); color: var(--warn); border-color: #f5e0a0; }
.chip.info { background: var(--info-bg); color: var(--info); border-color: #b6e3ff; }
.chip.ok { background: var(--ok-bg); color: var(--ok); border-color: #aceebb; }
.warnings { margin: 12px 0 0; padding: 8px 12px 8px 28px; background: var(--warn-bg); border: 1px solid #f5e0a0; border-radius: 6px; }

nav.toc { display: flex; gap: 16px; margin: 0 0 16px; padding: 0 4px; font-size: 13px; flex-wrap: wrap; }
nav.toc .tools { margin-left: auto; display: flex; gap: 8px; }
button { font: inherit; font-size: 12px; border: 1px solid var(--line); background: var(--bg); color: var(--fg); border-radius: 6px; padding: 2px 10px; cursor: pointer; }
button:hover { background: #eaeef2; }

section.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; margin-bottom: 16px; }
section.card > details > summary, section.card > .head { padding: 12px 18px; cursor: pointer; display: flex; align-items: baseline; gap: 10px; }
section.card > details > summary { list-style: none; }
section.card > details > summary::-webkit-details-marker { display: none; }
section.card > details > summary::before { content: "▸"; color: var(--muted); width: 12px; }
section.card > details[open] > summary::before { content: "▾"; }
section.card .body { padding: 0 18px 16px; }
.empty { padding: 12px 0; color: var(--muted); font-style: italic; }

.call { border-top: 1px solid var(--line); padding-top: 14px; margin-top: 6px; }
.call:first-child { border-top: 0; margin-top: 0; padding-top: 0; }
.call-head { display: flex; gap: 12px; align-items: baseline; flex-wrap: wrap; margin-bottom: 8px; }
.tag { font-size: 11px; border: 1px solid var(--line); border-radius: 4px; padding: 0 6px; color: var(--muted); background: var(--bg); }

.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg); font-weight: 600; font-size: 12px; color: var(--muted); white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.has-error td:first-child { box-shadow: inset 3px 0 0 var(--err); }
.bad { color: var(--err); font-weight: 600; }
.good { color: var(--ok); font-weight: 600; }
.sub { display: block; color: var(--muted); font-size: 11.5px; }
td.cid { min-width: 13em; max-width: 22em; overflow-wrap: anywhere; }
td.nowrap { white-space: nowrap; }
td.bye { min-width: 11em; }

.timeline { margin: 14px 0 4px; }
.timeline h3 { margin-bottom: 6px; }
svg { display: block; }
svg text { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
svg .svg-mono { font-family: var(--mono); }
.legend { display: flex; gap: 14px; flex-wrap: wrap; font-size: 12px; color: var(--muted); margin-top: 4px; }
.legend svg { display: inline-block; vertical-align: -1px; margin-right: 2px; }
.conservation { margin-top: 16px; }

.finding { border: 1px solid var(--line); border-left-width: 4px; border-radius: 8px; padding: 10px 14px; margin-bottom: 10px; }
.finding.error { border-left-color: var(--err); }
.finding.warning { border-left-color: var(--warn); }
.finding.info { border-left-color: var(--info); }
.finding .title { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
.finding .rule { font-family: var(--mono); font-weight: 600; }
.finding p { margin: 6px 0; }
.finding .fix { background: var(--ok-bg); border-radius: 6px; padding: 6px 10px; }
.finding .fix b { color: var(--ok); }
.filter { display: flex; gap: 8px; align-items: center; margin-top: 6px; }
.filter code { flex: 1; min-width: 0; background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 4px 8px; overflow-x: auto; white-space: pre; }

.ladder-wrap { overflow: auto; max-height: 80vh; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
.ladder-head { position: sticky; top: 0; z-index: 1; width: max-content; }
.note { margin-top: 8px; padding: 6px 10px; background: var(--warn-bg); border-radius: 6px; font-size: 12.5px; }
footer { color: var(--muted); font-size: 12px; text-align: center; margin-top: 24px; }
@media print { nav.toc, button { display: none; } .ladder-wrap { max-height: none; overflow: visible; } }
`;
