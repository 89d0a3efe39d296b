import { test } from "node:test";
import { Endpoint, HOST, until } from "./udp-endpoint.ts";
import assert from "node:assert/strict";
import { FakeClock, createRealClock } from "../../src/transaction/clock.ts";
import { parseRtpHeader } from "../../src/wire/rtp/header.ts";
import { parseTelephoneEvent } from "../../src/wire/rfc4733/telephone-event.ts";
import { MediaRelay, MediaRelayError } from "../../src/media/media-relay.ts";
import { PortPool } from "../../src/media/port-pool.ts";
import type { LegId } from "../../src/media/dtmf-relay-config.ts";
import type { DtmfLogEntry } from "../../src/media/dtmf-relay-io.ts";
import { A_PEER_SSRC, B_PEER_SSRC, audio, ev } from "./helpers.ts";
import { IO_BACKENDS } from "./io-backends.ts";
import type { MediaIoBackend } from "../../src/media/media-socket.ts";

/**
 * Real UDP on 127.0.0.1, each case on both I/O backends; this file uses ports 19200-19299 (relay)
 * and 19900-19919 (endpoints) on dgram, 19700-19749 and 19970-19989 on the native path.
 */
const A_OUT_SSRC = 0x0a0a0a0a;
const B_OUT_SSRC = 0x0b0b0b0b;

interface Decoded {
  readonly pt: number;
  readonly m: boolean;
  readonly seq: number;
  readonly ts: number;
  readonly ssrc: number;
  readonly payload: Buffer;
  readonly ev: { event: number; end: boolean; dur: number } | null;
}

function decode(buf: Buffer, tePt: number): Decoded {
  const h = parseRtpHeader(buf, 0, buf.length);
  assert.ok(h.ok, "every received packet is valid RTP");
  let e: Decoded["ev"] = null;
  if (h.payloadType === tePt) {
    const te = parseTelephoneEvent(buf, h.payloadOffset, h.payloadLength);
    assert.ok(te.ok);
    e = { event: te.event, end: te.end, dur: te.durationTs };
  }
  return {
    pt: h.payloadType,
    m: h.marker,
    seq: h.sequence,
    ts: h.timestamp,
    ssrc: h.ssrc,
    payload: buf.subarray(h.payloadOffset, h.payloadOffset + h.payloadLength),
    ev: e,
  };
}

/** Digits of a received stream: one per event timestamp, each checked for M first and E ×3. */
function digitsIn(packets: readonly Decoded[], endDurations: number[]): string {
  const byTs = new Map<number, Decoded[]>();
  for (const p of packets) if (p.ev) byTs.set(p.ts, [...(byTs.get(p.ts) ?? []), p]);
  let s = "";
  for (const group of byTs.values()) {
    assert.ok(group[0]!.m, "M on the first packet of an event");
    assert.equal(group.filter((p) => p.m).length, 1);
    const ends = group.filter((p) => p.ev!.end);
    assert.equal(ends.length, 3, "E ×3");
    endDurations.push(ends[0]!.ev!.dur);
    s += "0123456789*#ABCD"[group[0]!.ev!.event];
  }
  return s;
}

/** dgram: pools from 19200, endpoints from 19900; native: 19700 and 19970 */
const portsOf = (io: MediaIoBackend): { pool: number; ep: number } =>
  io === "dgram" ? { pool: 19200, ep: 19900 } : { pool: 19700, ep: 19970 };

