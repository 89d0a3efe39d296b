/**
 * `mvsct b2bua` between two real SIPp UAs on 127.0.0.1, checked on a tcpdump capture with tshark
 * (independent oracle) and with our analyzer:
 *  (a) RFC 2833 in on PT 101 -> RFC 4733 out on PT 96 on the outbound leg, three end packets each
 *  (b) KPML on the outbound leg (the callee advertises kpml and subscribes; we NOTIFY the digits)
 *  (c) SIP INFO on the outbound leg (config legs.b.dtmf: info)
 *  (d) delayed offer on leg a, and on leg b (config legs.b.delayedOffer)
 *  (e) 488 with Warning 305 when no codec is common
 * Ports: SIP 20100-20199, RTP 21100-21399. Skipped when sipp / tcpdump / tshark are missing or not root.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { analyzeCapture } from "../../captures/src/analysis/analyze.ts";
import {
  calleeRequestXml,
  calleeXml,
  callerXml,
  genRtp,
  has,
  isRoot,
  replyXml,
  scenario,
  sdp,
  sipp,
  startB2bua,
  startCapture,
  stopCapture,
  tshark,
  tsharkVerbose,
  workDir,
} from "./b2bua-helpers.ts";
import type { Proc } from "./b2bua-helpers.ts";
import { BPF, CALLEE, CALLER, legTo, runCall, tsharkEvents } from "./b2bua-runcall.ts";

const missing = ["sipp", "tcpdump", "tshark"].filter((c) => !has(c));
const skip = missing.length > 0 ? `missing ${missing.join(", ")}` : !isRoot() ? "tcpdump needs root" : false;

const DIGITS = "1234";

const KEYS = "0123456789*#ABCD";

describe("mvsct b2bua with SIPp", { skip, timeout: 180_000 }, () => {
  let dir = "";
  let plain: Proc;
  let infoB: Proc;
  let delayedB: Proc;

  before(async () => {
    dir = workDir("b2bua-sipp");
    genRtp(join(dir, "media/caller.pcap"), [
      "--codec",
      "pcmu",
      "--seconds",
      "2.5",
      "--ssrc",
      "0x1a2b3c4d",
      "--digits",
      DIGITS,
      "--event-pt",
      "101",
      "--first-ms",
      "300",
      "--on-ms",
      "100",
      "--off-ms",
      "150",
    ]);
    genRtp(join(dir, "media/plain.pcap"), ["--codec", "pcmu", "--seconds", "1.5", "--ssrc", "0x22334455"]);
    writeFileSync(join(dir, "info.yaml"), "legs:\n  b:\n    dtmf: info\n");
    writeFileSync(join(dir, "delayed.yaml"), "legs:\n  b:\n    delayedOffer: true\n");
    plain = await startB2bua([
      "--listen",
      "127.0.0.1:20100",
      "--next-hop",
      `127.0.0.1:${CALLEE.sip}`,
      "--rtp-ports",
      "21200-21299",
      "--dtmf-log",
      join(dir, "dtmf.jsonl"),
    ]);
    infoB = await startB2bua([
      "--listen",
      "127.0.0.1:20110",
      "--next-hop",
      `127.0.0.1:${CALLEE.sip}`,
      "--rtp-ports",
      "21300-21349",
      "--config",
      join(dir, "info.yaml"),
    ]);
    delayedB = await startB2bua([
      "--listen",
      "127.0.0.1:20120",
      "--next-hop",
      `127.0.0.1:${CALLEE.sip}`,
      "--rtp-ports",
      "21350-21399",
      "--config",
      join(dir, "delayed.yaml"),
    ]);
  });

  after(async () => {
    assert.equal(await plain?.stop(), 0, `b2bua exit: ${plain?.err}`);
    assert.equal(await infoB?.stop(), 0);
    assert.equal(await delayedB?.stop(), 0);
  });

  test("(a) RFC 2833 on PT 101 in, the same digits on PT 96 with three end packets out", async () => {
    const run = await runCall(
      dir,
      "a",
      20100,
      callerXml({ inviteSdp: sdp([0, 8], 101), play: "media/caller.pcap", callMs: 2600 }),
      calleeXml({ okSdp: sdp([0], 96) }),
    );
    assert.equal(await run.caller.exited, 0, run.caller.out + run.caller.err);
    assert.equal(await run.callee?.exited, 0, run.callee?.out);

    // tshark: what reached the callee's RTP port
    const out = tsharkEvents(run.cap, CALLEE.rtp, 96);
    assert.deepEqual(out.map((e) => KEYS[e.event]).join(""), DIGITS, JSON.stringify(out));
    for (const e of out) {
      assert.equal(e.pt, 96);
      assert.equal(e.ends, 3, "end packet sent three times");
      assert.equal(e.marker, 1, "marker on the first packet only");
      assert.ok(e.maxDur >= 800, `duration ${e.maxDur} >= 100 ms`);
    }
    // our analyzer on the same capture: leg b carries the digits on PT 96, valid
    const { report } = analyzeCapture(run.cap);
    assert.ok(report);
    const legB = legTo(report.legs, CALLEE.sip);
    assert.equal(legB.codec?.name.toUpperCase(), "PCMU");
    assert.equal(legB.calleeTelephoneEventPt, 96);
    const sent = legB.dtmf.filter((d) => d.method === "rfc2833" && d.direction === "caller->callee");
    assert.equal(sent.map((d) => d.digit).join(""), DIGITS, JSON.stringify(legB.dtmf));
    for (const d of sent) {
      assert.equal(d.pt, 96);
      assert.equal(d.valid, true, d.invalidReason);
      assert.equal(d.endPackets, 3);
    }
    const legA = legTo(report.legs, 20100);
    assert.equal(
      legA.dtmf
        .filter((d) => d.method === "rfc2833" && d.pt === 101)
        .map((d) => d.digit)
        .join(""),
      DIGITS,
    );
  });

  test("(b) KPML on the outbound leg: we SUBSCRIBE, the callee SUBSCRIBEs, the digits go in kpml NOTIFYs", async () => {
    const kpmlRequest = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<kpml-request xmlns="urn:ietf:params:xml:ns:kpml-request" version="1.0">',
      // SIPp reads "[...]" as one of its keywords: the pattern is written without brackets
      '<pattern persist="persist"><regex tag="dtmf">x|*|#</regex></pattern>',
      "</kpml-request>",
    ].join("\n");
    const mid = [
      '  <recv request="SUBSCRIBE"/>',
      replyXml("200 OK", ["Expires: 7200", "Contact: <sip:callee@[local_ip]:[local_port]>"]),
      calleeRequestXml("NOTIFY", 1, ["Event: kpml", "Subscription-State: active;expires=7200"], null, null),
      '  <recv response="200"/>',
      calleeRequestXml(
        "SUBSCRIBE",
        2,
        ["Event: kpml", "Expires: 7200", "Accept: application/kpml-response+xml"],
        "application/kpml-request+xml",
        kpmlRequest,
      ),
      '  <recv response="200"/>',
      ...Array.from({ length: 1 + DIGITS.length }, () =>
        ['  <recv request="NOTIFY"/>', replyXml("200 OK")].join("\n"),
      ),
      // at call end we end our subscription (Expires: 0, RFC 6665 §4.1.2.3), just before the BYE
      '  <recv request="SUBSCRIBE"/>',
      replyXml("200 OK", ["Expires: 0"]),
    ].join("\n");
    const run = await runCall(
      dir,
      "b",
      20100,
      callerXml({ inviteSdp: sdp([0, 8], 101), play: "media/caller.pcap", callMs: 2600 }),
      calleeXml({ okSdp: sdp([0], null), headers: ["Allow-Events: kpml"], mid, store: true }),
    );
    assert.equal(await run.caller.exited, 0, run.caller.out);
    assert.equal(await run.callee?.exited, 0, run.callee?.out);

    // tshark: the kpml-response digits in the NOTIFYs to the callee
    const notifies = `sip.Method == "NOTIFY" && udp.dstport == ${CALLEE.sip}`;
    const text = tsharkVerbose(run.cap, notifies);
    const digits = [...text.matchAll(/<kpml-response [^>]*digits="([^"]*)"/g)].map((m) => m[1]).join("");
    assert.equal(digits, DIGITS, text.slice(0, 2000));
    const events = tshark(run.cap, notifies, ["sip.Event", "sip.Subscription-State"]);
    assert.equal(events.length, 1 + DIGITS.length, "the initial NOTIFY, then one per digit");
    assert.ok(
      events.every((r) => r[0] === "kpml" && /^active/.test(r[1] ?? "")),
      JSON.stringify(events),
    );
    // no RFC 4733 on a leg that did not negotiate telephone-event
    assert.equal(tsharkEvents(run.cap, CALLEE.rtp, 101).length, 0);
    // our subscriptions to the callee: the first one, then its end with Expires: 0
    const ours = tshark(run.cap, `sip.Method == "SUBSCRIBE" && udp.dstport == ${CALLEE.sip}`, [
      "sip.Expires",
    ]);
    assert.deepStrictEqual(
      ours.map((r) => r[0] === "0"),
      [false, true],
      JSON.stringify(ours),
    );

    const { report } = analyzeCapture(run.cap);
    assert.ok(report);
    const legB = legTo(report.legs, CALLEE.sip);
    assert.equal(
      legB.dtmf
        .filter((d) => d.method === "kpml")
        .map((d) => d.digit)
        .join(""),
      DIGITS,
      JSON.stringify(legB.dtmf),
    );
  });

  test("(c) SIP INFO on the outbound leg (legs.b.dtmf: info)", async () => {
    const mid = Array.from({ length: DIGITS.length }, () =>
      ['  <recv request="INFO"/>', replyXml("200 OK")].join("\n"),
    ).join("\n");
    const run = await runCall(
      dir,
      "c",
      20110,
      callerXml({ inviteSdp: sdp([0, 8], 101), play: "media/caller.pcap", callMs: 2600 }),
      calleeXml({ okSdp: sdp([0], 96), mid }),
    );
    assert.equal(await run.caller.exited, 0, run.caller.out);
    assert.equal(await run.callee?.exited, 0, run.callee?.out);
    const rows = tshark(run.cap, `sip.Method == "INFO" && udp.dstport == ${CALLEE.sip}`, [
      "sip.Content-Type",
      "sip.msg_body",
    ]);
    assert.equal(rows.length, DIGITS.length);
    const { report } = analyzeCapture(run.cap);
    assert.ok(report);
    const legB = legTo(report.legs, CALLEE.sip);
    assert.equal(
      legB.dtmf
        .filter((d) => d.method === "sip-info")
        .map((d) => d.digit)
        .join(""),
      DIGITS,
      JSON.stringify(legB.dtmf),
    );
    assert.ok(
      rows.every((r) => r[0] === "application/dtmf-relay"),
      JSON.stringify(rows),
    );
    // INFO only: the forced method replaces RFC 4733 on leg b
    assert.equal(tsharkEvents(run.cap, CALLEE.rtp, 96).length, 0);
  });

  test("(d) delayed offer on leg a: our offer in the 2xx, the caller's answer in its ACK", async () => {
    const run = await runCall(
      dir,
      "d1",
      20100,
      callerXml({ inviteSdp: null, ackSdp: sdp([0], 101), play: "media/caller.pcap", callMs: 2600 }),
      calleeXml({ okSdp: sdp([0], 96) }),
    );
    assert.equal(await run.caller.exited, 0, run.caller.out);
    assert.equal(await run.callee?.exited, 0, run.callee?.out);
    const { report } = analyzeCapture(run.cap);
    assert.ok(report);
    const legA = legTo(report.legs, 20100);
    assert.equal(legA.offerIn, "2xx");
    assert.equal(legA.codec?.name.toUpperCase(), "PCMU");
    const out = tsharkEvents(run.cap, CALLEE.rtp, 96);
    assert.equal(out.map((e) => KEYS[e.event]).join(""), DIGITS);
  });

  test("(d) delayed offer on leg b (legs.b.delayedOffer): INVITE without SDP, our answer in the ACK", async () => {
    const run = await runCall(
      dir,
      "d2",
      20120,
      callerXml({ inviteSdp: sdp([0, 8], 101), play: "media/caller.pcap", callMs: 2600 }),
      calleeXml({ okSdp: sdp([8], 96) }),
    );
    assert.equal(await run.caller.exited, 0, run.caller.out);
    assert.equal(await run.callee?.exited, 0, run.callee?.out);
    const invites = tshark(run.cap, `sip.Method == "INVITE" && udp.dstport == ${CALLEE.sip}`, [
      "sip.Content-Length",
    ]);
    assert.deepEqual(invites, [["0"]]);
    const acks = tshark(run.cap, `sip.Method == "ACK" && udp.dstport == ${CALLEE.sip} && sdp`, ["sdp.media"]);
    assert.equal(acks.length, 1, "the answer travels in the ACK");
    const { report } = analyzeCapture(run.cap);
    assert.ok(report);
    const legB = legTo(report.legs, CALLEE.sip);
    assert.equal(legB.offerIn, "2xx");
    // the callee offered PCMA alone; the caller offered it too: both legs on PCMA
    assert.equal(legB.codec?.name.toUpperCase(), "PCMA");
    assert.equal(legTo(report.legs, 20120).codec?.name.toUpperCase(), "PCMA");
  });

  test("(e) 488 with Warning 305 when no codec is common; nothing reaches the next hop", async () => {
    const run = await runCall(
      dir,
      "e",
      20100,
      callerXml({ inviteSdp: sdp([9], null), callMs: 0, expect: 488 }),
      null,
    );
    assert.equal(await run.caller.exited, 0, run.caller.out);
    const rows = tshark(run.cap, "sip.Status-Code == 488", ["sip.Warning"]);
    assert.equal(rows.length, 1);
    assert.match(rows[0]![0]!, /^305 127\.0\.0\.1 "Incompatible media format"$/);
    assert.equal(tshark(run.cap, `udp.dstport == ${CALLEE.sip}`, ["frame.number"]).length, 0);
  });

  test("(f) SIGTERM: every active call gets BYE on both legs, answered, and the process exits 0", async () => {
    const sig = await startB2bua([
      "--listen",
      "127.0.0.1:20130",
      "--next-hop",
      `127.0.0.1:${CALLEE.sip}`,
      "--rtp-ports",
      "21150-21199",
    ]);
    const cap = join(dir, "f.pcap");
    const capture = await startCapture(cap, BPF);
    const ce = sipp(dir, scenario(dir, "f-callee", calleeXml({ okSdp: sdp([0], 96) })), [
      "-p",
      String(CALLEE.sip),
      "-mi",
      "127.0.0.1",
      "-mp",
      String(CALLEE.rtp),
    ]);
    await new Promise((r) => setTimeout(r, 300));
    const cr = sipp(
      dir,
      scenario(dir, "f-caller", callerXml({ inviteSdp: sdp([0], 101), callMs: 0, hangup: "remote" })),
      ["127.0.0.1:20130", "-p", String(CALLER.sip), "-mi", "127.0.0.1", "-mp", String(CALLER.rtp)],
    );
    await sig.waitFor(() => sig.err.includes("answered"), 10_000, "the call to be answered");
    assert.equal(await sig.stop("SIGTERM"), 0, sig.err);
    assert.match(sig.err, /SIGTERM: ending 1 call\(s\)/);
    assert.equal(await cr.exited, 0, cr.out);
    assert.equal(await ce.exited, 0, ce.out);
    await stopCapture(capture);
    const byes = tshark(cap, 'sip.Method == "BYE"', ["udp.srcport", "udp.dstport"]);
    assert.deepEqual(
      byes.map((r) => `${r[0]}->${r[1]}`).sort(),
      [`20130->${CALLEE.sip}`, `20130->${CALLER.sip}`].sort(),
    );
    assert.equal(tshark(cap, "sip.Status-Code == 200 && sip.CSeq.method == BYE", ["frame.number"]).length, 2);
  });
});
