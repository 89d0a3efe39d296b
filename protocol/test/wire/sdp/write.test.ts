import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseSdp } from "../../../src/wire/sdp/parse.ts";
import { writeSdp } from "../../../src/wire/sdp/write.ts";
import type { MediaDirection, SessionDescription } from "../../../src/wire/sdp/types.ts";
import {
  formatTelephoneEventList,
  parseTelephoneEventList,
} from "../../../src/wire/sdp/telephone-event-fmtp.ts";
import * as F from "./fixtures.ts";

function sdpOf(text: string): SessionDescription {
  const r = parseSdp(text);
  assert.ok(r.ok, JSON.stringify(r));
  return r.sdp;
}

test("writes what a B2BUA offers: origin, c=, m=, rtpmap, fmtp, ptime, direction", () => {
  const text = writeSdp({
    origin: { username: "mvs", sessionId: "42", version: "1", address: "192.0.2.10" },
    connection: "192.0.2.10",
    media: [
      {
        type: "audio",
        port: 20000,
        proto: "RTP/AVP",
        payloads: [0, 101],
        rtpmaps: [
          { pt: 0, name: "PCMU", clockRate: 8000 },
          { pt: 101, name: "telephone-event", clockRate: 8000 },
        ],
        fmtp: { 101: "0-15" },
        ptimeMs: 20,
        direction: "sendrecv",
      },
    ],
  });
  assert.equal(
    text,
    [
      "v=0",
      "o=mvs 42 1 IN IP4 192.0.2.10",
      "s=-",
      "c=IN IP4 192.0.2.10",
      "t=0 0",
      "m=audio 20000 RTP/AVP 0 101",
      "a=rtpmap:0 PCMU/8000",
      "a=rtpmap:101 telephone-event/8000",
      "a=fmtp:101 0-15",
      "a=ptime:20",
      "a=sendrecv",
      "",
    ].join("\r\n"),
  );
});

test("defaults: origin from the connection, payloads from rtpmaps, media c= only when it differs, IP6", () => {
  const text = writeSdp({
    connection: "0.0.0.0",
    media: [
      {
        type: "audio",
        port: 4000,
        proto: "RTP/AVP",
        rtpmaps: [{ pt: 8, name: "PCMA", clockRate: 8000 }],
        direction: "sendonly",
      },
      { type: "audio", port: 4002, proto: "RTP/AVP", payloads: [0], connection: "2001:db8::5" },
      { type: "image", port: 0, proto: "udptl", formats: ["t38"] },
    ],
  });
  assert.equal(
    text,
    [
      "v=0",
      "o=- 0 0 IN IP4 0.0.0.0",
      "s=-",
      "c=IN IP4 0.0.0.0",
      "t=0 0",
      "m=audio 4000 RTP/AVP 8",
      "a=rtpmap:8 PCMA/8000",
      "a=sendonly",
      "m=audio 4002 RTP/AVP 0",
      "c=IN IP6 2001:db8::5",
      "m=image 0 udptl t38",
      "",
    ].join("\r\n"),
  );
});

test("writer refuses values that cannot be SDP (caller bugs)", () => {
  assert.throws(
    () => writeSdp({ media: [{ type: "audio", port: 70000, proto: "RTP/AVP", payloads: [0] }] }),
    RangeError,
  );
  assert.throws(
    () => writeSdp({ media: [{ type: "audio", port: 1, proto: "RTP/AVP", payloads: [128] }] }),
    RangeError,
  );
  assert.throws(() => writeSdp({ sessionName: "a\r\nm=evil", media: [] }), Error);
});

const FIXTURES = Object.entries(F).filter(([, v]) => typeof v === "string") as [string, string][];

for (const [name, text] of FIXTURES) {
  test(`round trip: parse(write(parse(${name}))) is the same model`, () => {
    const first = sdpOf(text);
    const again = sdpOf(writeSdp(first));
    if (first.origin === null) {
      assert.deepEqual(again.media, first.media);
      assert.equal(again.connection, first.connection);
    } else {
      assert.deepEqual(again, first);
    }
  });
}

test("telephone-event lists: parse and format are inverse on sorted unique lists", () => {
  assert.deepEqual(parseTelephoneEventList("0-15,16"), [...Array(17).keys()]);
  assert.deepEqual(
    parseTelephoneEventList(" 0 - 3 , 5,x,7-6, 300, 250-999"),
    [0, 1, 2, 3, 5, 250, 251, 252, 253, 254, 255],
  );
  assert.equal(formatTelephoneEventList([...Array(17).keys()]), "0-16");
  assert.equal(formatTelephoneEventList([32, 0, 1, 2, 2]), "0-2,32");
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { maxLength: 40 }), (events) => {
      const sorted = [...events].sort((a, b) => a - b);
      assert.deepEqual(parseTelephoneEventList(formatTelephoneEventList(events)), sorted);
    }),
    { numRuns: 300 },
  );
});

const token = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,10}$/);
const direction = fc.constantFrom<MediaDirection>("sendrecv", "sendonly", "recvonly", "inactive");
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((t) => t.join("."));

const mediaArb = fc
  .uniqueArray(fc.integer({ min: 0, max: 127 }), { minLength: 1, maxLength: 6 })
  .chain((payloads) =>
    fc.record({
      type: fc.constant("audio"),
      port: fc.integer({ min: 0, max: 65535 }),
      proto: fc.constantFrom("RTP/AVP", "RTP/SAVP"),
      payloads: fc.constant(payloads),
      rtpmaps: fc.constant(
        payloads
          .filter((pt) => pt >= 96)
          .map((pt) => ({ pt, name: pt % 2 === 0 ? "telephone-event" : "X-codec", clockRate: 8000 })),
      ),
      fmtp: fc.constant(Object.fromEntries(payloads.filter((pt) => pt >= 96).map((pt) => [pt, "0-15"]))),
      ptimeMs: fc.option(fc.integer({ min: 10, max: 60 }), { nil: null }),
      direction,
      connection: fc.option(ipv4, { nil: null }),
    }),
  );

test("property: generated descriptions survive write -> parse on every modelled field", () => {
  fc.assert(
    fc.property(
      fc.record({
        origin: fc.record({
          username: token,
          sessionId: fc.nat().map(String),
          version: fc.nat().map(String),
          address: ipv4,
        }),
        connection: fc.option(ipv4, { nil: null }),
        media: fc.array(mediaArb, { minLength: 1, maxLength: 3 }),
      }),
      (input) => {
        const sd = sdpOf(writeSdp(input));
        assert.deepEqual(sd.origin, { ...input.origin }); // fast-check records have a null prototype
        assert.equal(sd.connection, input.connection);
        assert.equal(sd.media.length, input.media.length);
        input.media.forEach((want, i) => {
          const got = sd.media[i]!;
          assert.equal(got.port, want.port);
          assert.equal(got.proto, want.proto);
          assert.deepEqual(got.payloads, want.payloads);
          assert.deepEqual(
            got.rtpmaps.filter((r) => r.pt >= 96),
            want.rtpmaps,
          );
          assert.deepEqual(got.fmtp, { ...want.fmtp });
          assert.equal(got.ptimeMs, want.ptimeMs);
          assert.equal(got.direction, want.direction);
          assert.equal(got.connection, want.connection ?? input.connection);
        });
      },
    ),
    { numRuns: 200 },
  );
});
