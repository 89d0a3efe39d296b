import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseSdp } from "../../../src/wire/sdp/parse.ts";
import { STATIC_PAYLOAD_TYPES } from "../../../src/wire/sdp/static-payloads.ts";
import type { SdpMedia, SessionDescription } from "../../../src/wire/sdp/types.ts";
import * as F from "./fixtures.ts";

function sdpOf(text: string): SessionDescription {
  const r = parseSdp(text);
  assert.ok(r.ok, JSON.stringify(r));
  return r.sdp;
}

function only(sd: SessionDescription, i = 0): SdpMedia {
  const m = sd.media[i];
  assert.ok(m, `no m-line ${i}`);
  return m;
}

const SIXTEEN = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

test("DOMAIN §6.4 offer: PCMU static + telephone-event 101 with 0-15", () => {
  const sd = sdpOf(F.DOMAIN_OFFER);
  assert.deepEqual(sd.origin, { username: "mvs", sessionId: "1000", version: "1", address: "192.0.2.10" });
  assert.equal(sd.connection, "192.0.2.10");
  assert.equal(sd.sessionName, "-");
  assert.deepEqual(only(sd), {
    type: "audio",
    port: 20000,
    proto: "RTP/AVP",
    payloads: [0, 101],
    formats: ["0", "101"],
    rtpmaps: [
      { pt: 0, name: "PCMU", clockRate: 8000 },
      { pt: 101, name: "telephone-event", clockRate: 8000 },
    ],
    fmtp: { 101: "0-15" },
    ptimeMs: null,
    direction: "sendrecv",
    connection: "192.0.2.10",
    telephoneEvent: { pt: 101, clockRate: 8000, events: SIXTEEN, fmtp: "0-15" },
  });
});

test("delayed-offer 200 OK (ws-sample-sip-dtmf2-rfc2833.pcap): PCMA/8 PCMU/0 G729/18 telephone-event/96, ptime 30", () => {
  const m = only(sdpOf(F.DELAYED_OFFER_200));
  assert.deepEqual(m.payloads, [8, 0, 18, 96]);
  assert.deepEqual(
    m.rtpmaps.map((r) => `${r.pt} ${r.name}/${r.clockRate}`),
    ["8 PCMA/8000", "0 PCMU/8000", "18 G729/8000", "96 telephone-event/8000"],
  );
  assert.equal(m.ptimeMs, 30);
  assert.equal(m.direction, "sendrecv");
  assert.equal(m.port, 4376);
  assert.deepEqual(m.telephoneEvent, { pt: 96, clockRate: 8000, events: SIXTEEN, fmtp: "0-15" });
});

test("fmtp ranges: '0-15,32' (real), '0-16' and channel count on telephone-event/8000/1", () => {
  const fax = sdpOf(F.FAX_AUDIO_AND_T38);
  assert.deepEqual(only(fax).telephoneEvent?.events, [...SIXTEEN, 32]);
  assert.equal(only(fax).ptimeMs, 20);
  const ch = only(sdpOf(F.FAX_AUDIO_WITH_CHANNELS));
  assert.deepEqual(ch.rtpmaps, [
    { pt: 8, name: "PCMA", clockRate: 8000 },
    { pt: 103, name: "G726-32", clockRate: 8000 },
    { pt: 102, name: "telephone-event", clockRate: 8000, channels: 1 },
  ]);
  assert.equal(ch.telephoneEvent?.pt, 102);
  const mlc = sdpOf(F.MEDIA_LEVEL_CONNECTION);
  assert.deepEqual(only(mlc).telephoneEvent?.events, [...SIXTEEN, 16]);
});

test("telephone-event without fmtp defaults to 0-15 (RFC 4733 §2.4.1)", () => {
  const m = only(
    sdpOf("v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 1 RTP/AVP 0 100\r\na=rtpmap:100 telephone-event/8000\r\n"),
  );
  assert.deepEqual(m.telephoneEvent, { pt: 100, clockRate: 8000, events: SIXTEEN, fmtp: null });
});

test("T.38: m=image 0 udptl t38 has formats but no RTP payloads", () => {
  const sd = sdpOf(F.FAX_AUDIO_AND_T38);
  const image = only(sd, 1);
  assert.equal(image.type, "image");
  assert.equal(image.port, 0);
  assert.equal(image.proto, "udptl");
  assert.deepEqual(image.formats, ["t38"]);
  assert.deepEqual(image.payloads, []);
  assert.deepEqual(image.rtpmaps, []);
  assert.equal(image.telephoneEvent, null);
  assert.equal(image.connection, "10.35.60.100");
});

