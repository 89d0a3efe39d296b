import { test } from "node:test";
import assert from "node:assert/strict";
import {
  buildAckForNonSuccess,
  InviteClientTransaction,
  inviteClientTransitions,
} from "../../src/transaction/invite-client.ts";
import type { TransactionConfig } from "../../src/transaction/timers.ts";
import { headerValue, headerValues, isRequest, RecordingTu, request, response, setup } from "./helpers.ts";

function start(opts: { reliable?: boolean; config?: TransactionConfig; routes?: string[] } = {}) {
  const { clock, transport } = setup();
  const tu = new RecordingTu();
  const invite = request({ routes: opts.routes, transport: opts.reliable === true ? "TCP" : "UDP" });
  const tx = new InviteClientTransaction(
    invite,
    { clock, send: transport.send, reliable: opts.reliable ?? false, config: opts.config },
    tu,
  );
  tx.start();
  return { clock, transport, tu, tx, invite };
}

test("MUST retransmit the INVITE at T1 doubling (0.5, 1, 2, 4, 8, 16 s) and time out with Timer B at 64*T1", () => {
  const { clock, transport, tu, tx } = start();
  clock.advance(31_999);
  assert.deepEqual(transport.timesS(isRequest("INVITE")), [0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5]);
  assert.deepEqual(tu.events, []);
  clock.advance(1);
  assert.deepEqual(tu.events, ["timeout", "terminated"]);
  assert.equal(tx.state, "terminated");
  assert.equal(transport.count(isRequest("ACK")), 0, "MUST NOT generate an ACK on Timer B");
  assert.equal(clock.pendingCount(), 0);
});

test("SHOULD NOT start Timer A over a reliable transport; Timer B still fires at 64*T1", () => {
  const { clock, transport, tu } = start({ reliable: true });
  clock.advance(31_999);
  assert.deepEqual(transport.timesS(), [0]);
  clock.advance(1);
  assert.deepEqual(tu.events, ["timeout", "terminated"]);
});

test("with T1 = 100 ms the INVITE goes out at 0, 0.1, 0.3, 0.7, 1.5, 3.1, 6.3 s and Timer B fires at 6.4 s", () => {
  const { clock, transport, tu } = start({ config: { timers: { T1: 100, T2: 4000, T4: 5000 } } });
  clock.advance(6399);
  assert.deepEqual(transport.timesS(), [0, 0.1, 0.3, 0.7, 1.5, 3.1, 6.3]);
  assert.deepEqual(tu.events, []);
  clock.advance(1);
  assert.deepEqual(tu.events, ["timeout", "terminated"]);
});

test("a retry cap stops INVITE retransmissions early while Timer B still decides the timeout", () => {
  const { clock, transport, tu } = start({
    config: { timers: { T1: 500, T2: 4000, T4: 5000 }, retryCaps: { invite: 3 } },
  });
  clock.advance(31_999);
  assert.deepEqual(transport.timesS(), [0, 0.5, 1.5, 3.5]);
  clock.advance(1);
  assert.deepEqual(tu.events, ["timeout", "terminated"]);
});

test("CUCM Retry INVITE 6 equals the RFC schedule with default timers (6 retransmissions before Timer B)", () => {
  const { clock, tx } = start({
    config: { timers: { T1: 500, T2: 4000, T4: 5000 }, retryCaps: { invite: 6 } },
  });
  clock.advance(31_999);
  assert.equal(tx.retransmissions, 6);
});

test("a provisional response moves Calling to Proceeding, MUST be passed to the TU, and stops retransmissions", () => {
  const { clock, transport, tu, tx, invite } = start();
  clock.advance(600);
  tx.receive(response(invite, 180));
  assert.equal(tx.state, "proceeding");
  assert.equal(clock.pendingCount(), 0, "Timers A and B are disarmed on entering Proceeding");
  tx.receive(response(invite, 183));
  clock.advance(60_000);
  assert.deepEqual(transport.timesS(), [0, 0.5]);
  assert.deepEqual(tu.events, ["response:180", "response:183"], "no Timer B timeout in Proceeding");
  assert.equal(tx.state, "proceeding");
});

test("a 2xx MUST be passed to the TU and terminate the INVITE client transaction (no ACK from the transaction)", () => {
  const { clock, transport, tu, tx, invite } = start();
  tx.receive(response(invite, 180));
  tx.receive(response(invite, 200));
  assert.deepEqual(tu.events, ["response:180", "response:200", "terminated"]);
  assert.equal(tx.state, "terminated");
  assert.equal(transport.count(isRequest("ACK")), 0);
  tx.receive(response(invite, 200));
  assert.equal(tu.responses.length, 2, "a 2xx retransmission no longer reaches this transaction");
  assert.equal(clock.pendingCount(), 0);
});

