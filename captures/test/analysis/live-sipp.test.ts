/**
 * Real parts, end to end: a call made now by real SIPp on 127.0.0.1 (the healthy RFC 2833 scenario
 * of captures/fixtures/make), captured by tcpdump, analysed by mvsct and cross-checked with tshark.
 * Needs root (tcpdump on lo), sipp, tcpdump and tshark; skipped with the reason otherwise.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { analyzeCapture } from "../../src/analysis/analyze.ts";

const have = (tool: string): boolean => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const missing = ["sipp", "tcpdump", "tshark", "editcap"].filter((t) => !have(t));
const skip =
  process.getuid?.() !== 0
    ? "needs root for tcpdump on lo"
    : missing.length > 0
      ? `missing ${missing.join(", ")}`
      : false;

test(
  "a live SIPp call with RFC 2833 digits 1234, captured by tcpdump, analysed and checked with tshark",
  { skip, timeout: 90_000 },
  () => {
    const tmp = mkdtempSync(join(tmpdir(), "mvsct-live-"));
    try {
      const make = resolve("captures/fixtures/make");
      const r = spawnSync(
        "bash",
        [
          "-c",
          `source "${make}/lib.sh"; source "${make}/call-leg.sh"; source "${make}/scenarios/healthy-rfc2833.sh"; fixture_healthy_rfc2833`,
        ],
        {
          env: {
            ...process.env,
            FIXTURES_DIR: tmp,
            WORK_ROOT: join(tmp, "work"),
            MAKE_DIR: make,
            REPO_DIR: resolve("."),
          },
          encoding: "utf8",
          timeout: 80_000,
        },
      );
      const pcap = join(tmp, "healthy-rfc2833.pcap");
      assert.equal(r.status, 0, `scenario failed: ${r.stderr.slice(-2000)}`);
      assert.ok(existsSync(pcap), "the capture was written");
      const { report } = analyzeCapture(pcap);
      assert.ok(report !== null);
      assert.equal(report.verdict, "healthy", JSON.stringify(report.findings));
      assert.equal(report.legs.length, 1);
      const leg = report.legs[0]!;
      assert.equal(leg.finalStatus, 200);
      assert.equal(leg.telephoneEventPt, 101);
      assert.equal(leg.dtmf.map((d) => `${d.digit}${d.valid ? "" : "!"}`).join(""), "1234");
      // tshark, independently: the same four events on PT 101
      const t = spawnSync(
        "tshark",
        [
          "-r",
          pcap,
          "-Y",
          "rtpevent && rtpevent.end_of_event == 1",
          "-T",
          "fields",
          "-e",
          "rtp.timestamp",
          "-e",
          "rtpevent.event_id",
          "-e",
          "rtp.p_type",
        ],
        { encoding: "utf8" },
      );
      const events = new Map<string, string>();
      for (const line of t.stdout.trim().split("\n")) {
        const [ts, id, pt] = line.split("\t");
        assert.equal(pt, "101");
        events.set(ts!, "0123456789*#ABCD"[Number(id)]!);
      }
      assert.equal([...events.values()].join(""), "1234");
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  },
);