test("media-level c= overrides session c=; session direction applies unless the media sets one", () => {
  const sd = sdpOf(F.MEDIA_LEVEL_CONNECTION);
  assert.equal(sd.connection, "198.51.100.1");
  assert.equal(only(sd, 0).connection, "203.0.113.7");
  assert.equal(only(sd, 1).connection, "198.51.100.1");
  assert.equal(only(sd, 0).direction, "sendonly");
  assert.equal(only(sd, 1).direction, "recvonly");
  assert.deepEqual(only(sd, 0).fmtp, { 18: "annexb=no", 101: "0-16" });
  assert.deepEqual(only(sd, 2).otherAttributes, [
    { name: "T38FaxVersion", value: "0" },
    { name: "T38FaxRateManagement", value: "transferredTCF" },
    { name: "T38FaxUdpEC", value: "t38UDPRedundancy" },
  ]);
});

test("legacy hold keeps 0.0.0.0; static PTs without rtpmap get the RFC 3551 defaults", () => {
  const sd = sdpOf(F.LEGACY_HOLD_STATIC_ONLY);
  const m = only(sd);
  assert.equal(sd.connection, "0.0.0.0");
  assert.equal(m.connection, "0.0.0.0");
  assert.deepEqual(m.rtpmaps, [
    { pt: 0, name: "PCMU", clockRate: 8000 },
    { pt: 8, name: "PCMA", clockRate: 8000 },
    { pt: 18, name: "G729", clockRate: 8000 },
    { pt: 13, name: "CN", clockRate: 8000 },
    { pt: 9, name: "G722", clockRate: 8000 },
  ]);
  assert.equal(m.telephoneEvent, null);
});

test("a dynamic PT without rtpmap has no rtpmap (its meaning is unknown)", () => {
  const m = only(sdpOf("v=0\nm=audio 5 RTP/AVP 0 97\n"));
  assert.deepEqual(m.payloads, [0, 97]);
  assert.deepEqual(
    m.rtpmaps.map((r) => r.pt),
    [0],
  );
  assert.equal(m.connection, null);
});

test("port 0 (rejected stream) parses with port 0", () => {
  assert.equal(only(sdpOf(F.REJECTED_ANSWER)).port, 0);
});

test("Cisco IOS answer: CN on 19 by rtpmap, s= kept, duplicate c= harmless", () => {
  const sd = sdpOf(F.CISCO_IOS_ANSWER);
  assert.equal(sd.sessionName, "SIP Call");
  const m = only(sd);
  assert.deepEqual(m.rtpmaps, [
    { pt: 0, name: "PCMU", clockRate: 8000 },
    { pt: 19, name: "CN", clockRate: 8000 },
  ]);
  assert.equal(m.ptimeMs, 20);
});

test("LF, CRLF and CR line ends give the same model", () => {
  const lf = F.DELAYED_OFFER_200.replace(/\r\n/g, "\n");
  const cr = F.DELAYED_OFFER_200.replace(/\r\n/g, "\r");
  assert.deepEqual(sdpOf(lf), sdpOf(F.DELAYED_OFFER_200));
  assert.deepEqual(sdpOf(cr), sdpOf(F.DELAYED_OFFER_200));
});

test("unknown and malformed lines are skipped and reported, never fatal", () => {
  const text = [
    "v=0",
    "o=- 1 1 IN IP4 192.0.2.1",
    "s=-",
    "this is not an SDP line",
    "c=IN",
    "t=0 0",
    "x=unknown-type",
    "m=audio 4000 RTP/AVP 0 96",
    "a=rtpmap:96 telephone-event",
    "a=ptime:abc",
    "a=rtcp:4001",
    "a=rtcp-mux",
  ].join("\r\n");
  const r = parseSdp(text);
  assert.ok(r.ok);
  assert.deepEqual(r.ignoredLines, [
    "this is not an SDP line",
    "c=IN",
    "a=rtpmap:96 telephone-event",
    "a=ptime:abc",
  ]);
  const m = only(r.sdp);
  assert.deepEqual(
    m.rtpmaps.map((x) => x.pt),
    [0],
  );
  assert.equal(m.telephoneEvent, null);
  assert.equal(m.ptimeMs, null);
  assert.deepEqual(m.otherAttributes, [
    { name: "rtcp", value: "4001" },
    { name: "rtcp-mux", value: null },
  ]);
});

