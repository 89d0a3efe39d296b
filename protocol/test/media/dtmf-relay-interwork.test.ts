import { test } from "node:test";
import assert from "node:assert/strict";
import { dtmfLogToJsonLines, type RelayOutput } from "../../src/media/dtmf-relay-io.ts";
import type { EgressMethod, OobMethod } from "../../src/media/dtmf-relay-config.ts";
import { B_PEER_SSRC, Driver, audio, config, digitsOf, egressEvents, ev } from "./helpers.ts";

/** The digit "5" of the first RFC 4733 table: start at t=40, updates to 800, E (960) at t=140, 160, 180. */
function rfc4733Five(d: Driver, t0 = 0, seq0 = 200, ts0 = 8000, event = 5): Driver {
  d.rtp(t0, "a", audio(seq0, ts0)).rtp(t0 + 20, "a", audio(seq0 + 1, ts0 + 160));
  for (let i = 0; i < 5; i++)
    d.rtp(t0 + 40 + 20 * i, "a", ev(seq0 + 2 + i, ts0 + 320, event, 160 * (i + 1), { marker: i === 0 }));
  for (let i = 0; i < 3; i++)
    d.rtp(t0 + 140 + 20 * i, "a", ev(seq0 + 7 + i, ts0 + 320, event, 960, { end: true }));
  return d;
}

function signals(out: readonly RelayOutput[]): unknown[] {
  return out.filter((o) => o.kind === "signal").map((o) => (o.kind === "signal" ? { ...o } : o));
}

test("KPML in on b → RFC 4733 out on a: PT 101, M at duration 0, 20 ms updates from tick, E ×3 at 100 ms", () => {
  const d = new Driver(config());
  d.digit(1000, "b", "kpml", "7").idle();
  assert.deepEqual(d.rows(), [
    "a pt=101 M seq=1000 ts=100000 ev=7 dur=0",
    "a pt=101 seq=1001 ts=100000 ev=7 dur=160",
    "a pt=101 seq=1002 ts=100000 ev=7 dur=320",
    "a pt=101 seq=1003 ts=100000 ev=7 dur=480",
    "a pt=101 seq=1004 ts=100000 ev=7 dur=640",
    "a pt=101 seq=1005 ts=100000 ev=7 E dur=800",
    "a pt=101 seq=1006 ts=100000 ev=7 E dur=800",
    "a pt=101 seq=1007 ts=100000 ev=7 E dur=800",
  ]);
  assert.equal(d.now, 1140, "the last end packet goes at t0 + 140 ms");
});

test("SIP digit durations: INFO Duration=250 lasts 250 ms, 40 ms is raised to the 100 ms minimum", () => {
  const long = new Driver(config()).digit(0, "b", "info", "1", 250).idle();
  assert.deepEqual(egressEvents(long.out, "a", 101)[0]?.endDuration, 2000);
  const short = new Driver(config()).digit(0, "b", "info", "1", 40).idle();
  assert.deepEqual(egressEvents(short.out, "a", 101)[0]?.endDuration, 800);
  const configured = new Driver(config({ generatedDurationMs: 160 })).digit(0, "b", "kpml", "1").idle();
  assert.deepEqual(egressEvents(configured.out, "a", 101)[0]?.endDuration, 1280);
});

test("a generated event shares leg a's sequence space with the audio relayed from b and starts at 'now' in its timestamps", () => {
  const d = new Driver(config());
  for (let k = 0; k <= 2; k++) d.rtp(20 * k, "b", audio(300 + k, 50000 + 160 * k, B_PEER_SSRC));
  d.digit(50, "b", "notify", "#");
  for (let k = 3; k <= 10; k++) d.rtp(20 * k, "b", audio(300 + k, 50000 + 160 * k, B_PEER_SSRC));
  d.idle();
  assert.deepEqual(d.rows(), [
    "a pt=0 seq=1000 ts=100000",
    "a pt=0 seq=1001 ts=100160",
    "a pt=0 seq=1002 ts=100320",
    "a pt=101 M seq=1003 ts=100400 ev=11 dur=0",
    "a pt=0 seq=1004 ts=100480",
    "a pt=101 seq=1005 ts=100400 ev=11 dur=160",
    "a pt=0 seq=1006 ts=100640",
    "a pt=101 seq=1007 ts=100400 ev=11 dur=320",
    "a pt=0 seq=1008 ts=100800",
    "a pt=101 seq=1009 ts=100400 ev=11 dur=480",
    "a pt=0 seq=1010 ts=100960",
    "a pt=101 seq=1011 ts=100400 ev=11 dur=640",
    "a pt=0 seq=1012 ts=101120",
    "a pt=101 seq=1013 ts=100400 ev=11 E dur=800",
    "a pt=0 seq=1014 ts=101280",
    "a pt=101 seq=1015 ts=100400 ev=11 E dur=800",
    "a pt=0 seq=1016 ts=101440",
    "a pt=101 seq=1017 ts=100400 ev=11 E dur=800",
    "a pt=0 seq=1018 ts=101600",
  ]);
});

