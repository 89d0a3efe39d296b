/**
 * A real phone through `mvsct b2bua`: baresip 1.0 (TOOLCHAIN.md §7) dials through the B2BUA to a
 * SIPp callee that answers PCMU + telephone-event/96; digits sent from baresip's ctrl_tcp
 * (`sndcode`) arrive on the other leg as RFC 4733 events on PT 96 (tshark and our analyzer on a
 * tcpdump capture). Ports: baresip SIP 20200 (TLS 20201), ctrl_tcp 20205, B2BUA 20210, SIPp 20220;
 * RTP: baresip 21400-21419, B2BUA 21420-21459, SIPp 21470. Skipped without baresip, sipp, tcpdump,
 * tshark or root.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { analyzeCapture } from "../../captures/src/analysis/analyze.ts";
import { pcmWav } from "../../captures/fixtures/make/wav.ts";
import {
  calleeXml,
  has,
  isRoot,
  Proc,
  REPO,
  scenario,
  sdp,
  sipp,
  sleep,
  startB2bua,
  startCapture,
  stopCapture,
  tshark,
  workDir,
} from "./b2bua-helpers.ts";

const missing = ["baresip", "sipp", "tcpdump", "tshark"].filter((c) => !has(c));
const skip =
  missing.length > 0
    ? `missing ${missing.join(", ")} (apt-get install -y --no-install-recommends baresip-core sip-tester tcpdump tshark)`
    : !isRoot()
      ? "tcpdump needs root"
      : false;

/** 8 kHz mono 16-bit WAV (baresip's aufile; ausine is 48 kHz only): a quiet 330 Hz tone. */
function wav(file: string, seconds: number): void {
  const rate = 8000;
  const data = Buffer.alloc(rate * seconds * 2);
  for (let n = 0; n < rate * seconds; n++)
    data.writeInt16LE(Math.round(300 * Math.sin((2 * Math.PI * 330 * n) / rate)), n * 2);
  writeFileSync(file, pcmWav(data, rate));
}

/** One netstring JSON command to baresip's ctrl_tcp (one command per connection); resolves with the reply. */
function ctrl(command: string, params?: string): Promise<string> {
  return new Promise((resolve) => {
    const json = JSON.stringify({ command, ...(params === undefined ? {} : { params }), token: command });
    const s = connect(20205, "127.0.0.1");
    let reply = "";
    const done = () => {
      s.destroy();
      resolve(reply);
    };
    s.on("connect", () => s.write(`${Buffer.byteLength(json)}:${json},`));
    s.on("data", (b) => {
      reply += b.toString();
      if (reply.includes('"response":true')) done();
    });
    s.on("error", done);
    setTimeout(done, 1000);
  });
}

test(
  "baresip -> mvsct b2bua -> SIPp: digits from baresip's ctrl_tcp arrive on leg b on PT 96",
  { skip, timeout: 90_000 },
  async () => {
    const dir = workDir("b2bua-baresip");
    const cfg = join(dir, "cfg");
    mkdirSync(cfg);
    wav(join(dir, "tone8k.wav"), 12);
    writeFileSync(
      join(cfg, "config"),
      [
        "poll_method\tepoll",
        "sip_listen\t127.0.0.1:20200",
        "call_local_timeout\t120",
        "call_max_calls\t4",
        "audio_player\taubridge,x",
        `audio_source\taufile,${join(dir, "tone8k.wav")}`,
        "audio_alert\taubridge,x",
        "rtp_ports\t21400-21419",
        "rtcp_mux\tno",
        "jitter_buffer_delay\t5-10",
        "module_path\t/usr/lib/baresip/modules",
        "module\tg711.so",
        "module\taufile.so",
        "module\taubridge.so",
        "module_tmp\tuuid.so",
        "module_tmp\taccount.so",
        "module_app\tmenu.so",
        "module_app\tctrl_tcp.so",
        "ctrl_tcp_listen\t127.0.0.1:20205",
        "dns_server\t127.0.0.1:20253",
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(cfg, "accounts"),
      "<sip:4165550100@127.0.0.1:20200;transport=udp>;regint=0;answermode=auto;audio_codecs=PCMU,PCMA\n",
    );

    const cap = join(dir, "baresip.pcap");
    const capture = await startCapture(cap, "udp and (portrange 20200-20299 or portrange 21400-21499)");
    const b2bua = await startB2bua(
      [
        "--listen",
        "127.0.0.1:20210",
        "--next-hop",
        "127.0.0.1:20220",
        "--rtp-ports",
        "21420-21459",
        "--dtmf-log",
        join(dir, "dtmf.jsonl"),
      ],
      REPO,
    );
    let baresip: Proc | null = null;
    let callee: Proc | null = null;
    try {
      callee = sipp(dir, scenario(dir, "callee", calleeXml({ okSdp: sdp([0], 96) })), [
        "-p",
        "20220",
        "-mi",
        "127.0.0.1",
        "-mp",
        "21470",
      ]);
      await sleep(300);
      baresip = new Proc(
        spawn(
          "timeout",
          [
            "60",
            "baresip",
            "-4",
            "-n",
            "127.0.0.1",
            "-f",
            cfg,
            "-t",
            "40",
            "-e",
            "/dial sip:5551000@127.0.0.1:20210",
          ],
          {
            cwd: dir,
            stdio: ["ignore", "pipe", "pipe"],
          },
        ),
      );
      await b2bua.waitFor(
        () => b2bua.err.includes("answered"),
        15_000,
        "the call through the B2BUA to be answered",
      );
      await sleep(800);
      for (const d of ["1", "2", "3", "#"]) {
        const reply = await ctrl("sndcode", d);
        assert.match(reply, /"ok":true/, `sndcode ${d}: ${reply}`);
        await sleep(400);
      }
      await sleep(1000);
      await ctrl("hangup");
      assert.equal(await callee.exited, 0, callee.out);
      await ctrl("quit");
      await baresip.stop("SIGTERM", 5000);
    } finally {
      if (baresip !== null) await baresip.stop("SIGTERM", 3000);
      if (callee !== null) await callee.stop("SIGTERM", 3000);
      assert.equal(await b2bua.stop(), 0, b2bua.err);
      await stopCapture(capture);
    }

    const rows = tshark(
      cap,
      "rtpevent && udp.dstport == 21470",
      ["rtp.p_type", "rtp.timestamp", "rtpevent.event_id", "rtpevent.end_of_event"],
      ["-o", "rtpevent.event_payload_type_value:96"],
    );
    const events = new Map<string, { pt: string; event: string; ends: number }>();
    for (const [pt, ts, ev, end] of rows) {
      const e = events.get(ts!) ?? { pt: pt!, event: ev!, ends: 0 };
      if (end === "1" || end === "True") e.ends++;
      events.set(ts!, e);
    }
    const keys = "0123456789*#ABCD";
    assert.equal(
      [...events.values()].map((e) => keys[Number(e.event)]).join(""),
      "123#",
      JSON.stringify(rows),
    );
    for (const e of events.values()) {
      assert.equal(e.pt, "96");
      assert.equal(e.ends, 3);
    }
    const { report } = analyzeCapture(cap);
    assert.ok(report);
    const legB = report.legs.find((l) => l.callee.endsWith(":20220"));
    assert.ok(legB);
    assert.equal(
      legB.dtmf
        .filter((d) => d.method === "rfc2833" && d.valid)
        .map((d) => d.digit)
        .join(""),
      "123#",
      JSON.stringify(legB.dtmf),
    );
  },
);
