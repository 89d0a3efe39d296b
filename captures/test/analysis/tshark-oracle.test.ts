/**
 * tshark as the independent oracle: on every fixture, the RTP streams tshark decodes (from the SDP in
 * the capture) and their payload types and packet counts equal ours, and the RFC 2833 digits tshark
 * dissects on the negotiated telephone-event PT, one per (SSRC, timestamp), equal our valid digits.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { analyzeCapture } from "../../src/analysis/analyze.ts";
import type { RtpStreamSummary } from "../../src/analysis/model.ts";

const hasTshark = spawnSync("tshark", ["--version"], { encoding: "utf8" }).status === 0;
const files = [
  ...readdirSync("captures/fixtures")
    .filter((f) => /\.(pcap|pcapng)$/.test(f))
    .map((f) => join("captures/fixtures", f)),
  "captures/fixtures/public/ws-sample-sip-dtmf2-rfc2833.pcap",
  "captures/fixtures/public/ws-sample-nb6-telephone-port5062.pcap",
  "captures/fixtures/public/heplify-sip-over-tcp-call.pcap",
];

function tshark(file: string, filter: string, fields: string[]): string[][] {
  const r = spawnSync(
    "tshark",
    ["-r", file, "-Y", filter, "-T", "fields", "-E", "separator=|", ...fields.flatMap((f) => ["-e", f])],
    { encoding: "utf8", timeout: 60_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => l.split("|"));
}

for (const file of files) {
  test(
    `tshark agrees on RTP streams and RFC 2833 digits: ${file}`,
    { skip: hasTshark ? false : "tshark not installed" },
    () => {
      const { report } = analyzeCapture(file);
      assert.ok(report !== null);
      const rows = tshark(file, "rtp && !icmp", [
        "ip.src",
        "ipv6.src",
        "udp.srcport",
        "ip.dst",
        "ipv6.dst",
        "udp.dstport",
        "rtp.ssrc",
        "rtp.p_type",
      ]);
      const streams = new Map<string, { packets: number; pts: Set<number> }>();
      for (const [s4, s6, sp, d4, d6, dp, ssrc, pt] of rows) {
        const src = s4 ? `${s4}:${sp}` : `[${s6}]:${sp}`;
        const dst = d4 ? `${d4}:${dp}` : `[${d6}]:${dp}`;
        const k = `${src}>${dst}>${Number(ssrc).toString(16).toUpperCase().padStart(8, "0")}`;
        const e = streams.get(k) ?? { packets: 0, pts: new Set<number>() };
        e.packets++;
        e.pts.add(Number(pt));
        streams.set(k, e);
      }
      const ours = new Map<string, RtpStreamSummary>(
        (report.streams ?? []).map((s) => [`${s.from}>${s.to}>${s.ssrc.slice(2)}`, s]),
      );
      for (const [k, t] of streams) {
        const o = ours.get(k);
        assert.ok(o, `tshark stream ${k} is one of ours`);
        assert.equal(o.packets, t.packets, `packets of ${k}`);
        assert.deepEqual(
          o.payloadTypes,
          [...t.pts].sort((a, b) => a - b),
          `PTs of ${k}`,
        );
      }
      // RFC 2833: tshark dissects rtpevent on the PT the SDP negotiated (and 100-101 by default); one
      // digit per (SSRC, timestamp). Per SSRC and PT, our digits (valid or not) equal tshark's, and every
      // digit we call valid is one tshark decodes too.
      // One digit per key press, not per (SSRC, timestamp): a press whose timestamp moved mid-event
      // (RFC 4733 §2.5.1.2 fault) is still one press; a new press is a new event code, a gap over
      // 80 ms, or M with a new timestamp. Event 16 is flash (RFC 2833 §3.10).
      const ev = tshark(file, "rtpevent", [
        "rtp.ssrc",
        "rtp.timestamp",
        "rtpevent.event_id",
        "rtp.p_type",
        "frame.time_relative",
        "rtp.marker",
      ]);
      const last = new Map<string, { ts: string; id: string; t: number }>();
      const theirs = new Map<string, string>();
      for (const [ssrc, ts, id, pt, t, m] of ev) {
        const key = `0x${Number(ssrc).toString(16).toUpperCase().padStart(8, "0")}/${pt}`;
        const prev = last.get(key);
        const marker = m === "1" || m === "True";
        last.set(key, { ts: ts!, id: id!, t: Number(t) });
        if (prev && prev.id === id && Number(t) - prev.t <= 0.08 && !(marker && prev.ts !== ts)) continue;
        const code = Number(id);
        theirs.set(
          key,
          (theirs.get(key) ?? "") + ("0123456789*#ABCD"[code] ?? (code === 16 ? "flash" : `e${id}`)),
        );
      }
      const mine = new Map<string, string>();
      const validKeys = new Set<string>();
      const all = report.legs
        .flatMap((l) => l.dtmf.filter((d) => d.method === "rfc2833"))
        .sort((a, b) => a.atS - b.atS);
      for (const d of all) {
        const key = `${d.ssrc}/${d.pt}`;
        mine.set(key, (mine.get(key) ?? "") + d.digit);
        if (d.valid) validKeys.add(key);
      }
      for (const s of report.streams ?? [])
        if (s.direction === null && s.digits && s.eventPt !== undefined)
          mine.set(`${s.ssrc}/${s.eventPt}`, s.digits);
      for (const [key, digits] of theirs)
        assert.equal(mine.get(key), digits, `RFC 2833 digits on SSRC/PT ${key}`);
      for (const key of validKeys)
        assert.ok(theirs.has(key), `tshark also decodes the valid digits on ${key}`);
    },
  );
}
