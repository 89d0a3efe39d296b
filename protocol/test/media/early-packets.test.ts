import { test } from "node:test";
import assert from "node:assert/strict";
import { Endpoint, HOST, until } from "./udp-endpoint.ts";
import { IO_BACKENDS } from "./io-backends.ts";
import { audio } from "./helpers.ts";
import { createRealClock } from "../../src/transaction/clock.ts";
import { MediaRelay } from "../../src/media/media-relay.ts";
import { PortPool } from "../../src/media/port-pool.ts";
import { EARLY_HOLD } from "../../src/media/media-socket.ts";
import type { MediaIoBackend } from "../../src/media/media-socket.ts";

/**
 * The callee's address can reach a media worker after the caller's first packets (the B2BUA's 200
 * to the caller and the worker's setRemote cross): packets for a leg whose remote was never known
 * are held (EARLY_HOLD) and sent when it is. Real UDP; ports 19870-19889 (relays), 19890-19899.
 */
const LEG_DTMF = { egressMethod: "rfc2833", telephoneEventPt: 101, ingressTelephoneEventPts: [101] } as const;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function scene(io: MediaIoBackend, base: number) {
  const pool = new PortPool({ min: base, max: base + 9 });
  const epA = await Endpoint.open(19890 + (base - 19870) / 2);
  const epB = await Endpoint.open(19891 + (base - 19870) / 2);
  const relay = await MediaRelay.open({
    pool,
    bindAddress: HOST,
    clock: createRealClock(),
    io,
    legs: {
      a: { dtmf: LEG_DTMF, remote: { address: HOST, port: epA.socket.address().port } },
      b: { dtmf: LEG_DTMF }, // the callee's answer has not arrived yet
    },
  });
  const done = async (): Promise<void> => {
    await relay.close();
    await epA.close();
    await epB.close();
  };
  return { relay, epA, epB, done };
}

for (const { io, skip } of IO_BACKENDS) {
  const base = io === "dgram" ? 19870 : 19880;

  test(
    `[${io}] packets sent before the callee's address is known reach it once it is (the last ${EARLY_HOLD.max}, in order)`,
    { skip },
    async () => {
      const { relay, epA, epB, done } = await scene(io, base);
      try {
        const n = EARLY_HOLD.max + 2;
        for (let k = 0; k < n; k++) epA.send(audio(10 + k, 160 * k), relay.localPort("a"));
        await until(() => relay.stats().a.rx === n, "the relay to receive");
        assert.equal(epB.got.length, 0, "nowhere to send yet");
        relay.setRemote("b", HOST, epB.socket.address().port);
        await until(() => epB.got.length === EARLY_HOLD.max, "the held packets");
        await sleep(20);
        assert.equal(epB.got.length, EARLY_HOLD.max, "no more than EARLY_HOLD.max");
        // payload byte k = low byte of the sender's seq: the last four, in order
        assert.deepEqual(
          epB.got.map((b) => b[b.length - 1]),
          Array.from({ length: EARLY_HOLD.max }, (_, i) => 10 + n - EARLY_HOLD.max + i),
        );
        const s = relay.stats().b;
        assert.equal(s.txNoRemote, n - EARLY_HOLD.max, "the oldest two were dropped and counted");
        assert.equal(s.tx, EARLY_HOLD.max);
      } finally {
        await done();
      }
    },
  );

  test(
    `[${io}] held packets older than ${EARLY_HOLD.ms} ms are dropped; a remote of 0.0.0.0 (hold) drops them too`,
    { skip },
    async () => {
      const { relay, epA, epB, done } = await scene(io, base);
      try {
        epA.send(audio(1, 0), relay.localPort("a"));
        await until(() => relay.stats().a.rx === 1, "the relay to receive");
        await sleep(EARLY_HOLD.ms + 50);
        relay.setRemote("b", HOST, epB.socket.address().port);
        await sleep(30);
        assert.equal(epB.got.length, 0, "too old to send");
        assert.equal(relay.stats().b.txNoRemote, 1);
      } finally {
        await done();
      }
      const second = await scene(io, base);
      try {
        second.epA.send(audio(1, 0), second.relay.localPort("a"));
        await until(() => second.relay.stats().a.rx === 1, "the relay to receive");
        second.relay.setRemote("b", "0.0.0.0", 0);
        second.relay.setRemote("b", HOST, second.epB.socket.address().port);
        await sleep(30);
        assert.equal(second.epB.got.length, 0, "a hold answer drops what was held");
        assert.equal(second.relay.stats().b.txNoRemote, 1);
      } finally {
        await second.done();
      }
    },
  );
}
