import { test } from "node:test";
import { Endpoint, HOST, until } from "./udp-endpoint.ts";
import assert from "node:assert/strict";
import { FakeClock } from "../../src/transaction/clock.ts";
import { parseRtpHeader } from "../../src/wire/rtp/header.ts";
import { parseTelephoneEvent } from "../../src/wire/rfc4733/telephone-event.ts";
import { MediaRelayGroup } from "../../src/media/media-relay-group.ts";
import { MediaRelayError } from "../../src/media/media-relay.ts";
import { PortPool } from "../../src/media/port-pool.ts";
import { chooseMediaIo } from "../../src/media/media-io.ts";
import type { LegId, OobMethod } from "../../src/media/dtmf-relay-config.ts";
import type { DtmfLogEntry } from "../../src/media/dtmf-relay-io.ts";
import type { MediaLegOptions } from "../../src/media/media-relay.ts";
import { A_PEER_SSRC, audio, ev } from "./helpers.ts";

/** Calls in worker threads over real UDP on 127.0.0.1; ports 19500-19529 (relay), 19940-19949 (peers). */
const B_OUT_SSRC = 0x0b0b0b0b;

function leg(tePt: number, port: number, extra: Partial<MediaLegOptions["dtmf"]> = {}): MediaLegOptions {
  return {
    dtmf: { egressMethod: "rfc2833", telephoneEventPt: tePt, ingressTelephoneEventPts: [tePt], ...extra },
    remote: { address: HOST, port },
  };
}

/** PT and (for telephone-event) event + end bit of each packet */
function rows(packets: readonly Buffer[], tePt: number): string[] {
  return packets.map((b) => {
    const h = parseRtpHeader(b, 0, b.length);
    assert.ok(h.ok);
    if (h.payloadType !== tePt) return `pt=${h.payloadType} ssrc=${h.ssrc.toString(16)}`;
    const te = parseTelephoneEvent(b, h.payloadOffset, h.payloadLength);
    assert.ok(te.ok);
    return `pt=${h.payloadType} ev=${te.event}${te.end ? " E" : ""}`;
  });
}

test("two calls on two workers: audio and an RFC 4733 digit relayed with PT 101→96, a SIP digit paced out as RFC 4733, KPML signalled back to this thread, ports returned", async () => {
  const group = new MediaRelayGroup({ workers: 2 });
  const pool = new PortPool({ min: 19500, max: 19519 });
  const a1 = await Endpoint.open(19940);
  const b1 = await Endpoint.open(19941);
  const a2 = await Endpoint.open(19942);
  const b2 = await Endpoint.open(19943);
  const logs: DtmfLogEntry[] = [];
  const signals: [LegId, OobMethod, string, number][] = [];
  try {
    const call1 = await group.open({
      pool,
      bindAddress: HOST,
      clock: new FakeClock(), // not used by the workers (real time)
      callId: "g-1",
      legs: { a: leg(101, 19940), b: leg(96, 19941, { ssrc: B_OUT_SSRC }) },
      onLog: (e) => logs.push(e),
    });
    const call2 = await group.open({
      pool,
      bindAddress: HOST,
      clock: new FakeClock(),
      callId: "g-2",
      legs: {
        a: leg(101, 19942),
        b: { ...leg(96, 19943), dtmf: { egressMethod: "kpml", telephoneEventPt: null } },
      },
      onLog: (e) => logs.push(e),
      onSignal: (l, m, d, ms) => signals.push([l, m, d, ms]),
    });
    assert.deepEqual(group.callsPerWorker(), [1, 1], "one call per worker");
    assert.equal(pool.inUse, 4, "both legs of both calls from the caller's pool");

    // call 1: 3 audio packets and digit 5 (M, 2 updates, 3 ends) from a's peer
    const port1 = call1.localPort("a");
    for (let k = 0; k < 3; k++) a1.send(audio(100 + k, 8000 + 160 * k), port1);
    const evTs = 8480;
    a1.send(ev(103, evTs, 5, 160, { marker: true }), port1);
    a1.send(ev(104, evTs, 5, 320), port1);
    a1.send(ev(105, evTs, 5, 480), port1);
    for (let i = 0; i < 3; i++) a1.send(ev(106 + i, evTs, 5, 800, { end: true }), port1);
    await until(() => b1.got.length >= 9, "call 1 at b", 4000);
    assert.deepEqual(rows(b1.got, 96), [
      ...Array<string>(3).fill(`pt=0 ssrc=${B_OUT_SSRC.toString(16)}`),
      "pt=96 ev=5",
      "pt=96 ev=5",
      "pt=96 ev=5",
      "pt=96 ev=5 E",
      "pt=96 ev=5 E",
      "pt=96 ev=5 E",
    ]);

    // call 1: a digit received in SIP INFO on leg b leaves on leg a as RFC 4733 (PT 101), paced
    // by the worker's own timer: 100 ms minimum duration = updates every 20 ms, then 3 ends
    call1.digit("b", "info", "3", 100);
    await until(() => a1.got.length >= 8, "paced digit at a", 4000);
    await new Promise((r) => setTimeout(r, 60));
    const atA = rows(a1.got, 101);
    assert.ok(
      atA.every((r) => r.startsWith("pt=101 ev=3")),
      atA.join("; "),
    );
    assert.equal(atA.filter((r) => r.endsWith(" E")).length, 3, "end packet three times");

    // call 2: digit 7 in RFC 4733 from a; leg b wants KPML: the callback runs in this thread
    const port2 = call2.localPort("a");
    a2.send(ev(1, 1000, 7, 160, { marker: true, ssrc: A_PEER_SSRC }), port2);
    for (let i = 0; i < 3; i++) a2.send(ev(2 + i, 1000, 7, 800, { end: true }), port2);
    await until(() => signals.length === 1, "KPML signal", 4000);
    assert.deepEqual(signals[0]!.slice(0, 3), ["b", "kpml", "7"]);
    assert.equal(b2.got.length, 0, "no RFC 4733 on a leg that did not negotiate it");

    await until(() => logs.length === 3, "three log entries", 4000);
    const byCall = logs.map(
      (e) => `${e.callId}:${e.digit}:${e.ingress.method}>${e.egress.method}/${e.egress.pt}`,
    );
    assert.deepEqual(byCall.sort(), [
      "g-1:3:info>rfc2833/101",
      "g-1:5:rfc2833>rfc2833/96",
      "g-2:7:rfc2833>kpml/null",
    ]);
    // the worker's clock reads on this thread's performance.now() scale
    for (const e of logs) assert.ok(Math.abs(e.atMs - performance.now()) < 5000, `atMs ${e.atMs}`);

    const st = await call1.stats();
    assert.equal(st.a.rx, 9);
    assert.equal(st.a.connects, 1, "leg a's peer sent from its SDP address: connected");
    assert.equal(st.b.tx, 9);
    // the workers pick the I/O path as this thread would (the native batch path when it is built)
    assert.equal(st.a.io, chooseMediaIo().backend);
    const io = await group.io();
    assert.equal(io.length, 2);
    for (const w of io) {
      assert.equal(w?.choice.backend, chooseMediaIo().backend, "each worker reports its I/O path");
      if (w?.choice.backend === "native")
        assert.ok(w.native !== null && w.native.datagrams > 0 && w.native.wakes > 0);
    }

    await Promise.all([call1.close(), call2.close(), call1.close()]);
    assert.equal(pool.inUse, 0, "every port back in the caller's pool");
    assert.deepEqual(group.callsPerWorker(), [0, 0]);
    call1.setRemote("a", HOST, 19949); // after close: ignored, no throw
    await assert.rejects(call1.stats(), /closed/);
  } finally {
    await group.close();
    await Promise.all([a1, b1, a2, b2].map((e) => e.close()));
  }
});

