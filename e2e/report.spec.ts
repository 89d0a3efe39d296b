/**
 * The HTML analysis report in a real browser: it renders offline from file://, shows the verdict,
 * legs, DTMF marks, findings and ladder, logs no console error (a CSP violation would be one),
 * makes no request beyond its own file, and its copy/collapse script works. Saves a screenshot.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { expect, test, type Page } from "@playwright/test";
import { renderHtml } from "../captures/src/report/html.ts";
import { HOSTILE, hostileReport, mismatchReport, PT_MISMATCH } from "../captures/test/report/reports.ts";
import type { AnalysisReport } from "../captures/src/analysis/model.ts";

let dir = "";
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mvsct-report-"));
});
test.afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes the page, opens it, and records console errors, page errors and every request URL. */
async function open(
  page: Page,
  report: AnalysisReport,
  name: string,
): Promise<{ errors: string[]; requests: string[] }> {
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
  page.on("request", (r) => requests.push(r.url()));
  page.on("dialog", (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  const file = join(dir, name);
  writeFileSync(file, renderHtml(report));
  await page.goto(pathToFileURL(file).href);
  return { errors, requests };
}

test("analysis report renders offline with verdict, legs, DTMF, findings and ladder", async ({ page }) => {
  await page.setViewportSize({ width: 1360, height: 900 });
  const report = mismatchReport();
  const { errors, requests } = await open(page, report, "report.html");

  const verdict = page.getByTestId("verdict");
  await expect(verdict).toContainText("dtmf-validation-failure");
  const bg = await verdict.evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(bg).toBe("rgb(207, 34, 46)"); // the stylesheet applied (CSP hash accepted) and it is red

  const legRow = page.locator(`[data-testid="leg-row"][data-call-id="isr-leg-2@10.1.1.1"]`);
  await expect(legRow).toBeVisible();
  await expect(legRow).toContainText("caller 96 / callee 101");
  await expect(page.getByTestId("leg-row")).toHaveCount(report.legs.length);

  const digits = report.legs.reduce((n, l) => n + l.dtmf.length, 0);
  await expect(page.getByTestId("dtmf-mark")).toHaveCount(digits);
  await expect(page.getByTestId("dtmf-mark").first()).toBeVisible();

  const finding = page.locator(`[data-testid="finding"][data-rule="${PT_MISMATCH.rule}"]`);
  await expect(finding.getByTestId("finding-fix")).toContainText(PT_MISMATCH.fix);
  await expect(finding.getByTestId("finding-filter")).toHaveText(PT_MISMATCH.evidence.filter);
  // Copy: the clipboard may be refused headless; either way the button answers and nothing throws.
  const copy = finding.getByRole("button", { name: "Copy" });
  await copy.click();
  await expect(finding.locator("button[data-copy]")).toHaveText(/Copied|Select \+ Ctrl-C/);
  await expect(finding.locator("button[data-copy]")).toHaveText("Copy");

  const arrows = page.getByTestId("ladder-arrow");
  await expect(arrows).toHaveCount(report.ladder!.length);
  await expect(arrows.first()).toBeVisible();
  await expect(arrows.last()).toBeAttached();

  // The page's own script runs: "Collapse all" closes every section, "Expand all" reopens them.
  await page.getByRole("button", { name: "Collapse all" }).click();
  await expect(page.getByTestId("ladder-arrow").first()).toBeHidden();
  await page.getByRole("button", { name: "Expand all" }).click();
  await expect(page.getByTestId("ladder-arrow").first()).toBeVisible();

  await page.evaluate(() => window.getSelection()?.removeAllRanges());
  mkdirSync(resolve("test-results"), { recursive: true });
  await page.screenshot({ path: resolve("test-results/report.png"), fullPage: true });

  expect(errors).toEqual([]);
  expect(requests.filter((u) => !u.startsWith("file://"))).toEqual([]);
  expect(requests.length).toBe(1);
});

test("hostile capture strings render as text and run nothing", async ({ page }) => {
  const { errors, requests } = await open(page, hostileReport(), "hostile.html");
  await expect(page.getByTestId("verdict")).toContainText(`fail ${HOSTILE}`);
  await expect(page.locator("img")).toHaveCount(0);
  expect(await page.locator("script").count()).toBe(1);
  await expect(page.getByTestId("leg-row").first()).toContainText(HOSTILE);
  expect(await page.title()).toContain(HOSTILE);
  expect(errors).toEqual([]);
  expect(requests.filter((u) => !u.startsWith("file://"))).toEqual([]);
});

test("a real analysis (the hairpin PT-mismatch fixture) renders its root cause, both legs and the digits", async ({
  page,
}) => {
  const { analyzeCapture } = await import("../captures/src/analysis/analyze.ts");
  const { report } = analyzeCapture(resolve("captures/fixtures/pt-mismatch-hairpin.pcap"));
  expect(report).not.toBeNull();
  const { errors, requests } = await open(page, report!, "hairpin.html");
  await expect(page.getByTestId("verdict")).toContainText("dtmf-pt-mismatch");
  await expect(page.getByTestId("leg-row")).toHaveCount(2);
  await expect(page.getByTestId("dtmf-mark")).toHaveCount(8);
  await expect(page.getByTestId("finding")).toHaveCount(3);
  await expect(page.getByTestId("finding-fix").first()).toContainText("telephone-event PT 96");
  await expect(page.getByTestId("ladder-arrow")).toHaveCount(report!.ladder!.length);
  expect(errors).toEqual([]);
  expect(requests.every((u) => u.startsWith("file://"))).toBe(true);
  mkdirSync("test-results", { recursive: true });
  await page.screenshot({ path: "test-results/report-hairpin.png", fullPage: true });
});
