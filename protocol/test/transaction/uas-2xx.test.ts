import { test } from "node:test";
import assert from "node:assert/strict";
import { Uas2xxRetransmitter } from "../../src/transaction/uas-2xx.ts";
import type { TransactionConfig } from "../../src/transaction/timers.ts";
import { request, response, setup } from "./helpers.ts";

function start(config?: TransactionConfig) {
  const { clock, transport } = setup();
  const events: string[] = [];
  const ok = response(request(), 200);
  const r = new Uas2xxRetransmitter(
    ok,
    { clock, send: transport.send, config },
    { onAckTimeout: () => events.push("ack-timeout"), onFinished: (s) => events.push(`finished:${s}`) },
  );
  r.start();
  return { clock, transport, events, r };
}

test("§13.3.1.4: the 2xx is re-sent with T1 doubling up to T2 until the ACK arrives", () => {
  const { clock, transport, events, r } = start();
  clock.advance(31_999);
  assert.deepEqual(transport.timesS(), [0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5]);
  assert.deepEqual(events, []);
  assert.equal(r.state, "retransmitting");
});

test("§13.3.1.4: after 64*T1 without ACK it reports ack-timeout so the dialog sends BYE", () => {
  const { clock, events, r } = start();
  clock.advance(32_000);
  assert.deepEqual(events, ["ack-timeout", "finished:ack-timeout"]);
  assert.equal(r.state, "ack-timeout");
  assert.equal(clock.pendingCount(), 0);
});

test("§13.3.1.4: retransmissions cease when the ACK is received", () => {
  const { clock, transport, events, r } = start();
  clock.advance(2000);
  r.ackReceived();
  clock.advance(60_000);
  assert.deepEqual(transport.timesS(), [0.5, 1.5]);
  assert.deepEqual(events, ["finished:acknowledged"]);
  assert.equal(clock.pendingCount(), 0);
  r.ackReceived();
  assert.equal(r.state, "acknowledged");
});

test("with T1 = 100 ms the 2xx goes out at 0.1, 0.3, 0.7, 1.5, 3.1 s and ack-timeout comes at 6.4 s", () => {
  const { clock, transport, events } = start({ timers: { T1: 100, T2: 4000, T4: 5000 } });
  clock.advance(6399);
  assert.deepEqual(transport.timesS(), [0.1, 0.3, 0.7, 1.5, 3.1, 6.3]);
  clock.advance(1);
  assert.deepEqual(events, ["ack-timeout", "finished:ack-timeout"]);
});

test("stop() ends retransmission without an ack-timeout", () => {
  const { clock, events, r } = start();
  r.stop();
  clock.advance(64_000);
  assert.deepEqual(events, ["finished:stopped"]);
});

test("only a 2xx can be retransmitted by the UAS core", () => {
  const { clock, transport } = setup();
  assert.throws(
    () =>
      new Uas2xxRetransmitter(
        response(request(), 486),
        { clock, send: transport.send },
        { onAckTimeout: () => {} },
      ),
    /bug/,
  );
});