test("rtpmap/fmtp for a PT absent from the m-line is kept as an other attribute, not as a payload", () => {
  const m = only(sdpOf("v=0\nm=audio 4000 RTP/AVP 0\na=rtpmap:101 telephone-event/8000\na=fmtp:101 0-15\n"));
  assert.deepEqual(
    m.rtpmaps.map((r) => r.pt),
    [0],
  );
  assert.equal(m.telephoneEvent, null);
  assert.deepEqual(m.otherAttributes, [
    { name: "rtpmap", value: "101 telephone-event/8000" },
    { name: "fmtp", value: "101 0-15" },
  ]);
});

test("not SDP: no v= line", () => {
  const r = parseSdp("SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n");
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.error.code, "not-sdp");
  assert.equal(parseSdp("").ok, false);
});

test("bad m= line is fatal (bad-media)", () => {
  for (const line of ["m=audio", "m=audio x RTP/AVP 0", "m=audio 70000 RTP/AVP 0"]) {
    const r = parseSdp(`v=0\r\n${line}\r\n`);
    assert.equal(!r.ok && r.error.code, "bad-media", line);
  }
});

test("m= port with a count (49170/2) and IPv6 / multicast TTL connection addresses", () => {
  const sd = sdpOf("v=0\nc=IN IP4 224.2.1.1/127/3\nm=audio 49170/2 RTP/AVP 0\nc=IN IP6 2001:db8::1\n");
  assert.equal(sd.connection, "224.2.1.1");
  assert.equal(only(sd).port, 49170);
  assert.equal(only(sd).connection, "2001:db8::1");
});

test("static payload table is frozen and follows RFC 3551 Table 4 for the codecs we meet", () => {
  assert.ok(Object.isFrozen(STATIC_PAYLOAD_TYPES));
  const expected: Record<number, string> = {
    0: "PCMU/8000",
    3: "GSM/8000",
    4: "G723/8000",
    8: "PCMA/8000",
    9: "G722/8000",
    13: "CN/8000",
    18: "G729/8000",
  };
  for (const [pt, enc] of Object.entries(expected)) {
    const r = STATIC_PAYLOAD_TYPES[Number(pt)];
    assert.equal(r && `${r.name}/${r.clockRate}`, enc);
  }
  assert.equal(STATIC_PAYLOAD_TYPES[101], undefined);
});

test("property: arbitrary text never throws", () => {
  const sdpish = fc.array(
    fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom(
        "v=0",
        "m=audio 0 RTP/AVP 0",
        "a=rtpmap:",
        "a=fmtp:101 0-9999999",
        "c=IN IP4",
        "a=ptime:",
      ),
      fc
        .tuple(fc.constantFrom("v", "o", "c", "m", "a", "s"), fc.string({ maxLength: 25 }))
        .map(([k, v]) => `${k}=${v}`),
    ),
    { maxLength: 15 },
  );
  fc.assert(
    fc.property(sdpish, fc.constantFrom("\r\n", "\n", "\r"), (lines, eol) => {
      const r = parseSdp(lines.join(eol));
      if (r.ok) {
        for (const m of r.sdp.media) {
          for (const e of m.telephoneEvent?.events ?? []) assert.ok(e >= 0 && e <= 255);
        }
      }
    }),
    { numRuns: 400 },
  );
});

test("property: any mix of CRLF, LF and CR line ends reads as the same lines", () => {
  const line = fc
    .tuple(fc.constantFrom("v", "o", "c", "m", "a", "s", "t"), fc.stringMatching(/^[ -~]{0,20}$/))
    .map(([k, v]) => `${k}=${v}`);
  fc.assert(
    fc.property(fc.array(fc.tuple(line, fc.constantFrom("\r\n", "\n", "\r")), { maxLength: 12 }), (lines) => {
      const mixed = lines.map(([l, eol]) => l + eol).join("");
      const lf = lines.map(([l]) => `${l}\n`).join("");
      assert.deepEqual(parseSdp(mixed), parseSdp(lf));
    }),
    { numRuns: 400 },
  );
});

test("property: the RTP payload types of an m= line are its 1-3 digit formats up to 127", () => {
  const format = fc.oneof(
    fc.integer({ min: 0, max: 300 }).map(String),
    fc.constantFrom("08", "000", "0127", "12a", "-1", "+5", "1e2", "x", "96/1"),
  );
  fc.assert(
    fc.property(fc.array(format, { minLength: 1, maxLength: 8 }), (formats) => {
      const r = parseSdp(`v=0\r\nm=audio 4000 RTP/AVP ${formats.join(" ")}\r\n`);
      assert.ok(r.ok);
      const expected = formats.filter((f) => /^\d{1,3}$/.test(f) && Number(f) <= 127).map(Number);
      assert.deepEqual(r.sdp.media[0]!.payloads, expected);
    }),
    { numRuns: 300 },
  );
});