test("a 3xx-6xx MUST cause an ACK built from the INVITE (§17.1.1.3) and be passed to the TU", () => {
  const route = "<sip:p1.example.com;lr>";
  const { transport, tu, tx, invite } = start({ routes: [route] });
  const busy = response(invite, 486, "99sa0xk");
  tx.receive(busy);
  assert.equal(tx.state, "completed");
  assert.deepEqual(tu.events, ["response:486"]);
  const acks = transport.sent.filter((s) => isRequest("ACK")(s.message));
  assert.equal(acks.length, 1);
  const ack = acks[0]!.message;
  assert.equal(ack.kind, "request");
  if (ack.kind !== "request") return;
  assert.equal(ack.uri, invite.uri, "Request-URI equals the original request's");
  assert.deepEqual(
    headerValues(ack, "via"),
    ["SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKabc123"],
    "a single Via equal to the top Via",
  );
  assert.equal(
    headerValue(ack, "to"),
    "Bob <sip:bob@biloxi.com>;tag=99sa0xk",
    "To from the response, with its tag",
  );
  assert.equal(headerValue(ack, "from"), headerValue(invite, "from"));
  assert.equal(headerValue(ack, "call-id"), headerValue(invite, "call-id"));
  assert.equal(headerValue(ack, "cseq"), "986759 ACK");
  assert.deepEqual(headerValues(ack, "route"), [route], "Route header fields MUST appear in the ACK");
});

test("the ACK takes only the top Via even when the INVITE carries several", () => {
  const invite = request({ extraVia: ["SIP/2.0/UDP proxy.example.com;branch=z9hG4bKother"] });
  const ack = buildAckForNonSuccess(invite, response(invite, 404));
  assert.deepEqual(headerValues(ack, "via"), ["SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKabc123"]);
  assert.equal(ack.method, "ACK");
});

test("Timer D (32 s) absorbs retransmitted final responses, re-sending the ACK but not telling the TU", () => {
  const { clock, transport, tu, tx, invite } = start();
  clock.advance(1000);
  tx.receive(response(invite, 503));
  const failure = response(invite, 503);
  clock.advance(500);
  tx.receive(failure);
  clock.advance(1000);
  tx.receive(failure);
  assert.equal(transport.count(isRequest("ACK")), 3);
  assert.deepEqual(tu.events, ["response:503"]);
  clock.advance(32_000 - 1500 - 1);
  assert.equal(tx.state, "completed");
  clock.advance(1);
  assert.equal(tx.state, "terminated");
  assert.deepEqual(tu.events, ["response:503", "terminated"]);
});

test("Timer D stays at 32 s over UDP even when T1 is 100 ms", () => {
  const { clock, tx, invite } = start({ config: { timers: { T1: 100, T2: 4000, T4: 5000 } } });
  tx.receive(response(invite, 480));
  clock.advance(31_999);
  assert.equal(tx.state, "completed");
  clock.advance(1);
  assert.equal(tx.state, "terminated");
});

test("over TCP the ACK is still generated and Timer D is zero: terminated at once", () => {
  const { clock, transport, tu, tx, invite } = start({ reliable: true });
  tx.receive(response(invite, 603));
  assert.equal(
    transport.count(isRequest("ACK")),
    1,
    "MUST generate an ACK request, even if the transport is reliable",
  );
  assert.deepEqual(tu.events, ["response:603", "terminated"]);
  assert.equal(tx.state, "terminated");
  assert.equal(clock.pendingCount(), 0);
});

test("a provisional response after the final response is ignored", () => {
  const { tu, tx, invite, transport } = start();
  tx.receive(response(invite, 486));
  tx.receive(response(invite, 180));
  tx.receive(response(invite, 200));
  assert.deepEqual(tu.events, ["response:486"]);
  assert.equal(tx.state, "completed");
  assert.equal(transport.count(isRequest("ACK")), 1, "a 1xx or 2xx in Completed does not re-send the ACK");
});

test("a transport error SHOULD be reported to the TU and terminate the transaction (§17.1.4)", () => {
  const { clock, tu, tx } = start();
  tx.transportError("ICMP port unreachable");
  assert.deepEqual(tu.events, ["transport-error:ICMP port unreachable", "terminated"]);
  assert.equal(clock.pendingCount(), 0);
});

test("§9.1: after CANCEL, no final response within 64*T1 destroys the INVITE transaction", () => {
  const { clock, tu, tx, invite } = start();
  tx.receive(response(invite, 180));
  clock.advance(5000);
  tx.cancelSent();
  clock.advance(31_999);
  assert.equal(tx.state, "proceeding");
  clock.advance(1);
  assert.deepEqual(tu.events, ["response:180", "timeout", "terminated"]);
});

test("Figure 5 allows no way back: Completed only leads to Terminated, Terminated to nothing", () => {
  assert.deepEqual([...inviteClientTransitions.completed], ["terminated"]);
  assert.deepEqual([...inviteClientTransitions.terminated], []);
  assert.ok(!inviteClientTransitions.proceeding.includes("calling"));
});

test("an INVITE client transaction for a non-INVITE request is a bug", () => {
  const { clock, transport } = setup();
  assert.throws(
    () =>
      new InviteClientTransaction(
        request({ method: "BYE" }),
        { clock, send: transport.send, reliable: false },
        new RecordingTu(),
      ),
    /bug/,
  );
});
