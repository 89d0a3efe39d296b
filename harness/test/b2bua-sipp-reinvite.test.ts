/**
 * `mvsct b2bua` relaying a re-INVITE without SDP (CUCM's mid-call delayed offer, DOMAIN.md §9.2)
 * between two real SIPp UAs on 127.0.0.1, checked on a tcpdump capture with tshark: the callee
 * gets a re-INVITE without SDP, its offer (PCMA/8 + telephone-event/96, in its 200) reaches the
 * caller rewritten (our address and port, the caller's PT 101), and the caller's answer (in its
 * ACK) reaches the callee rewritten (PCMA with the callee's PT 96, our port).
 * Ports: SIP 20500-20502, RTP 21800-21849. Skipped when sipp / tcpdump / tshark are missing or not root.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  calleeXml,
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
  workDir,
} from "./b2bua-helpers.ts";
import type { Proc } from "./b2bua-helpers.ts";

const missing = ["sipp", "tcpdump", "tshark"].filter((c) => !has(c));
const skip = missing.length > 0 ? `missing ${missing.join(", ")}` : !isRoot() ? "tcpdump needs root" : false;

const B2BUA = 20500;
const CALLER = { sip: 20501, rtp: 21840 };
const CALLEE = { sip: 20502, rtp: 21844 };
const RTP_PORTS = { min: 21800, max: 21839 };
const BPF = "udp and (portrange 20500-20502 or portrange 21800-21849)";

/** A request; retransmitted every 500 ms until answered, except ACK (it gets no response). */
function send(start: string, headers: readonly string[], body: string | null): string {
  const retrans = start.startsWith("ACK ") ? "" : ' retrans="500"';
  const h = [...headers];
  if (body === null) h.push("Content-Length: 0");
  else h.push("Content-Type: application/sdp", "Content-Length: [len]");
  return `  <send${retrans}><![CDATA[\n${[start, ...h, "", ...(body === null ? [] : [body])].join("\n")}\n]]></send>`;
}

function dialog(cseq: string, toTag: boolean): string[] {
  return [
    "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]",
    "From: <sip:4165550100@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]",
    `To: <sip:5551000@[remote_ip]:[remote_port]>${toTag ? "[peer_tag_param]" : ""}`,
    "Call-ID: [call_id]",
    `CSeq: ${cseq}`,
    "Contact: <sip:4165550100@[local_ip]:[local_port]>",
    "Max-Forwards: 70",
  ];
}

/** INVITE with an offer, ACK; re-INVITE without SDP, the answer to the 200's offer in the ACK; BYE. */
function callerXml(): string {
  const uri = "sip:5551000@[remote_ip]:[remote_port] SIP/2.0";
  return [
    send(`INVITE ${uri}`, dialog("1 INVITE", false), sdp([0, 8], 101)),
    '  <recv response="100" optional="true"/>',
    '  <recv response="180" optional="true"/>',
    '  <recv response="200" rtd="true"/>',
    send(`ACK ${uri}`, dialog("1 ACK", true), null),
    '  <pause milliseconds="300"/>',
    send(`INVITE ${uri}`, dialog("2 INVITE", true), null),
    '  <recv response="100" optional="true"/>',
    '  <recv response="200"/>',
    send(`ACK ${uri}`, dialog("2 ACK", true), sdp([8], 101)),
    '  <pause milliseconds="300"/>',
    send(`BYE ${uri}`, dialog("3 BYE", true), null),
    '  <recv response="200" crlf="true"/>',
  ].join("\n");
}

/** Answers the call; offers PCMA (and PCMU) with telephone-event/96 in the 200 to the re-INVITE. */
function calleeMid(): string {
  return [
    '  <recv request="INVITE"/>',
    replyXml("200 OK", ["Contact: <sip:callee@[local_ip]:[local_port]>"], sdp([8, 0], 96)),
    '  <recv request="ACK"/>',
  ].join("\n");
}

describe("mvsct b2bua relays a re-INVITE without SDP (SIPp both sides)", { skip, timeout: 120_000 }, () => {
  let dir = "";
  let b2bua: Proc;

  before(async () => {
    dir = workDir("b2bua-sipp-reinvite");
    b2bua = await startB2bua([
      "--listen",
      `127.0.0.1:${B2BUA}`,
      "--next-hop",
      `127.0.0.1:${CALLEE.sip}`,
      "--rtp-ports",
      `${RTP_PORTS.min}-${RTP_PORTS.max}`,
    ]);
  });

  after(async () => {
    assert.equal(await b2bua?.stop(), 0, `b2bua exit: ${b2bua?.err}`);
  });

  test("re-INVITE without SDP on leg a: re-INVITE without SDP on leg b; offer in the 200s, answer in the ACKs, each rewritten", async () => {
    const cap = join(dir, "reinvite.pcap");
    const capture = await startCapture(cap, BPF);
    const callee = sipp(dir, scenario(dir, "callee", calleeXml({ okSdp: sdp([0], 96), mid: calleeMid() })), [
      "-p",
      String(CALLEE.sip),
      "-mi",
      "127.0.0.1",
      "-mp",
      String(CALLEE.rtp),
    ]);
    await new Promise((r) => setTimeout(r, 300));
    const caller = sipp(dir, scenario(dir, "caller", callerXml()), [
      `127.0.0.1:${B2BUA}`,
      "-p",
      String(CALLER.sip),
      "-mi",
      "127.0.0.1",
      "-mp",
      String(CALLER.rtp),
    ]);
    const [cr, ce] = await Promise.all([caller.exited, callee.exited]);
    await stopCapture(capture);
    assert.equal(cr, 0, caller.out + caller.err);
    assert.equal(ce, 0, callee.out + callee.err);

    const toCallee = `udp.dstport == ${CALLEE.sip}`;
    const toCaller = `udp.dstport == ${CALLER.sip}`;
    const invites = tshark(cap, `sip.Method == "INVITE" && ${toCallee}`, ["sip.CSeq", "sip.Content-Length"]);
    assert.equal(invites.length, 2, JSON.stringify(invites));
    assert.equal(invites[1]![1], "0", "the re-INVITE reaches leg b without SDP");

    const offers = tshark(
      cap,
      `sip.Status-Code == 200 && sip.CSeq.method == "INVITE" && ${toCaller} && sdp`,
      ["sdp.connection_info.address", "sdp.media"],
    );
    assert.equal(offers.length, 2, JSON.stringify(offers));
    const [addr, mline] = offers[1]!;
    assert.equal(addr, "127.0.0.1");
    const m = /^audio (\d+) RTP\/AVP (.*)$/.exec(mline ?? "");
    assert.ok(m, mline);
    const port = Number(m[1]);
    assert.ok(port >= RTP_PORTS.min && port <= RTP_PORTS.max, `our port, got ${port}`);
    assert.equal(m[2], "0 8 101", "the caller's policy order, the caller's telephone-event PT");

    const answers = tshark(cap, `sip.Method == "ACK" && ${toCallee} && sdp`, [
      "sdp.connection_info.address",
      "sdp.media",
    ]);
    assert.equal(answers.length, 1, "the answer travels in the ACK to leg b");
    assert.equal(answers[0]![0], "127.0.0.1");
    const a = /^audio (\d+) RTP\/AVP (.*)$/.exec(answers[0]![1] ?? "");
    assert.ok(a);
    assert.ok(Number(a[1]) >= RTP_PORTS.min && Number(a[1]) <= RTP_PORTS.max);
    assert.equal(a[2], "8 96", "the caller's choice with the callee's telephone-event PT");
  });
});
