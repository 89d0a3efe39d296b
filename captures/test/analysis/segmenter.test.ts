/**
 * segmenter.ts: which ended, quiet calls may be analysed and forgotten while the capture is read.
 * Built from SIP text through the real collector and index, with the relations correlate.ts and
 * placeStreams() use to tie a call to one still in progress.
 */
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { CallIndex } from "../../src/analysis/call-index.ts";
import type { ActivePair } from "../../src/analysis/packet-side.ts";
import { closeQuietCalls } from "../../src/analysis/segmenter.ts";
import { SipCollector } from "../../src/analysis/sip-collector.ts";

class Trace {
  readonly index = new CallIndex();
  readonly sip = new SipCollector((e) => this.index.onSip(e));
  private frame = 0;

  send(tsS: number, from: string, to: string, text: string): void {
    const [srcIp, srcPort] = from.split(":");
    const [dstIp, dstPort] = to.split(":");
    const data = Buffer.from(text.replace(/\n/g, "\r\n"), "latin1");
    this.sip.onUdp({
      frame: ++this.frame,
      tsS,
      proto: "udp",
      srcIp: srcIp!,
      srcPort: Number(srcPort),
      dstIp: dstIp!,
      dstPort: Number(dstPort),
      data,
      offset: 0,
      length: data.length,
      tcpGap: false,
    });
  }

  /** INVITE (with SDP on `media`), 200, ACK; BYE at `byeS` unless null. */
  call(o: {
    id: string;
    at: number;
    from: string;
    to: string;
    user: string;
    media: string;
    byeS: number | null;
    extra?: string;
  }): void {
    const [mip, mport] = o.media.split(":");
    const sdp = `v=0\no=- 1 1 IN IP4 ${mip}\ns=-\nc=IN IP4 ${mip}\nt=0 0\nm=audio ${mport} RTP/AVP 0 101\na=rtpmap:101 telephone-event/8000\n`;
    const head = (m: string, cseq: string, toTag: boolean): string =>
      `${m} sip:${o.user}@${o.to} SIP/2.0\nVia: SIP/2.0/UDP ${o.from};branch=z9hG4bK${o.id}${cseq.replace(" ", "")}\n` +
      `From: <sip:caller@${o.from}>;tag=a${o.id}\nTo: <sip:${o.user}@${o.to}>${toTag ? `;tag=b${o.id}` : ""}\n` +
      `Call-ID: ${o.id}\nCSeq: ${cseq}\n${o.extra ?? ""}`;
    this.send(
      o.at,
      o.from,
      o.to,
      `${head("INVITE", "1 INVITE", false)}Content-Type: application/sdp\nContent-Length: ${sdp.replace(/\n/g, "\r\n").length}\n\n${sdp}`,
    );
    this.send(
      o.at + 0.1,
      o.to,
      o.from,
      `SIP/2.0 200 OK\nVia: SIP/2.0/UDP ${o.from};branch=z9hG4bK${o.id}1INVITE\nFrom: <sip:caller@${o.from}>;tag=a${o.id}\n` +
        `To: <sip:${o.user}@${o.to}>;tag=b${o.id}\nCall-ID: ${o.id}\nCSeq: 1 INVITE\nContent-Length: 0\n\n`,
    );
    this.send(o.at + 0.2, o.from, o.to, `${head("ACK", "1 ACK", true)}Content-Length: 0\n\n`);
    if (o.byeS !== null)
      this.send(o.byeS, o.from, o.to, `${head("BYE", "2 BYE", true)}Content-Length: 0\n\n`);
  }

  close(nowS: number, active: ActivePair[] = []): string[] {
    const r = closeQuietCalls(this.index, this.sip.events, [], active, nowS - 32, (t) => t);
    return r === null ? [] : [...r.callIds].sort();
  }
}

const A = "10.0.0.1:5060";
const B = "10.0.0.2:5060";
const C = "10.0.0.3:5060";

