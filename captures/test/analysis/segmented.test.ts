/**
 * A long capture is analysed call set by call set while it is read (segmenter.ts), on one thread or
 * two (two-threads.ts). These tests hold both to the whole-capture analysis: the same legs, calls,
 * digits and findings, whatever the checkpoints and threads.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { analyzeCapture, analyzeCaptureTo, type AnalyzeOptions } from "../../src/analysis/analyze.ts";
import type { AnalysisReport } from "../../src/analysis/model.ts";
import { writeJson } from "../../src/report/json-stream.ts";
import { SpooledJsonWriter } from "../../src/report/json-spool.ts";
import { goldenCaptures } from "../golden.ts";

function report(path: string, opts: AnalyzeOptions): AnalysisReport {
  const { report: r, error } = analyzeCapture(path, opts);
  assert.ok(r !== null, `${path}: ${error?.message}`);
  return r;
}

/** What must not depend on how the capture was cut: everything but call numbers and the order. */
function essence(r: AnalysisReport): Record<string, unknown> {
  const sorted = (xs: unknown[]): string[] => xs.map((x) => JSON.stringify(x)).sort();
  return {
    verdict: r.verdict,
    legs: sorted(r.legs.map((l) => ({ ...l, streams: undefined }))),
    calls: sorted(r.calls.map((c) => ({ ...c, id: undefined }))),
    findings: sorted(r.findings.map((f) => ({ ...f, message: f.message.replace(/call-\d+/g, "call-N") }))),
    otherSip: sorted(Object.entries(r.otherSip ?? {})),
  };
}

function lateCount(r: AnalysisReport): number {
  const w = r.capture.warnings?.find((x) => x.includes("after their call had ended"));
  return w === undefined ? 0 : Number(/^(\d+)/.exec(w)?.[1] ?? "0");
}

test("every bundled capture, cut every second with 2 s of quiet, gives the whole-capture analysis", () => {
  for (const { path } of goldenCaptures()) {
    const { report: whole } = analyzeCapture(path, { quietS: Infinity, threads: 1 });
    if (whole === null) continue; // unreadable on purpose (covered by the robustness tests)
    const cut = report(path, { quietS: 2, checkEveryS: 1, threads: 1 });
    assert.deepStrictEqual(essence(cut), essence(whole), path);
    // the only messages it may lose are retransmissions trailing a closed call, and it says so
    assert.equal(cut.ladder!.length + lateCount(cut), whole.ladder!.length, path);
  }
});

const TWO_THREAD_SAMPLES = [
  "captures/fixtures/pt-mismatch-hairpin.pcap",
  "captures/fixtures/kpml.pcap",
  "captures/fixtures/inband.pcap",
  "captures/fixtures/ten-second-drop.pcap",
  "captures/fixtures/healthy.pcapng",
  "captures/fixtures/public/heplify-sip-over-tcp-call.pcap",
  "captures/fixtures/public/ws-sample-aaa-register-invite-cancel.pcap",
  "captures/fixtures/public/ws-sample-fax-call-t38-multileg.pcap",
];

test("two threads give byte for byte the report of one thread", () => {
  for (const path of TWO_THREAD_SAMPLES)
    for (const opts of [{}, { quietS: 2, checkEveryS: 1 }] as AnalyzeOptions[]) {
      const one = report(path, { ...opts, threads: 1 });
      const two = report(path, { ...opts, threads: 2 });
      assert.equal(JSON.stringify(two), JSON.stringify(one), `${path} ${JSON.stringify(opts)}`);
    }
});

test("two threads report an unreadable file like one thread", () => {
  const one = analyzeCapture("package.json", { threads: 1 });
  const two = analyzeCapture("package.json", { threads: 2 });
  assert.equal(one.report, null);
  assert.equal(two.report, null);
  assert.deepStrictEqual(two.error, one.error);
});

// Long captures: shifted copies of a fixture, one after another (bench/multiply.ts: new addresses,
// Call-IDs, Cisco-Guids, Session-IDs and SSRCs per copy).
const dir = mkdtempSync(join(tmpdir(), "mvsct-seg-"));
after(() => rmSync(dir, { recursive: true, force: true }));
function multiplied(seed: string, copies: number): string {
  const out = join(dir, `${copies}x-${seed.replace(/.*\//, "")}`);
  const seedPackets = report(seed, {}).capture.packets;
  execFileSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "bench/multiply.ts",
      "--seed",
      seed,
      "--packets",
      String(seedPackets * copies),
      "--out",
      out,
    ],
    { stdio: "pipe" },
  );
  return out;
}

function sets(path: string): { sets: number; maxLegs: number; verdict: string } {
  let n = 0;
  let maxLegs = 0;
  const r = analyzeCaptureTo(
    path,
    { threads: 1 },
    {
      segment(out) {
        n++;
        maxLegs = Math.max(maxLegs, out.legs.length);
      },
    },
  );
  assert.ok(r.head !== null);
  return { sets: n, maxLegs, verdict: r.head.verdict };
}

let longKpml = "";
test("a long capture is analysed in sets while it is read, with the whole-capture result", () => {
  longKpml = multiplied("captures/fixtures/kpml.pcap", 40);
  const s = sets(longKpml);
  // 40 one-leg calls 5 s apart (200 s), 32 s of quiet, a look every 16 s: calls close on the way,
  // a few at a time
  assert.ok(s.sets >= 8, `only ${s.sets} sets`);
  assert.ok(s.maxLegs <= 8, `a set held ${s.maxLegs} legs`);
  const whole = report(longKpml, { quietS: Infinity, threads: 1 });
  assert.equal(whole.legs.length, 40);
  assert.deepStrictEqual(essence(report(longKpml, { threads: 1 })), essence(whole));
  assert.deepStrictEqual(essence(report(longKpml, { threads: 2 })), essence(whole));
  assert.equal(s.verdict, whole.verdict);
});

test("the spooled JSON is byte for byte the in-memory document, compact and indented", () => {
  for (const path of [longKpml, "captures/fixtures/kpml.pcap"])
    for (const pretty of [false, true]) {
      const writer = new SpooledJsonWriter(pretty);
      const r = analyzeCaptureTo(path, {}, writer);
      assert.ok(r.head !== null);
      let spooled = "";
      writer.finish(r.head, (t) => (spooled += t));
      let memory = "";
      writeJson(report(path, {}), (t) => (memory += t), pretty);
      assert.equal(spooled, memory, `${path} pretty=${pretty}`);
      // the same document when the arrays go out as bytes, interleaved in order with the text
      const bytesWriter = new SpooledJsonWriter(pretty);
      const r2 = analyzeCaptureTo(path, {}, bytesWriter);
      assert.ok(r2.head !== null);
      const parts: Buffer[] = [];
      let asBytes = 0;
      bytesWriter.finish(
        r2.head,
        (t) => parts.push(Buffer.from(t, "utf8")),
        (b) => {
          asBytes++;
          parts.push(Buffer.from(b));
          // alternately done with the buffer (reused) and not (a fresh one next)
          return asBytes % 2 === 0;
        },
      );
      assert.ok(asBytes > 0, "the arrays went out as bytes");
      assert.equal(Buffer.concat(parts).toString("utf8"), memory, `${path} pretty=${pretty}, bytes`);
    }
});
