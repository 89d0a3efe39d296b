import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseRtpHeader } from "../../src/wire/rtp/header.ts";
import { B_SSRC, Driver, audio, config, digitsOf, egressEvents, ev } from "./helpers.ts";

/**
 * Any loss, duplication and reordering of the packets of a digit sequence (audio interleaved) gives
 * on egress exactly the digits that kept at least one packet, in order — never more — each as one
 * well-formed RFC 4733 event (one M first, E ×3, duration ≥ 100 ms and ≥ the longest seen).
 */

const DIGITS = "0123456789*#ABCD";

interface DigitSpec {
  readonly event: number;
  /** 20 ms steps */
  readonly steps: number;
  /** silence before the digit, 20 ms steps */
  readonly gapSteps: number;
}

interface PacketFate {
  readonly keep: boolean;
  /** delay of a duplicate, or -1 for none */
  readonly dupDelayMs: number;
  /** sort key inside the digit: its packets may arrive in any order */
  readonly key: number;
}

const digitArb: fc.Arbitrary<DigitSpec> = fc.record({
  event: fc.integer({ min: 0, max: 15 }),
  steps: fc.integer({ min: 2, max: 15 }),
  gapSteps: fc.integer({ min: 3, max: 10 }),
});
const fateArb: fc.Arbitrary<PacketFate> = fc.record({
  keep: fc.boolean(),
  dupDelayMs: fc.oneof(fc.constant(-1), fc.constant(-1), fc.integer({ min: 0, max: 100 })),
  key: fc.integer({ min: 0, max: 1000 }),
});

interface Arrival {
  readonly t: number;
  readonly order: number;
  readonly packet: Buffer;
  /** digit index, -1 for audio */
  readonly digit: number;
  readonly durationTs: number;
}

/** The sender's timeline: audio every 20 ms, each digit's start/updates every 20 ms and E ×3. */
function timeline(digits: readonly DigitSpec[]): { audio: Arrival[]; events: Arrival[][] } {
  const audioOut: Arrival[] = [];
  const events: Arrival[][] = [];
  let seq = 1000;
  let t = 0;
  let order = 0;
  const at = (slot: number): number => 8000 + slot * 8;
  for (let i = 0; i < digits.length; i++) {
    const d = digits[i]!;
    for (let k = 0; k < d.gapSteps; k++, t += 20)
      audioOut.push({ t, order: order++, packet: audio(seq++, at(t)), digit: -1, durationTs: 0 });
    const ts = at(t);
    const total = d.steps * 160;
    const group: Arrival[] = [];
    for (let k = 1; k <= d.steps + 2; k++, t += 20) {
      const dur = Math.min(k * 160, total);
      const end = k >= d.steps;
      group.push({
        t,
        order: order++,
        packet: ev(seq++, ts, d.event, dur, { marker: k === 1, end }),
        digit: i,
        durationTs: dur,
      });
    }
    events.push(group);
  }
  for (let k = 0; k < 5; k++, t += 20)
    audioOut.push({ t, order: order++, packet: audio(seq++, at(t)), digit: -1, durationTs: 0 });
  return { audio: audioOut, events };
}

interface Expected {
  readonly digit: number;
  longestTs: number;
}

/**
 * What a receiver following RFC 4733 §2.5.2 must make of the arrivals, written plainly: a packet of
 * a digit not seen yet starts it (ending the one in progress); packets of the digit in progress
 * count until its first end packet or a silence of 120 ms; anything else is a late copy.
 */
function oracle(arrivals: readonly Arrival[], ends: ReadonlySet<Arrival>): Expected[] {
  const out: Expected[] = [];
  const started = new Set<number>();
  let cur: Expected | null = null;
  let curEnded = true;
  let lastT = 0;
  for (const a of arrivals) {
    if (cur !== null && !curEnded && a.t - lastT >= 120) curEnded = true;
    if (!started.has(a.digit)) {
      started.add(a.digit);
      cur = { digit: a.digit, longestTs: a.durationTs };
      out.push(cur);
      curEnded = ends.has(a);
      lastT = a.t;
    } else if (cur !== null && a.digit === cur.digit && !curEnded) {
      cur.longestTs = Math.max(cur.longestTs, a.durationTs);
      curEnded = ends.has(a);
      lastT = a.t;
    }
  }
  return out;
}

const scenarioArb = fc.array(digitArb, { minLength: 1, maxLength: 6 }).chain((digits) => {
  const n = digits.reduce((s, d) => s + d.steps + 2, 0);
  return fc.tuple(fc.constant(digits), fc.array(fateArb, { minLength: n, maxLength: n }));
});