for (const { io, skip } of IO_BACKENDS) {
  const { pool: P, ep: E } = portsOf(io);

  test(
    `[${io}] 2 s PCMU with 3 RFC 4733 digits a→b (101→96) and a KPML digit b→a, over real UDP, every packet checked`,
    { skip },
    async () => {
      const clock = new FakeClock(0);
      const pool = new PortPool({ min: P, max: P + 19 });
      const epA = await Endpoint.open(E);
      const epB = await Endpoint.open(E + 1);
      const logs: DtmfLogEntry[] = [];
      const relay = await MediaRelay.open({
        pool,
        bindAddress: HOST,
        clock,
        callId: "udp-1",
        io,
        legs: {
          a: {
            dtmf: {
              egressMethod: "rfc2833",
              telephoneEventPt: 101,
              ingressTelephoneEventPts: [101],
              ssrc: A_OUT_SSRC,
              initialSequence: 30000,
              initialTimestamp: 1_000_000,
            },
            remote: { address: HOST, port: E },
          },
          b: {
            dtmf: {
              egressMethod: "rfc2833",
              telephoneEventPt: 96,
              ingressTelephoneEventPts: [96],
              ssrc: B_OUT_SSRC,
              initialSequence: 60000,
              initialTimestamp: 2_000_000,
            },
            remote: { address: HOST, port: E + 1 },
          },
        },
        onLog: (e) => logs.push(e),
      });
      assert.equal(pool.inUse, 2);
      assert.equal(relay.stats().a.io, io, `the sockets run on ${io}`);
      const portA = relay.localPort("a");
      const portB = relay.localPort("b");

      // The timeline: 100 audio packets each way; digits 1, 5, # from a (120 ms each), KPML 9 on b.
      type Item = { t: number; leg: LegId; packet: Buffer } | { t: number; leg: "b"; kpml: string };
      const items: Item[] = [];
      const sentAudioA: Buffer[] = [];
      let seqA = 100;
      const eventsAt = new Map([
        [300, 1],
        [900, 5],
        [1500, 11],
      ]);
      let eventLeft = 0;
      let event = 0;
      let eventTs = 0;
      let eventK = 0;
      for (let k = 0; k < 100; k++) {
        const t = 20 * k;
        const a = audio(seqA++, 8000 + 160 * k, A_PEER_SSRC);
        sentAudioA.push(a);
        items.push({ t, leg: "a", packet: a });
        items.push({ t, leg: "b", packet: audio(5000 + k, 90000 + 160 * k, B_PEER_SSRC) });
        if (eventsAt.has(t)) {
          event = eventsAt.get(t)!;
          eventTs = 8000 + 160 * k;
          eventLeft = 9;
          eventK = 0;
        }
        if (eventLeft > 0) {
          eventK++;
          const end = eventK > 6;
          items.push({
            t,
            leg: "a",
            packet: ev(seqA++, eventTs, event, Math.min(eventK, 6) * 160, { marker: eventK === 1, end }),
          });
          eventLeft--;
        }
      }
      items.push({ t: 1210, leg: "b", kpml: "9" });
      items.sort((x, y) => x.t - y.t);

      for (const it of items) {
        clock.advanceTo(it.t);
        if ("kpml" in it) {
          relay.digit("b", "kpml", it.kpml);
          continue;
        }
        const before = relay.stats()[it.leg].rx;
        (it.leg === "a" ? epA : epB).send(it.packet, it.leg === "a" ? portA : portB);
        await until(() => relay.stats()[it.leg].rx === before + 1, "the relay to receive");
      }
      clock.advance(1000);
      assert.equal(relay.timerArmed(), false, "no timer once no event is in progress");

      const expectedAtB = 100 + 3 * 9;
      const expectedAtA = 100 + 8;
      await until(() => epB.got.length >= expectedAtB && epA.got.length >= expectedAtA, "all packets");
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(epB.got.length, expectedAtB);
      assert.equal(epA.got.length, expectedAtA);

      // Leg b: one SSRC, one contiguous sequence space from 60000, audio payloads byte-identical.
      const atB = epB.got.map((b) => decode(b, 96));
      assert.deepEqual(
        atB.map((p) => p.seq),
        Array.from({ length: expectedAtB }, (_, i) => 60000 + i),
      );
      assert.ok(atB.every((p) => p.ssrc === B_OUT_SSRC));
      assert.ok(
        atB.every((p) => p.pt === 0 || p.pt === 96),
        "PT 101 never reaches leg b",
      );
      const audioB = atB.filter((p) => p.pt === 0);
      assert.equal(audioB.length, 100);
      audioB.forEach((p, k) => {
        assert.equal(p.ts, 2_000_000 + 160 * k, "audio timestamps in leg b's space");
        assert.ok(p.payload.equals(sentAudioA[k]!.subarray(12)), `audio ${k} payload unchanged`);
      });
      const durB: number[] = [];
      assert.equal(digitsIn(atB, durB), "15#");
      assert.deepEqual(durB, [960, 960, 960]);

      // Leg a: the KPML digit as RFC 4733 with PT 101 among the audio from b.
      const atA = epA.got.map((b) => decode(b, 101));
      assert.deepEqual(
        atA.map((p) => p.seq),
        Array.from({ length: expectedAtA }, (_, i) => 30000 + i),
      );
      assert.ok(atA.every((p) => p.ssrc === A_OUT_SSRC));
      const durA: number[] = [];
      assert.equal(digitsIn(atA, durA), "9");
      assert.deepEqual(durA, [800]);

      assert.deepEqual(
        logs.map((l) => [
          l.digit,
          l.ingress.method,
          l.ingress.pt,
          l.egress.method,
          l.egress.pt,
          l.latencyMs,
          l.callId,
        ]),
        [
          ["1", "rfc2833", 101, "rfc2833", 96, 0, "udp-1"],
          ["5", "rfc2833", 101, "rfc2833", 96, 0, "udp-1"],
          ["9", "kpml", null, "rfc2833", 101, 0, "udp-1"],
          ["#", "rfc2833", 101, "rfc2833", 96, 0, "udp-1"],
        ],
      );

      await relay.close();
      await relay.close();
      assert.equal(pool.inUse, 0, "ports released");
      assert.equal(clock.pendingCount(), 0, "no timer left");
      await Promise.all([epA.close(), epB.close()]);
    },
  );

  test(
    `[${io}] real clock: a SIP INFO digit becomes 8 RFC 4733 packets paced by the relay's own timer; latching finds the peer`,
    { skip },
    async () => {
      const pool = new PortPool({ min: P + 20, max: P + 29 });
      const epA = await Endpoint.open(E + 2);
      const epB = await Endpoint.open(E + 3);
      const relay = await MediaRelay.open({
        pool,
        bindAddress: HOST,
        clock: createRealClock(),
        io,
        legs: {
          // leg a's SDP names a port nobody listens on; latching learns E + 2 from the first packet
          a: {
            dtmf: { egressMethod: "rfc2833", telephoneEventPt: 101 },
            remote: { address: HOST, port: E + 19 },
            latching: true,
          },
          b: {
            dtmf: { egressMethod: "info", telephoneEventPt: null },
            remote: { address: HOST, port: E + 3 },
          },
        },
      });
      epA.send(audio(1, 160), relay.localPort("a"));
      await until(() => epB.got.length === 1, "audio a→b");
      assert.deepEqual(relay.remote("a"), { address: HOST, port: E + 2 });
      assert.equal(relay.stats().b.io, io);
      const started = Date.now();
      relay.digit("b", "info", "4", 100);
      await until(() => epA.got.length === 8, "the generated event", 3000);
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 120, `8 packets paced over ≥ 140 ms of timers (took ${elapsed} ms)`);
      const atA = epA.got.map((b) => decode(b, 101));
      const durs: number[] = [];
      assert.equal(digitsIn(atA, durs), "4");
      assert.deepEqual(
        atA.map((p) => p.ev?.dur),
        [0, 160, 320, 480, 640, 800, 800, 800],
      );
      await until(() => !relay.timerArmed(), "the timer to disarm");
      const s = relay.stats();
      assert.equal(s.a.rx, 1);
      assert.equal(s.b.tx, 1);
      assert.equal(s.a.tx, 8);
      await relay.close();
      assert.equal(pool.inUse, 0);
      await Promise.all([epA.close(), epB.close()]);
    },
  );

  test(
    `[${io}] a port taken outside the pool is skipped; an exhausted pool rejects with no-ports and leaks nothing`,
    { skip },
    async () => {
      const squatter = await Endpoint.open(P + 40);
      const pool = new PortPool({ min: P + 40, max: P + 43 });
      const legs = {
        a: { dtmf: { egressMethod: "none" as const, telephoneEventPt: null } },
        b: { dtmf: { egressMethod: "none" as const, telephoneEventPt: null } },
      };
      await assert.rejects(
        MediaRelay.open({ pool, bindAddress: HOST, clock: new FakeClock(), legs, io }),
        (e: unknown) => e instanceof MediaRelayError && e.code === "no-ports",
      );
      assert.equal(pool.inUse, 0);
      await squatter.close();
      const relay = await MediaRelay.open({ pool, bindAddress: HOST, clock: new FakeClock(), legs, io });
      assert.deepEqual([relay.localPort("a"), relay.localPort("b")].sort(), [P + 40, P + 42]);
      assert.equal(relay.stats().a.io, io);
      await relay.close();
      assert.equal(pool.inUse, 0);
    },
  );
}
