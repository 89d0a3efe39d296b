import { test } from "node:test";
import assert from "node:assert/strict";
import { NonInviteServerTransaction } from "../../src/transaction/non-invite-server.ts";
import { RecordingTu, isStatus, request, response, setup } from "./helpers.ts";

function start(opts: { reliable?: boolean; T1?: number } = {}) {
  const { clock, transport } = setup();
  const tu = new RecordingTu();
  const options = request({ method: "OPTIONS", transport: opts.reliable === true ? "TCP" : "UDP" });
  const config = opts.T1 === undefined ? undefined : { timers: { T1: opts.T1, T2: 4000, T4: 5000 } };
  const tx = new NonInviteServerTransaction(
    options,
    { clock, send: transport.send, reliable: opts.reliable ?? false, config },
    tu,
  );
  tx.start();
  return { clock, transport, tu, tx, options };
}

test("in Trying, request retransmissions are discarded", () => {
  const { transport, tx, options } = start();
  tx.receive(options);
  tx.receive(options);
  assert.equal(transport.count(), 0);
  assert.equal(tx.state, "trying");
});

test("a provisional from the TU MUST move Trying to Proceeding; a retransmission re-sends the latest provisional", () => {
  const { transport, tx, options } = start();
  tx.sendResponse(response(options, 100));
  assert.equal(tx.state, "proceeding");
  tx.receive(options);
  assert.equal(transport.count(isStatus(100)), 2);
});

test("a final response MUST be sent and Timer J (64*T1 over UDP) keeps the transaction to answer retransmissions", () => {
  const { clock, transport, tu, tx, options } = start();
  tx.sendResponse(response(options, 200));
  assert.equal(tx.state, "completed");
  clock.advance(20_000);
  tx.receive(options);
  assert.equal(
    transport.count(isStatus(200)),
    2,
    "the final response is re-sent on a request retransmission",
  );
  clock.advance(11_999);
  assert.equal(tx.state, "completed");
  clock.advance(1);
  assert.deepEqual(tu.events, ["terminated"]);
  assert.equal(clock.pendingCount(), 0);
});

test("Timer J scales with T1 (T1 = 100 ms: 6.4 s)", () => {
  const { clock, tx, options } = start({ T1: 100 });
  tx.sendResponse(response(options, 200));
  clock.advance(6399);
  assert.equal(tx.state, "completed");
  clock.advance(1);
  assert.equal(tx.state, "terminated");
});

test("Timer J is zero over TCP: the transaction ends with its final response", () => {
  const { clock, tu, tx, options } = start({ reliable: true });
  tx.sendResponse(response(options, 200));
  assert.equal(tx.state, "terminated");
  assert.deepEqual(tu.events, ["terminated"]);
  assert.equal(clock.pendingCount(), 0);
});

test("other final responses passed by the TU MUST be discarded while Completed", () => {
  const { transport, tx, options } = start();
  assert.equal(tx.sendResponse(response(options, 200)), true);
  assert.equal(tx.sendResponse(response(options, 500)), false);
  assert.equal(transport.count(), 1);
});

test("a transport error informs the TU and terminates", () => {
  const { tu, tx, options } = start();
  tx.sendResponse(response(options, 100));
  tx.transportError("reset");
  assert.deepEqual(tu.events, ["transport-error:reset", "terminated"]);
});