test("two SIP digits in quick succession: the second waits one ptime after the first's last end", () => {
  const d = new Driver(config());
  d.digit(1000, "b", "kpml", "1").digit(1010, "b", "kpml", "2").idle();
  const events = egressEvents(d.out, "a", 101);
  assert.equal(digitsOf(events), "12");
  assert.deepEqual(
    events.map((e) => e.ts),
    [100000, 101280],
  );
  assert.deepEqual(
    d.relay.log.map((e) => e.latencyMs),
    [0, 150],
  );
});

for (const method of ["kpml", "info", "notify"] as const) {
  test(`RFC 4733 in on a → ${method} out on b: one send at the digit's end, no telephone-event on b`, () => {
    const d = rfc4733Five(new Driver(config({}, { egressMethod: method }))).idle();
    assert.deepEqual(signals(d.out), [{ kind: "signal", leg: "b", method, digit: "5", durationMs: 120 }]);
    assert.ok(d.rows().every((r) => r.startsWith("b pt=0 ")));
    assert.equal(d.rows().length, 2);
    assert.deepEqual(d.relay.log, [
      {
        digit: "5",
        atMs: 40,
        ingress: { leg: "a", method: "rfc2833", pt: 101 },
        egress: { leg: "b", method, pt: null },
        latencyMs: 100,
      },
    ]);
  });
}

test("RFC 4733 in → INFO out when every end packet is lost: sent once, at the timeout", () => {
  const d = new Driver(config({}, { egressMethod: "info" }));
  for (let i = 0; i < 6; i++)
    d.rtp(40 + 20 * i, "a", ev(202 + i, 8320, 9, 160 * (i + 1), { marker: i === 0 }));
  d.idle();
  assert.deepEqual(signals(d.out), [
    { kind: "signal", leg: "b", method: "info", digit: "9", durationMs: 120 },
  ]);
  assert.equal(d.relay.log[0]?.latencyMs, 220);
});

test("SIP in → SIP out (KPML on a → INFO on b) is sent at once, with the minimum duration", () => {
  const d = new Driver(config({}, { egressMethod: "info" }));
  d.digit(10, "a", "kpml", "3", 50).digit(500, "a", "notify", "d");
  assert.deepEqual(signals(d.out), [
    { kind: "signal", leg: "b", method: "info", digit: "3", durationMs: 100 },
    { kind: "signal", leg: "b", method: "info", digit: "D", durationMs: 100 },
  ]);
  assert.deepEqual(
    d.relay.log.map((e) => [e.ingress.method, e.latencyMs]),
    [
      ["kpml", 0],
      ["notify", 0],
    ],
  );
});

for (const [name, b] of [
  ["set to rfc2833 but no telephone-event negotiated", { egressMethod: "rfc2833", telephoneEventPt: null }],
  ["egress method none", { egressMethod: "none" }],
] as const) {
  test(`never RFC 4733 on a leg without it (${name}); the log says "none"`, () => {
    const d = rfc4733Five(new Driver(config({}, b)));
    d.digit(300, "a", "kpml", "6").idle();
    assert.ok(d.rows().length > 0);
    assert.ok(
      d.rows().every((r) => r.startsWith("b pt=0 ")),
      "only audio on leg b",
    );
    assert.deepEqual(
      d.relay.log.map((e) => [e.digit, e.egress.method, e.egress.pt, e.latencyMs]),
      [
        ["5", "none", null, null],
        ["6", "none", null, null],
      ],
    );
    assert.deepEqual(signals(d.out), []);
  });
}

test("a delayed-offer answer gives leg b telephone-event later: digits before are not relayed, after are", () => {
  const d = new Driver(config({}, { telephoneEventPt: null }));
  d.digit(0, "a", "kpml", "1");
  d.relay.updateLeg("b", { telephoneEventPt: 96 });
  d.digit(500, "a", "kpml", "2").idle();
  assert.equal(digitsOf(egressEvents(d.out, "b", 96)), "2");
});

