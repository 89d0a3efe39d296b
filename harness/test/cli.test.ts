/** Black-box tests of the mvsct CLI: spawned as a user would run it. */
import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

const bin = "bin/mvsct.mjs";
function mvsct(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const tmp = mkdtempSync(join(tmpdir(), "mvsct-cli-"));
const noTrace = (s: string) => assert.doesNotMatch(s, /\n\s+at .+:\d+:\d+/, "no stack trace");

test("a file that is not a capture: exit 2, one line on stderr", () => {
  const f = join(tmp, "notes.txt");
  writeFileSync(f, "this is not a capture at all\n");
  const r = mvsct("analyze", f);
  assert.equal(r.code, 2);
  assert.match(r.err, /not a pcap or pcapng file/);
  assert.equal(r.err.trim().split("\n").length, 1);
  noTrace(r.err);
});

test("a missing file: exit 2 with the reason", () => {
  const r = mvsct("analyze", join(tmp, "nope.pcap"));
  assert.equal(r.code, 2);
  assert.match(r.err, /nope\.pcap/);
  noTrace(r.err);
});

test("a capture truncated in the middle is analysed up to the cut, with a warning", () => {
  const src = readFileSync("captures/fixtures/public/ws-sample-sip-dtmf2-rfc2833.pcap");
  const f = join(tmp, "cut.pcap");
  writeFileSync(f, src.subarray(0, Math.floor(src.length * 0.6) + 7));
  const r = mvsct("analyze", f, "--json");
  assert.notEqual(r.code, 2);
  assert.match(r.err, /truncated at byte \d+/);
  const doc = JSON.parse(r.out) as { schema: string; capture: { warnings?: string[] } };
  assert.equal(doc.schema, "mvsct.analysis/1");
  assert.ok(doc.capture.warnings?.some((w) => /truncated/.test(w)));
});

test("--json: the fixed field names, and SIP_DTMF2's digits 6789123 on PT 96 from a delayed offer", () => {
  const r = mvsct("analyze", "captures/fixtures/public/ws-sample-sip-dtmf2-rfc2833.pcap", "--json");
  assert.ok(r.code === 0 || r.code === 1, r.err);
  const doc = JSON.parse(r.out) as {
    verdict: string;
    capture: { file: string; format: string; packets: number; durationS: number };
    calls: { id: string; legs: string[] }[];
    legs: {
      callId: string;
      caller: string;
      callee: string;
      finalStatus: number | null;
      codec: { pt: number; name: string } | null;
      telephoneEventPt: number | null;
      answeredAtS: number | null;
      offerIn: string;
      dtmf: {
        digit: string;
        method: string;
        direction: string;
        atS: number;
        durationMs: number;
        valid: boolean;
        pt?: number;
      }[];
      bye: unknown;
    }[];
    findings: unknown[];
  };
  assert.equal(doc.capture.format, "pcap");
  assert.equal(doc.capture.packets, 1360);
  const call = doc.legs.find((l) => l.callId.startsWith("25672@"));
  assert.ok(call, "the call leg is found");
  assert.equal(call.offerIn, "2xx");
  assert.equal(call.telephoneEventPt, 96);
  assert.equal(call.codec?.name, "PCMA");
  const digits = call.dtmf
    .filter((d) => d.method === "rfc2833" && d.valid)
    .map((d) => d.digit)
    .join("");
  assert.equal(digits, "6789123");
  assert.ok(call.dtmf.every((d) => d.pt === 96));
});

test("the HTTP-on-5060 capture gives no SIP legs", () => {
  const r = mvsct("analyze", "captures/fixtures/public/ndpi-http-on-port-5060-not-sip.pcap", "--json");
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out) as { legs: unknown[]; verdict: string };
  assert.equal(doc.legs.length, 0);
  assert.equal(doc.verdict, "healthy");
});

test("--html and --junit write their files; text output starts with the verdict", () => {
  const html = join(tmp, "r.html");
  const junit = join(tmp, "r.xml");
  const r = mvsct(
    "analyze",
    "captures/fixtures/public/ws-sample-sip-dtmf2-rfc2833.pcap",
    "--html",
    html,
    "--junit",
    junit,
    "--no-color",
  );
  assert.ok(r.code === 0 || r.code === 1, r.err);
  assert.match(r.out.split("\n")[0] ?? "", /verdict/i);
  assert.match(readFileSync(html, "utf8"), /^<!doctype html>/i);
  assert.match(readFileSync(junit, "utf8"), /<testsuite/);
});

test("bad usage: unknown option and missing capture give exit 2 and the usage", () => {
  const a = mvsct("analyze", "--bogus", "x.pcap");
  assert.equal(a.code, 2);
  assert.match(a.err, /unknown option --bogus/);
  const b = mvsct("analyze");
  assert.equal(b.code, 2);
  assert.match(b.err, /usage: mvsct analyze/);
  const c = mvsct("frobnicate");
  assert.equal(c.code, 2);
});

test("an unwritable --html target: exit 2 with the reason, no stack trace", () => {
  const r = mvsct(
    "analyze",
    "captures/fixtures/public/heplify-sip-ipv6-udp-call.pcap",
    "--html",
    "/nonexistent-dir/x.html",
  );
  assert.equal(r.code, 2);
  assert.match(r.err, /cannot write \/nonexistent-dir\/x\.html/);
  noTrace(r.err);
});

test("a reader that goes away (| head): no stack trace, the analysis's exit code", async () => {
  for (const args of [["--json"], []]) {
    const child = spawn(process.execPath, [bin, "analyze", "captures/fixtures/kpml.pcap", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.destroy(); // the reader is gone before the first byte: every write meets EPIPE
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    const expected = spawnSync(process.execPath, [
      bin,
      "analyze",
      "captures/fixtures/kpml.pcap",
      ...args,
    ]).status;
    assert.equal(code, expected, `${args.join(" ")}: ${stderr}`);
    assert.equal(stderr, "", `${args.join(" ")}: nothing on stderr`);
  }
});
