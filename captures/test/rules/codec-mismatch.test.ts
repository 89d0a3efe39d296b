/**
 * codec-mismatch (RFC 3261 §21.4.26, RFC 3264 §6/§6.1, DOMAIN.md C1/C10/C12): no common codec
 * (488/606, port 0, an answer choosing a codec never offered), RTP on a PT the receiver lacks, and
 * legs of one call on different codecs.
 */
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { call } from "./call-scenario.ts";
import { evidenceFrames, findingsOf, noFinding, oneFinding } from "./finding-asserts.ts";
import { hairpin } from "./hairpin-call.ts";
import { G729, PCMA, PCMU } from "./sdp-body.ts";

const RULE = "codec-mismatch";

test("488 Not Acceptable Here to a G.729-only offer: error with the INVITE and the 488", () => {
  const c = call({
    offer: { codecs: [G729], te: null },
    finalStatus: 488,
    finalReason: "Not Acceptable Here",
    answerHeaders: ['Warning: 305 mvs "Incompatible media format"'],
    bye: null,
  });
  const { report, frames } = c.cap.analyze();
  const f = oneFinding(report, RULE, "error", ["call-1@test"]);
  assert.deepEqual(
    evidenceFrames(f, frames).map((m) => m.label),
    ["INVITE", "488 INVITE"],
  );
  assert.match(f.message, /Warning: 305/);
  assert.equal(report.verdict, RULE);
});

test("the corrected twin (a common codec, 200) is not reported", () => {
  const { report } = call().cap.analyze();
  noFinding(report, RULE);
  assert.equal(report.verdict, "healthy");
});

test("answer rejects the audio stream with port 0: error", () => {
  const f = oneFinding(call({ answer: { port: 0 }, audioS: 0 }).cap.analyze().report, RULE, "error", [
    "call-1@test",
  ]);
  assert.match(f.message, /port 0/);
});

test("answer picks a codec never offered: error; an extra codec next to a common one: warning", () => {
  const fatal = call({ offer: { codecs: [PCMA] }, answer: { codecs: [G729] }, audioS: 0 });
  oneFinding(fatal.cap.analyze().report, RULE, "error", ["call-1@test"]);
  const extra = call({ offer: { codecs: [PCMU] }, answer: { codecs: [PCMU, G729] } });
  oneFinding(extra.cap.analyze().report, RULE, "warning", ["call-1@test"]);
});

test("audio on a PT the receiver did not declare: error; a few stray packets: warning", () => {
  const audio = call({ audioS: 0 });
  audio.callerRtp.audio(0.55, 2.55, 8); // PCMA to a callee that answered PCMU only
  audio.calleeRtp.audio(0.55, 2.55, 0);
  const { report, frames } = audio.cap.analyze();
  const f = oneFinding(report, RULE, "error", ["call-1@test"]);
  assert.ok(evidenceFrames(f, frames).every((m) => m.rtp?.pt === 8));

  const stray = call({ audioS: 0 });
  stray.callerRtp.audio(0.55, 2.55, 0).audio(2.56, 2.62, 13); // three comfort-noise packets
  stray.calleeRtp.audio(0.55, 2.55, 0);
  oneFinding(stray.cap.analyze().report, RULE, "warning", ["call-1@test"]);
});

test("two legs of one call on different codecs (PCMU and PCMA, no transcoder): warning on both legs", () => {
  const { cap } = hairpin({}, { offer: { codecs: [PCMA] }, answer: { codecs: [PCMA] } });
  const { report } = cap.analyze();
  oneFinding(report, RULE, "warning", ["leg-a@isr", "leg-b@cucm"]);
  const twin = hairpin().cap.analyze().report;
  assert.equal(twin.calls.length, 1, "the twin's legs are one call");
  assert.equal(findingsOf(twin, RULE).length, 0);
});
