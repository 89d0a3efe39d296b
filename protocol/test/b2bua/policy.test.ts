/**
 * The pure parts of the B2BUA: codec filtering by per-leg policies, the telephone-event PT choice,
 * our SDP per leg (origin version moves only on change, RFC 3264 §8; rejected streams keep their
 * place, RFC 3264 §6), and the DTMF method table.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseSdp } from "../../src/wire/sdp/index.ts";
import {
  allowedByPolicies,
  codecsOfPolicy,
  egressMethod,
  freePayloadType,
  KNOWN_CODECS,
  LegSdp,
  NO_FACTS,
  policyIndex,
  shouldSubscribeKpml,
} from "../../src/b2bua/index.ts";
import type { Codec } from "../../src/b2bua/index.ts";

const C = (pt: number, name: string): Codec => ({ pt, name, clockRate: 8000, fmtp: null });

test("allowedByPolicies keeps what every policy allows, in the first policy's order", () => {
  const offer = [C(18, "G729"), C(0, "PCMU"), C(8, "PCMA"), C(9, "G722")];
  assert.deepEqual(
    allowedByPolicies(offer, ["PCMA", "PCMU"], ["PCMU", "PCMA", "G729"]).map((c) => c.name),
    ["PCMA", "PCMU"],
  );
  assert.deepEqual(
    allowedByPolicies(offer, ["pcmu/8000"]).map((c) => c.pt),
    [0],
    "case-insensitive, rate matched",
  );
  assert.deepEqual(allowedByPolicies(offer, ["PCMU/16000"]), [], "another clock rate is another codec");
  assert.deepEqual(allowedByPolicies(offer, ["OPUS"]), []);
});

test("property: the result is a subset of the input allowed by every policy, without duplicates", () => {
  const names = Object.keys(KNOWN_CODECS);
  const codec = fc.constantFrom(...names).map((n) => KNOWN_CODECS[n]!);
  const policy = fc.uniqueArray(fc.constantFrom(...names), { maxLength: names.length });
  fc.assert(
    fc.property(fc.uniqueArray(codec, { selector: (c) => c.pt }), policy, policy, (offer, p1, p2) => {
      const out = allowedByPolicies(offer, p1, p2);
      assert.ok(out.every((c) => offer.includes(c) && policyIndex(c, p1) >= 0 && policyIndex(c, p2) >= 0));
      assert.equal(out.length, offer.filter((c) => p1.includes(c.name) && p2.includes(c.name)).length);
      for (let i = 1; i < out.length; i++)
        assert.ok(policyIndex(out[i - 1]!, p1) <= policyIndex(out[i]!, p1), "ordered by the first policy");
    }),
    { numRuns: 300 },
  );
});

test("codecsOfPolicy: static PTs and CUCM's G.729 fmtp for a delayed offer", () => {
  assert.deepEqual(
    codecsOfPolicy(["G729", "PCMU", "pcmu"]).map((c) => [c.pt, c.fmtp]),
    [
      [18, "annexb=no"],
      [0, null],
    ],
  );
});

test("freePayloadType: the configured PT unless an audio PT uses it", () => {
  assert.equal(freePayloadType(101, [0, 8]), 101);
  assert.equal(freePayloadType(96, [96, 97]), 98);
});

test("LegSdp: our address and port; the o= version moves only when the description changes", () => {
  const leg = new LegSdp("192.0.2.10", "777");
  const audio = {
    port: 21000,
    codecs: [C(0, "PCMU")],
    telephoneEvent: { pt: 101, events: "0-15" },
    direction: "sendrecv" as const,
    ptimeMs: 20,
  };
  const v = (text: string) => (parseSdp(text).ok ? /o=\S+ 777 (\d+) /.exec(text)![1] : "bad");
  const first = leg.write(audio);
  assert.equal(v(first), "1");
  assert.match(first, /^c=IN IP4 192\.0\.2\.10$/m);
  assert.match(first, /^m=audio 21000 RTP\/AVP 0 101$/m);
  assert.match(first, /^a=fmtp:101 0-15$/m);
  assert.equal(v(leg.write(audio)), "1", "unchanged: same version (a refresh)");
  assert.equal(v(leg.write({ ...audio, direction: "sendonly" })), "2");
  // an answer to a two-stream offer: video rejected in its place
  const offer = parseSdp(
    "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=video 4000 RTP/AVP 31\r\nm=audio 5000 RTP/AVP 0\r\n",
  );
  assert.ok(offer.ok);
  const answer = leg.write(audio, offer.sdp.media, 1);
  assert.match(answer, /m=video 0 RTP\/AVP 31\r\n(?:.*\r\n)*m=audio 21000 /);
});

test("DTMF method per leg: forced modes win; auto follows what the leg negotiated or advertised", () => {
  assert.equal(egressMethod("auto", NO_FACTS), "none");
  assert.equal(egressMethod("auto", { ...NO_FACTS, telephoneEvent: true, peerKpml: true }), "rfc2833");
  assert.equal(egressMethod("auto", { ...NO_FACTS, peerKpml: true, peerCiscoNotify: true }), "kpml");
  assert.equal(egressMethod("auto", { ...NO_FACTS, peerCiscoNotify: true, peerAllowsInfo: true }), "notify");
  assert.equal(egressMethod("auto", { ...NO_FACTS, peerAllowsInfo: true }), "info");
  assert.equal(egressMethod("rfc2833", NO_FACTS), "rfc2833", "the relay refuses it without telephone-event");
  assert.equal(egressMethod("info", { ...NO_FACTS, telephoneEvent: true }), "info");
  assert.equal(shouldSubscribeKpml("auto", { ...NO_FACTS, peerKpml: true }), true);
  assert.equal(shouldSubscribeKpml("auto", { ...NO_FACTS, peerKpml: true, telephoneEvent: true }), false);
  assert.equal(shouldSubscribeKpml("kpml", { ...NO_FACTS, peerKpml: true, telephoneEvent: true }), true);
  assert.equal(shouldSubscribeKpml("kpml", NO_FACTS), false, "never to a peer that did not advertise kpml");
});