/** Duplicate suppression: CUCM's "OOB and RFC 2833" sends each digit both ways (DOMAIN.md §4.4, §6.5). */
const DUPLICATES: readonly { name: string; run: (d: Driver) => void; digits: string }[] = [
  {
    name: "RFC 4733 first, KPML during the event",
    run: (d) => rfc4733Five(d).digit(150, "a", "kpml", "5"),
    digits: "5",
  },
  {
    name: "RFC 4733 first, KPML 250 ms after its last packet",
    run: (d) => rfc4733Five(d).digit(430, "a", "kpml", "5"),
    digits: "5",
  },
  { name: "KPML first, then RFC 4733", run: (d) => rfc4733Five(d.digit(0, "a", "kpml", "5")), digits: "5" },
  {
    name: '"11" both ways',
    run: (d) => {
      rfc4733Five(d, 0, 200, 8000, 1).digit(185, "a", "kpml", "1");
      rfc4733Five(d, 300, 210, 9600, 1).digit(485, "a", "kpml", "1");
    },
    digits: "11",
  },
  {
    name: "KPML reports arrive late, after the second RFC 4733 '1' started",
    run: (d) => {
      rfc4733Five(d, 0, 200, 8000, 1);
      d.rtp(200, "a", audio(210, 9600))
        .rtp(240, "a", ev(212, 9920, 1, 160, { marker: true }))
        .rtp(260, "a", ev(213, 9920, 1, 320))
        .digit(270, "a", "kpml", "1") // the report of the first "1"
        .rtp(280, "a", ev(214, 9920, 1, 480))
        .rtp(300, "a", ev(215, 9920, 1, 800, { end: true }))
        .rtp(320, "a", ev(216, 9920, 1, 800, { end: true }))
        .rtp(340, "a", ev(217, 9920, 1, 800, { end: true }))
        .digit(420, "a", "kpml", "1"); // the report of the second
    },
    digits: "11",
  },
  {
    name: "same digit 400 ms apart is two digits",
    run: (d) => rfc4733Five(d.digit(0, "a", "kpml", "5"), 400),
    digits: "55",
  },
  {
    name: "different digits are not merged",
    run: (d) => rfc4733Five(d.digit(0, "a", "kpml", "1")),
    digits: "15",
  },
];

for (const c of DUPLICATES) {
  test(`duplicate digit (${c.name}) → relayed as "${c.digits}"`, () => {
    const d = new Driver(config());
    c.run(d);
    d.idle();
    const events = egressEvents(d.out, "b", 96);
    assert.equal(digitsOf(events), c.digits);
    for (const e of events) assert.deepEqual([e.markers, e.ends], [1, 3]);
    assert.equal(d.relay.log.length, c.digits.length);
    const suppressed = d.kinds("note").filter((n) => n.kind === "note" && n.code === "duplicate-suppressed");
    assert.equal(
      suppressed.length,
      c.name.includes("apart") || c.name.includes("different") ? 0 : c.digits.length,
    );

    const info = new Driver(config({}, { egressMethod: "info" }));
    c.run(info);
    info.idle();
    assert.equal(
      signals(info.out)
        .map((s) => (s as { digit: string }).digit)
        .join(""),
      c.digits,
      "INFO egress",
    );
  });
}

test("the DTMF log is JSON lines: digit, ingress leg/method/PT, egress leg/method/PT, latency", () => {
  const d = new Driver(config({}, { egressMethod: "kpml" as EgressMethod }, { callId: "c-1@mvs" }));
  rfc4733Five(d);
  d.digit(600, "b", "info" as OobMethod, "*", 200).idle();
  const lines = dtmfLogToJsonLines(d.relay.log).split("\n");
  assert.equal(lines.pop(), "", "newline-terminated");
  assert.deepEqual(
    lines.map((l) => JSON.parse(l) as unknown),
    [
      {
        callId: "c-1@mvs",
        digit: "5",
        atMs: 40,
        ingress: { leg: "a", method: "rfc2833", pt: 101 },
        egress: { leg: "b", method: "kpml", pt: null },
        latencyMs: 100,
      },
      {
        callId: "c-1@mvs",
        digit: "*",
        atMs: 600,
        ingress: { leg: "b", method: "info", pt: null },
        egress: { leg: "a", method: "rfc2833", pt: 101 },
        latencyMs: 0,
      },
    ],
  );
  assert.deepEqual(
    d.kinds("log").map((o) => (o.kind === "log" ? o.entry.digit : "")),
    ["5", "*"],
    "log entries are also outputs of the step",
  );
});

test("bad SIP digits are noted, not relayed", () => {
  const d = new Driver(config());
  d.digit(0, "a", "info", "E").digit(10, "a", "info", "12").idle();
  assert.deepEqual(d.rows(), []);
  assert.deepEqual(
    d.kinds("note").map((n) => n.kind === "note" && n.code),
    ["bad-digit", "bad-digit"],
  );
});
