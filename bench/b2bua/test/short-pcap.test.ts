import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { SHORT_MEDIA, makeShortMedia, writeShortMedia } from "../make-short-pcap.ts";

/** tshark, when installed (Debian `tshark`); the checks below decode the file independently of our code. */
function hasTshark(): boolean {
  try {
    execFileSync("tshark", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

interface Pkt {
  t: number;
  pt: number;
  seq: number;
  ts: number;
  marker: boolean;
  ssrc: string;
  payload: string;
  event: string;
  end: boolean;
  duration: number;
  dport: number;
}

function decode(file: string): Pkt[] {
  const fields = [
    "frame.time_relative",
    "rtp.p_type",
    "rtp.seq",
    "rtp.timestamp",
    "rtp.marker",
    "rtp.ssrc",
    "rtp.payload",
    "rtpevent.event_id",
    "rtpevent.end_of_event",
    "rtpevent.duration",
    "udp.dstport",
  ];
  const out = execFileSync(
    "tshark",
    [
      "-r",
      file,
      "-d",
      "udp.port==40002,rtp",
      "-T",
      "fields",
      "-E",
      "separator=|",
      ...fields.flatMap((f) => ["-e", f]),
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
  );
  return out
    .trim()
    .split("\n")
    .map((l) => {
      const [t, pt, seq, ts, m, ssrc, payload, ev, end, dur, dport] = l.split("|");
      return {
        t: Number(t),
        pt: Number(pt),
        seq: Number(seq),
        ts: Number(ts),
        marker: m === "1" || m === "True",
        ssrc: ssrc ?? "",
        payload: (payload ?? "").replace(/:/g, ""),
        event: ev ?? "",
        end: end === "1" || end === "True",
        duration: Number(dur),
        dport: Number(dport),
      };
    });
}

test(
  "short pcap: tshark reads PCMA at 20 ms then one RFC 4733 digit, one SSRC, one sequence",
  { skip: !hasTshark() && "tshark not installed" },
  () => {
    const dir = mkdtempSync(join(tmpdir(), "short-pcap-"));
    try {
      const file = join(dir, "short.pcap");
      const sidecar = JSON.parse(writeShortMedia(file)) as {
        audioPackets: number;
        eventPackets: number;
        playMs: number;
      };
      const p = decode(file);
      const audio = p.filter((x) => x.pt === 8);
      const events = p.filter((x) => x.pt === 101);
      // 600 ms at 20 ms; the event: 100 ms of updates (5, the last one ending) + 2 more end copies
      assert.equal(audio.length, SHORT_MEDIA.audioMs / SHORT_MEDIA.ptimeMs);
      assert.equal(events.length, SHORT_MEDIA.eventOnMs / SHORT_MEDIA.ptimeMs + SHORT_MEDIA.endCopies - 1);
      assert.equal(audio.length + events.length, p.length, "nothing but PT 8 and PT 101");
      assert.equal(sidecar.audioPackets, audio.length, "the sidecar cps.sh reads says what tshark sees");
      assert.equal(sidecar.eventPackets, events.length);
      // the digit follows the audio: no audio after the first event packet
      assert.ok(p.findIndex((x) => x.pt === 101) === audio.length);
      // one SSRC, sequence numbers +1 each (mod 2^16), one destination port (SIPp keeps port offsets)
      assert.equal(new Set(p.map((x) => x.ssrc)).size, 1);
      assert.equal(new Set(p.map((x) => x.dport)).size, 1);
      for (let i = 1; i < p.length; i++) assert.equal(p[i]!.seq, (p[i - 1]!.seq + 1) & 0xffff, `seq at ${i}`);
      // audio: 160 bytes of 0xd5, timestamps +160, 20 ms apart
      for (const [i, a] of audio.entries()) {
        assert.equal(a.payload, "d5".repeat(160), `payload ${i}`);
        if (i > 0) {
          assert.equal(a.ts - audio[i - 1]!.ts, 160);
          assert.ok(Math.abs(a.t - audio[i - 1]!.t - 0.02) < 1e-6);
        }
      }
      // RFC 4733 §2.5.1: marker on the first event packet only; one timestamp for the event (the
      // slot after the last audio); durations never shrink; exactly 3 end packets, same duration
      const e0 = events[0]!;
      assert.equal(e0.marker, true);
      assert.ok(events.slice(1).every((e) => !e.marker));
      assert.ok(events.every((e) => e.ts === audio.at(-1)!.ts + 160 && e.event === "5"));
      for (let i = 1; i < events.length; i++) assert.ok(events[i]!.duration >= events[i - 1]!.duration);
      const ends = events.filter((e) => e.end);
      assert.equal(ends.length, 3);
      assert.deepEqual(ends, events.slice(-3), "the end packets are the last three");
      assert.equal(new Set(ends.map((e) => e.duration)).size, 1);
      assert.equal(e0.duration, 160, "the first packet covers one 20 ms update");
      assert.equal(ends[0]!.duration, SHORT_MEDIA.eventOnMs * 8);
      // the play time the pause is built on: first to last packet
      assert.equal(sidecar.playMs, Math.ceil((p.at(-1)!.t - p[0]!.t) * 1000));
      assert.equal(JSON.parse(readFileSync(join(dir, "short.json"), "utf8")).audioPackets, audio.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test("short pcap: another spec changes the counts it reports (not hard-wired to 30)", () => {
  const m = makeShortMedia({ ...SHORT_MEDIA, audioMs: 400, eventOnMs: 60 });
  assert.equal(m.audioPackets, 20);
  assert.equal(m.eventPackets, 3 + 2);
  // classic libpcap, little endian, Ethernet
  const v = new DataView(m.pcap.buffer, m.pcap.byteOffset);
  assert.equal(v.getUint32(0, true), 0xa1b2c3d4);
  assert.equal(v.getUint32(20, true), 1);
});
