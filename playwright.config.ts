// Playwright: browser tests of the generated pages (e2e/), with Debian's Chromium. No webServer:
// the pages under test are self-contained files opened via file://. Never `npx playwright install`.
import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: "./e2e",
  timeout: 60_000,
  expect: { timeout: 30_000 },
  workers: 1, // 2 cores shared with sipp/tcpdump tests
  reporter: [["list"]],
  outputDir: "test-results/playwright",
  use: {
    browserName: "chromium",
    headless: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
});