test("a port taken outside the pool is skipped; an exhausted pool rejects with no-ports and leaks nothing", async () => {
  const group = new MediaRelayGroup({ workers: 1 });
  const pool = new PortPool({ min: 19520, max: 19527 }); // pairs 19520, 19522, 19524, 19526
  const squatter = await Endpoint.open(19520);
  const legs = { a: leg(101, 19944), b: leg(96, 19945) };
  try {
    const call = await group.open({ pool, bindAddress: HOST, clock: new FakeClock(), legs });
    assert.deepEqual([call.localPort("a"), call.localPort("b")], [19524, 19526]);
    assert.equal(pool.inUse, 2, "the failed attempt's ports went back");
    await assert.rejects(
      group.open({ pool, bindAddress: HOST, clock: new FakeClock(), legs }),
      (e: unknown) => e instanceof MediaRelayError && e.code === "no-ports",
    );
    assert.equal(pool.inUse, 2, "nothing left allocated by the refused call");
    await call.close();
    assert.equal(pool.inUse, 0);
  } finally {
    await group.close();
    await squatter.close();
  }
});

test("DTMF log entries cross from the worker in batches but in order, and all before the call's close() resolves", async () => {
  const group = new MediaRelayGroup({ workers: 1 });
  const pool = new PortPool({ min: 19504, max: 19507 });
  const a = await Endpoint.open(19944);
  const b = await Endpoint.open(19945);
  const logs: string[] = [];
  try {
    const call = await group.open({
      pool,
      bindAddress: HOST,
      clock: new FakeClock(),
      callId: "g-log",
      legs: { a: leg(101, 19944), b: leg(96, 19945) },
      onLog: (e) => logs.push(e.digit),
    });
    const port = call.localPort("a");
    // digits 1 then 2 (each M, then 3 ends); the second's ends are the last thing the worker handles
    for (const [i, d] of [1, 2].entries()) {
      const ts = 1000 + 800 * i;
      a.send(ev(10 * i, ts, d, 160, { marker: true }), port);
      for (let k = 1; k <= 3; k++) a.send(ev(10 * i + k, ts, d, 800, { end: true }), port);
    }
    await until(() => b.got.length >= 8, "both digits at b", 4000);
    // close at once: the entries still waiting in the worker (its flush timer is 50 ms) go out with
    // the close reply's message, not after it (a late entry would find no call and be dropped)
    await call.close();
    assert.deepEqual(logs, ["1", "2"]);
  } finally {
    await group.close();
    await Promise.all([a, b].map((e) => e.close()));
  }
});