test("an ended call quiet for 32 s closes; one in progress or not quiet long enough does not", () => {
  const t = new Trace();
  t.call({ id: "done", at: 0, from: A, to: B, user: "1001", media: "10.0.0.1:4000", byeS: 5 });
  t.call({ id: "up", at: 1, from: A, to: B, user: "1002", media: "10.0.0.1:4002", byeS: null });
  t.call({ id: "recent", at: 2, from: A, to: B, user: "1003", media: "10.0.0.1:4004", byeS: 30 });
  assert.deepStrictEqual(t.close(36), []); // "done" quiet 31 s only
  assert.deepStrictEqual(t.close(40), ["done"]);
});

test("a call is held while a leg in progress shares its Cisco-Guid", () => {
  const t = new Trace();
  t.call({
    id: "a",
    at: 0,
    from: A,
    to: B,
    user: "1001",
    media: "10.0.0.1:4000",
    byeS: 5,
    extra: "Cisco-Guid: 42-42\n",
  });
  t.call({
    id: "b",
    at: 300,
    from: C,
    to: B,
    user: "9999",
    media: "10.0.0.3:4000",
    byeS: null,
    extra: "Cisco-Guid: 42-42\n",
  });
  assert.deepStrictEqual(t.close(400), []);
  const u = new Trace();
  u.call({
    id: "a",
    at: 0,
    from: A,
    to: B,
    user: "1001",
    media: "10.0.0.1:4000",
    byeS: 5,
    extra: "Cisco-Guid: 42-42\n",
  });
  u.call({
    id: "b",
    at: 300,
    from: C,
    to: B,
    user: "9999",
    media: "10.0.0.3:4000",
    byeS: null,
    extra: "Cisco-Guid: 7\n",
  });
  assert.deepStrictEqual(u.close(400), ["a"]);
});

test("a B2BUA hop with a shared number holds the first leg while the second is up", () => {
  const t = new Trace();
  // A -> B arrives at B; B -> C leaves from B with the same dialled number, while the first is up
  t.call({ id: "in", at: 0, from: A, to: B, user: "5551234", media: "10.0.0.1:4000", byeS: 10 });
  t.call({ id: "out", at: 1, from: B, to: C, user: "5551234", media: "10.0.0.2:6000", byeS: null });
  assert.deepStrictEqual(t.close(60), []);
  // another number: no hop, the first leg closes
  const u = new Trace();
  u.call({ id: "in", at: 0, from: A, to: B, user: "5551234", media: "10.0.0.1:4000", byeS: 10 });
  u.call({ id: "out", at: 1, from: B, to: C, user: "7770000", media: "10.0.0.2:6000", byeS: null });
  assert.deepStrictEqual(u.close(60), ["in"]);
});

test("an out-of-dialog KPML subscription closes with the leg it watches, not before", () => {
  const t = new Trace();
  t.call({ id: "leg", at: 0, from: A, to: B, user: "1001", media: "10.0.0.1:4000", byeS: 5 });
  t.send(
    1,
    B,
    A,
    "SUBSCRIBE sip:caller@10.0.0.1:5060 SIP/2.0\nVia: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKs1\n" +
      "From: <sip:b@10.0.0.2>;tag=s1\nTo: <sip:caller@10.0.0.1>\nCall-ID: sub-1\nCSeq: 1 SUBSCRIBE\n" +
      "Event: kpml;call-id=leg;from-tag=aleg;to-tag=bleg\nExpires: 7200\nContent-Length: 0\n\n",
  );
  t.send(
    20,
    B,
    A,
    "OPTIONS sip:x@10.0.0.1 SIP/2.0\nCall-ID: sub-1\nCSeq: 2 OPTIONS\nFrom: <sip:b@10.0.0.2>;tag=s1\nTo: <sip:caller@10.0.0.1>\nContent-Length: 0\n\n",
  );
  // the leg is quiet at 40, its subscription (last seen at 20) is not: both wait
  assert.deepStrictEqual(t.close(40), []);
  assert.deepStrictEqual(t.close(60), ["leg", "sub-1"]);
});

test("a call is held while a stream between its two media addresses still flows", () => {
  const t = new Trace();
  t.call({ id: "x", at: 0, from: A, to: B, user: "1001", media: "10.0.0.1:4000", byeS: 5 });
  assert.deepStrictEqual(t.close(40, [["10.0.0.9:7000", "10.0.0.1:4000"]]), []);
  assert.deepStrictEqual(t.close(40, [["10.0.0.9:7000", "10.0.0.8:7002"]]), ["x"]);
});
