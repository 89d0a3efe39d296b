import { test } from "node:test";
import assert from "node:assert/strict";
import { InviteServerTransaction, inviteServerTransitions } from "../../src/transaction/invite-server.ts";
import type { TransactionConfig } from "../../src/transaction/timers.ts";
import { headerValue, isStatus, RecordingTu, request, response, setup } from "./helpers.ts";

function start(opts: { reliable?: boolean; config?: TransactionConfig; timestamp?: string } = {}) {
  const { clock, transport } = setup();
  const tu = new RecordingTu();
  const invite = request({
    transport: opts.reliable === true ? "TCP" : "UDP",
    extra:
      opts.timestamp === undefined ? [] : [{ name: "timestamp", raw: "Timestamp", value: opts.timestamp }],
  });
  const tx = new InviteServerTransaction(
    invite,
    { clock, send: transport.send, reliable: opts.reliable ?? false, config: opts.config },
    tu,
  );
  tx.start();
  const ack = request({ method: "ACK", toTag: "99sa0xk" });
  return { clock, transport, tu, tx, invite, ack };
}

test("MUST generate a 100 (Trying) when the TU has not responded within 200 ms", () => {
  const { clock, transport, invite } = start({ timestamp: "54" });
  clock.advance(199);
  assert.equal(transport.sent.length, 0);
  clock.advance(1);
  assert.deepEqual(transport.timesS(isStatus(100)), [0.2]);
  const trying = transport.sent[0]!.message;
  assert.equal(headerValue(trying, "to"), headerValue(invite, "to"), "the 100 carries no new To tag");
  assert.equal(headerValue(trying, "timestamp"), "54", "Timestamp copied into the 100 (§8.2.6.1)");
  assert.equal(headerValue(trying, "cseq"), headerValue(invite, "cseq"));
});

test("no 100 (Trying) when the TU answers within 200 ms", () => {
  const { clock, transport, tx, invite } = start();
  clock.advance(150);
  assert.equal(tx.sendResponse(response(invite, 180)), true);
  clock.advance(1000);
  assert.equal(transport.count(isStatus(100)), 0);
  assert.equal(transport.count(isStatus(180)), 1);
});

test("a retransmitted INVITE in Proceeding re-sends the most recent provisional response", () => {
  const { clock, transport, tx, invite } = start();
  tx.sendResponse(response(invite, 180));
  tx.sendResponse(response(invite, 183));
  clock.advance(500);
  tx.receive(invite);
  assert.deepEqual(
    transport.sent.map((s) => (s.message.kind === "response" ? s.message.status : 0)),
    [180, 183, 183],
  );
  assert.equal(tx.state, "proceeding");
});

test("a 2xx from the TU is sent once and terminates the transaction (the TU retransmits 2xx)", () => {
  const { clock, transport, tu, tx, invite } = start();
  tx.sendResponse(response(invite, 200));
  assert.equal(tx.state, "terminated");
  assert.deepEqual(tu.events, ["terminated"]);
  clock.advance(64_000);
  assert.equal(transport.count(), 1);
  assert.equal(clock.pendingCount(), 0);
});

test("MUST retransmit a 3xx-6xx with Timer G doubling from T1 and capped at T2, and give up with Timer H at 64*T1", () => {
  const { clock, transport, tu, tx, invite } = start();
  tx.sendResponse(response(invite, 486));
  assert.equal(tx.state, "completed");
  clock.advance(31_999);
  assert.deepEqual(
    transport.timesS(isStatus(486)),
    [0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5],
  );
  assert.deepEqual(tu.events, []);
  clock.advance(1);
  assert.deepEqual(
    tu.events,
    ["timeout", "terminated"],
    "Timer H: MUST indicate a transaction failure to the TU",
  );
  assert.equal(clock.pendingCount(), 0);
});

test("an ACK in Completed MUST move to Confirmed, ceasing retransmissions; Timer I (T4) then terminates", () => {
  const { clock, transport, tu, tx, invite, ack } = start();
  tx.sendResponse(response(invite, 404));
  clock.advance(2000);
  tx.receive(ack);
  assert.equal(tx.state, "confirmed");
  tx.receive(ack);
  clock.advance(4999);
  assert.deepEqual(transport.timesS(isStatus(404)), [0, 0.5, 1.5]);
  assert.equal(tx.state, "confirmed");
  clock.advance(1);
  assert.equal(tx.state, "terminated");
  assert.deepEqual(tu.events, ["terminated"]);
});

test("a retransmitted INVITE in Completed re-sends the final response", () => {
  const { clock, transport, tx, invite } = start();
  tx.sendResponse(response(invite, 480));
  clock.advance(100);
  tx.receive(invite);
  assert.deepEqual(transport.timesS(isStatus(480)), [0, 0.1]);
});

test("over TCP Timer G is not set, Timer H still is (64*T1), and Timer I is zero", () => {
  const tcp = start({ reliable: true });
  tcp.tx.sendResponse(response(tcp.invite, 486));
  tcp.clock.advance(31_999);
  assert.deepEqual(tcp.transport.timesS(isStatus(486)), [0]);
  tcp.clock.advance(1);
  assert.deepEqual(tcp.tu.events, ["timeout", "terminated"]);

  const acked = start({ reliable: true });
  acked.tx.sendResponse(response(acked.invite, 486));
  acked.tx.receive(acked.ack);
  assert.equal(acked.tx.state, "terminated", "Confirmed lasts zero seconds over TCP");
  assert.equal(acked.clock.pendingCount(), 0);
});

test("Timer G with T1 = 100 ms: intervals 0.1, 0.2, 0.4 ... 3.2 s (T2 = 4 s not yet reached); Timer H at 6.4 s", () => {
  const { clock, transport, tu, tx, invite } = start({ config: { timers: { T1: 100, T2: 4000, T4: 5000 } } });
  tx.sendResponse(response(invite, 603));
  clock.advance(6399);
  assert.deepEqual(transport.timesS(isStatus(603)), [0, 0.1, 0.3, 0.7, 1.5, 3.1, 6.3]);
  clock.advance(1);
  assert.deepEqual(tu.events, ["timeout", "terminated"]);
});

test("responses from the TU after the final response are discarded", () => {
  const { transport, tx, invite } = start();
  tx.sendResponse(response(invite, 486));
  assert.equal(tx.sendResponse(response(invite, 200)), false);
  assert.equal(tx.sendResponse(response(invite, 180)), false);
  assert.equal(transport.count(), 1);
});

test("a transport error in Proceeding informs the TU and terminates", () => {
  const { clock, tu, tx } = start();
  tx.transportError("connection reset");
  assert.deepEqual(tu.events, ["transport-error:connection reset", "terminated"]);
  assert.equal(clock.pendingCount(), 0);
});

test("Figure 7: Confirmed only leads to Terminated; Proceeding cannot jump to Confirmed", () => {
  assert.deepEqual([...inviteServerTransitions.confirmed], ["terminated"]);
  assert.ok(!inviteServerTransitions.proceeding.includes("confirmed"));
});
