import { test } from "node:test";
import assert from "node:assert/strict";
import { NonInviteClientTransaction } from "../../src/transaction/non-invite-client.ts";
import type { TransactionConfig } from "../../src/transaction/timers.ts";
import { RecordingTu, request, response, setup } from "./helpers.ts";

function start(opts: { reliable?: boolean; config?: TransactionConfig; method?: string } = {}) {
  const { clock, transport } = setup();
  const tu = new RecordingTu();
  const bye = request({
    method: opts.method ?? "BYE",
    toTag: "99sa0xk",
    transport: opts.reliable === true ? "TCP" : "UDP",
  });
  const tx = new NonInviteClientTransaction(
    bye,
    { clock, send: transport.send, reliable: opts.reliable ?? false, config: opts.config },
    tu,
  );
  tx.start();
  return { clock, transport, tu, tx, bye };
}

test("MUST retransmit a non-INVITE request with Timer E doubling from T1 and capped at T2 (0.5, 1, 2, 4, 4, 4 s ...)", () => {
  const { clock, transport, tu, tx } = start();
  clock.advance(31_999);
  assert.deepEqual(transport.timesS(), [0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5]);
  assert.equal(tx.retransmissions, 10, "the RFC schedule equals CUCM's Retry Non-INVITE 10");
  clock.advance(1);
  assert.deepEqual(tu.events, ["timeout", "terminated"], "Timer F at 64*T1 informs the TU");
  assert.equal(clock.pendingCount(), 0);
});

test("in Proceeding, Timer E MUST be reset with a value of T2", () => {
  const { clock, transport, tu, tx, bye } = start();
  clock.advance(600);
  tx.receive(response(bye, 100));
  assert.equal(tx.state, "proceeding");
  clock.advance(31_399);
  assert.deepEqual(transport.timesS(), [0, 0.5, 1.5, 5.5, 9.5, 13.5, 17.5, 21.5, 25.5, 29.5]);
  clock.advance(1);
  assert.deepEqual(tu.events, ["response:100", "timeout", "terminated"]);
});

test("SHOULD NOT retransmit over TCP, and Timer K is zero: a final response terminates at once", () => {
  const { clock, transport, tu, tx, bye } = start({ reliable: true });
  clock.advance(10_000);
  assert.deepEqual(transport.timesS(), [0]);
  tx.receive(response(bye, 200));
  assert.deepEqual(tu.events, ["response:200", "terminated"]);
  assert.equal(clock.pendingCount(), 0);
});

test("a final response in Trying MUST be passed to the TU; Timer K (T4) absorbs its retransmissions", () => {
  const { clock, transport, tu, tx, bye } = start();
  clock.advance(1000);
  tx.receive(response(bye, 200));
  assert.equal(tx.state, "completed");
  tx.receive(response(bye, 200));
  tx.receive(response(bye, 180));
  clock.advance(4999);
  assert.deepEqual(tu.events, ["response:200"]);
  assert.deepEqual(transport.timesS(), [0, 0.5], "no retransmissions in Completed");
  clock.advance(1);
  assert.deepEqual(tu.events, ["response:200", "terminated"]);
});

test("with T1 = 100 ms and T2 = 4 s the request goes out at 0, 0.1, 0.3, 0.7, 1.5, 3.1, 6.3 s and Timer F fires at 6.4 s", () => {
  const { clock, transport, tu } = start({ config: { timers: { T1: 100, T2: 4000, T4: 5000 } } });
  clock.advance(6399);
  assert.deepEqual(transport.timesS(), [0, 0.1, 0.3, 0.7, 1.5, 3.1, 6.3]);
  clock.advance(1);
  assert.deepEqual(tu.events, ["timeout", "terminated"]);
});

test("CUCM Retry Non-INVITE 10 caps retransmissions when T2 is small (T1 500, T2 1000)", () => {
  const timers = { T1: 500, T2: 1000, T4: 5000 };
  const uncapped = start({ config: { timers } });
  uncapped.clock.advance(31_999);
  assert.equal(uncapped.tx.retransmissions, 32, "0.5 s, then every 1 s from 1.5 s to 31.5 s");
  const capped = start({ config: { timers, retryCaps: { nonInvite: 10 } } });
  capped.clock.advance(31_999);
  assert.deepEqual(capped.transport.timesS(), [0, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5]);
  capped.clock.advance(1);
  assert.deepEqual(capped.tu.events, ["timeout", "terminated"]);
});

test("a transport error SHOULD be reported to the TU and terminate the transaction", () => {
  const { clock, tu, tx } = start();
  tx.transportError("connection refused");
  assert.deepEqual(tu.events, ["transport-error:connection refused", "terminated"]);
  assert.equal(clock.pendingCount(), 0);
});

test("There is no client transaction for ACK (or INVITE) in the non-INVITE machine", () => {
  assert.throws(() => start({ method: "ACK" }), /bug/);
  assert.throws(() => start({ method: "INVITE" }), /bug/);
});