test("property: loss, duplication and reordering never lose a surviving digit nor add one", () => {
  fc.assert(
    fc.property(scenarioArb, ([digits, fates]) => {
      const { audio: audioArrivals, events } = timeline(digits);
      const arrivals: Arrival[] = [...audioArrivals];
      const eventArrivals: Arrival[] = [];
      const ends = new Set<Arrival>();
      let f = 0;
      for (const group of events) {
        const slots = group.map((p) => p.t);
        const fated = group.map((p, k) => ({ p, end: k >= group.length - 3, fate: fates[f++]! }));
        fated.sort((x, y) => x.fate.key - y.fate.key);
        fated.forEach(({ p, end, fate }, idx) => {
          const t = slots[idx]!;
          for (const at of [fate.keep ? t : -1, fate.dupDelayMs >= 0 ? t + fate.dupDelayMs : -1]) {
            if (at < 0) continue;
            const copy = { ...p, t: at, order: p.order + 0.5 };
            eventArrivals.push(copy);
            if (end) ends.add(copy);
          }
        });
      }
      arrivals.push(...eventArrivals);
      arrivals.sort((x, y) => x.t - y.t || x.order - y.order);
      eventArrivals.sort((x, y) => x.t - y.t || x.order - y.order);
      const d = new Driver(config());
      for (const a of arrivals) d.rtp(a.t, "a", Buffer.from(a.packet));
      d.idle();

      const expected = oracle(eventArrivals, ends);
      const got = egressEvents(d.out, "b", 96);
      assert.equal(digitsOf(got), expected.map((e) => DIGITS[digits[e.digit]!.event]).join(""));
      expected.forEach((x, k) => {
        const e = got[k]!;
        assert.ok(e.firstHasMarker, "M on the first packet");
        assert.equal(e.markers, 1, "one M");
        assert.equal(e.ends, 3, "E ×3");
        assert.equal(e.endDuration, Math.max(800, x.longestTs), "duration preserved, ≥ 100 ms");
        assert.deepEqual(e.ssrcs, [B_SSRC]);
        for (let j = 1; j < e.durations.length; j++) assert.ok(e.durations[j]! >= e.durations[j - 1]!);
      });
      // one sequence space on leg b: strictly increasing, never reused
      let last = -1;
      for (const o of d.out) {
        if (o.kind !== "rtp") continue;
        const h = parseRtpHeader(o.bytes, 0, o.bytes.length);
        assert.ok(h.ok && h.sequence > last, "egress sequence numbers increase");
        last = h.ok ? h.sequence : last;
      }
      assert.equal(d.relay.nextTickMs(), null);
    }),
    { numRuns: 300 },
  );
});

test("property: arbitrary bytes and digits on both legs never throw and the relay always goes idle", () => {
  const inputArb = fc.oneof(
    fc.record({
      kind: fc.constant("rtp" as const),
      leg: fc.constantFrom("a" as const, "b" as const),
      bytes: fc.oneof(
        fc.uint8Array({ maxLength: 40 }),
        fc
          .tuple(
            fc.integer({ min: 0, max: 0xffff }),
            fc.integer({ min: 0, max: 20 }),
            fc.integer({ min: 0, max: 17 }),
            fc.boolean(),
            fc.integer({ min: 0, max: 0xffff }),
          )
          .map(([seq, tsStep, event, end, dur]) =>
            ev(seq, 8000 + tsStep * 160, event, dur, { end, pt: 101 }),
          ),
      ),
      dt: fc.integer({ min: 0, max: 200 }),
    }),
    fc.record({
      kind: fc.constant("digit" as const),
      leg: fc.constantFrom("a" as const, "b" as const),
      digit: fc.constantFrom("1", "#", "x", "", "55"),
      dt: fc.integer({ min: 0, max: 200 }),
    }),
  );
  fc.assert(
    fc.property(fc.array(inputArb, { maxLength: 60 }), (inputs) => {
      const legCfg = { ingressTelephoneEventPts: [101], ingressAudioPts: [0] };
      const d = new Driver(config(legCfg, legCfg));
      let t = 0;
      for (const i of inputs) {
        t += i.dt;
        if (i.kind === "rtp") d.rtp(t, i.leg, Buffer.from(i.bytes));
        else d.digit(t, i.leg, "kpml", i.digit);
      }
      d.idle();
      assert.equal(d.relay.nextTickMs(), null);
      for (const leg of ["a", "b"] as const) {
        for (const e of egressEvents(d.out, leg, leg === "a" ? 101 : 96)) assert.equal(e.ends, 3);
      }
    }),
    { numRuns: 300 },
  );
});
