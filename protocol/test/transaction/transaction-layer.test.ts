import { test } from "node:test";
import assert from "node:assert/strict";
import { TransactionLayer } from "../../src/transaction/transaction-layer.ts";
import type { Inbound } from "../../src/transaction/inbound.ts";
import type { InviteServerTransaction } from "../../src/transaction/invite-server.ts";
import type { InviteClientTransaction } from "../../src/transaction/invite-client.ts";
import type { SipMessage, SipRequest } from "../../src/wire/sip/types.ts";
import { headerValue, isRequest, isStatus, RecordingTu, request, response, setup } from "./helpers.ts";

function makeLayer(opts: { maxTransactions?: number } = {}) {
  const { clock, transport } = setup();
  let n = 0;
  const layer = new TransactionLayer({
    clock,
    send: transport.send,
    maxTransactions: opts.maxTransactions,
    newTag: () => `gen${++n}`,
  });
  return { clock, transport, layer };
}

function expectKind<K extends Inbound["kind"]>(inbound: Inbound, kind: K): Extract<Inbound, { kind: K }> {
  assert.equal(inbound.kind, kind);
  return inbound as Extract<Inbound, { kind: K }>;
}

function serverInvite(layer: TransactionLayer, req: SipRequest = request()): InviteServerTransaction {
  const inbound = expectKind(layer.receive(req), "new-request");
  return layer.createServerTransaction(inbound.request, {}) as InviteServerTransaction;
}

const assertClean = (layer: TransactionLayer, clock: { pendingCount(): number }): void => {
  assert.deepEqual(layer.stats(), {
    clientTransactions: 0,
    serverTransactions: 0,
    mergeEntries: 0,
    accepted2xx: 0,
    inviteClientRecords: 0,
    lingeringTransactions: 0,
  });
  assert.equal(layer.size, 0);
  assert.equal(clock.pendingCount(), 0, "no timer left armed");
};

test("responses MUST be passed to the matching client transaction; after the 2xx further 2xx are stray", () => {
  const { clock, layer } = makeLayer();
  const tu = new RecordingTu();
  const invite = request();
  const tx = layer.sendRequest(invite, tu);
  expectKind(layer.receive(response(invite, 180)), "response");
  expectKind(layer.receive(response(invite, 200)), "response");
  assert.equal(tx.state, "terminated");
  const stray = expectKind(layer.receive(response(invite, 200)), "stray-response");
  assert.equal(
    stray.response.status,
    200,
    "the 2xx retransmission goes to the core (which ACKs or drops it)",
  );
  expectKind(layer.receive(response(request({ branch: "z9hG4bKunknown" }), 200)), "stray-response");
  assert.deepEqual(tu.events, ["response:180", "response:200", "terminated"]);
  assertClean(layer, clock);
});

test("a retransmitted request is passed to its server transaction, which re-sends its last response", () => {
  const { clock, transport, layer } = makeLayer();
  const options = request({ method: "OPTIONS" });
  const tx = layer.createServerTransaction(expectKind(layer.receive(options), "new-request").request, {});
  tx.sendResponse(response(options, 200));
  const again = expectKind(layer.receive(options), "retransmission");
  assert.equal(again.transaction, tx);
  assert.equal(transport.count(isStatus(200)), 2);
  clock.advance(32_000);
  assertClean(layer, clock);
});

test("§8.2.2.2: a forked copy (same From tag, Call-ID, CSeq, other branch) is reported as merged with a 482", () => {
  const { clock, layer } = makeLayer();
  const first = request({ branch: "z9hG4bKpath1" });
  const tx = serverInvite(layer, first);
  const forked = request({ branch: "z9hG4bKpath2", sentBy: "proxy2.example.com" });
  const merged = expectKind(layer.receive(forked), "merged");
  assert.equal(merged.response.status, 482);
  assert.match(headerValue(merged.response, "to") ?? "", /;tag=gen\d+$/);
  tx.sendResponse(response(first, 486));
  clock.advance(32_000);
  assertClean(layer, clock);
  expectKind(layer.receive(forked), "new-request");
});

test("beyond the transaction cap the layer tells the core to answer 503 with Retry-After", () => {
  const { clock, layer } = makeLayer({ maxTransactions: 2 });
  const first = request({ branch: "z9hG4bK1", callId: "c1" });
  const pending = serverInvite(layer, first);
  layer.sendRequest(request({ method: "OPTIONS", branch: "z9hG4bK2", callId: "c2" }), new RecordingTu());
  const third = request({ branch: "z9hG4bK3", callId: "c3" });
  const over = expectKind(layer.receive(third), "overloaded");
  assert.equal(over.response.status, 503);
  assert.equal(headerValue(over.response, "retry-after"), "5");
  assert.equal(headerValue(over.response, "call-id"), "c3");
  expectKind(layer.receive(request({ method: "ACK", branch: "z9hG4bK9", callId: "c9", toTag: "x" })), "ack");
  expectKind(layer.receive(request({ method: "CANCEL", branch: "z9hG4bK1", callId: "c1" })), "cancel");
  pending.sendResponse(response(first, 486));
  clock.advance(32_000);
  assertClean(layer, clock);
  expectKind(layer.receive(third), "new-request");
});

test("§9.2: CANCEL for a pending INVITE gets 200 (same To tag) and the INVITE gets 487; the ACK is absorbed", () => {
  const { clock, transport, layer } = makeLayer();
  const invite = request();
  const tx = serverInvite(layer, invite);
  tx.sendResponse(response(invite, 180, "uas-1"));
  const cancel = request({ method: "CANCEL" });
  expectKind(layer.receive(cancel), "cancel");
  const answer = layer.answerCancel(cancel);
  assert.equal(answer.cancelStatus, 200);
  assert.equal(answer.terminatedInvite, tx);
  assert.equal(tx.state, "completed");
  const sent487 = transport.sent.find((s) => isStatus(487)(s.message))!.message;
  const sent200 = transport.sent.find((s) => isStatus(200)(s.message))!.message;
  assert.equal(headerValue(sent487, "cseq"), "986759 INVITE");
  assert.equal(headerValue(sent200, "cseq"), "986759 CANCEL");
  assert.match(headerValue(sent487, "to") ?? "", /;tag=uas-1$/);
  assert.match(headerValue(sent200, "to") ?? "", /;tag=uas-1$/);
  const ack = expectKind(layer.receive(request({ method: "ACK", toTag: "uas-1" })), "ack");
  assert.equal(ack.absorbedBy, "server-transaction");
  assert.equal(tx.state, "confirmed");
  clock.advance(32_000);
  assertClean(layer, clock);
});

test("a CANCEL matching no transaction is answered 481", () => {
  const { clock, transport, layer } = makeLayer();
  const cancel = request({ method: "CANCEL", branch: "z9hG4bKnothing" });
  expectKind(layer.receive(cancel), "cancel");
  assert.equal(layer.answerCancel(cancel).cancelStatus, 481);
  assert.equal(transport.count(isStatus(481)), 1);
  clock.advance(32_000);
  assertClean(layer, clock);
});

test("CANCEL race at the UAS: the 200 for the INVITE crossed the CANCEL, so CANCEL gets 200 and no 487 is sent", () => {
  const { clock, transport, layer } = makeLayer();
  const invite = request();
  const tx = serverInvite(layer, invite);
  const ackTimeouts: string[] = [];
  const ok = response(invite, 200, "uas-1");
  const retransmitter = layer.sendInvite2xx(tx, ok, { onAckTimeout: () => ackTimeouts.push("bye") });
  assert.ok(retransmitter !== null);
  assert.equal(tx.state, "terminated");
  clock.advance(100);
  const cancel = request({ method: "CANCEL" });
  expectKind(layer.receive(cancel), "cancel");
  const answer = layer.answerCancel(cancel);
  assert.equal(answer.cancelStatus, 200);
  assert.equal(answer.terminatedInvite, null);
  assert.equal(transport.count(isStatus(487)), 0, "CANCEL has no effect on a request already answered");
  expectKind(layer.receive(invite), "retransmission");
  clock.advance(1000);
  const ack = expectKind(
    layer.receive(request({ method: "ACK", branch: "z9hG4bKack2xx", toTag: "uas-1" })),
    "ack",
  );
  assert.equal(ack.absorbedBy, "2xx-retransmission");
  clock.advance(60_000);
  assert.deepEqual(
    transport.timesS(isStatus(200)),
    [0, 0.1, 0.5],
    "2xx at 0, 200-to-CANCEL at 0.1, one 2xx retransmission",
  );
  assert.deepEqual(ackTimeouts, []);
  assertClean(layer, clock);
});

test("an accepted INVITE without ACK for 64*T1 reports ack-timeout and is forgotten", () => {
  const { clock, layer } = makeLayer();
  const invite = request();
  const tx = serverInvite(layer, invite);
  const timeouts: number[] = [];
  layer.sendInvite2xx(tx, response(invite, 200), { onAckTimeout: () => timeouts.push(clock.now()) });
  clock.advance(32_000);
  assert.deepEqual(timeouts, [32_000]);
  assertClean(layer, clock);
  expectKind(layer.receive(request({ method: "ACK", branch: "z9hG4bKlate", toTag: "99sa0xk" })), "ack");
});

test("§9.1 at the UAC: CANCEL MUST NOT be sent before a provisional response; it goes out on the first 1xx", () => {
  const { clock, transport, layer } = makeLayer();
  const tu = new RecordingTu();
  const invite = request();
  const inviteTx = layer.sendRequest(invite, tu) as InviteClientTransaction;
  assert.equal(layer.cancelInvite(inviteTx).outcome, "deferred");
  clock.advance(700);
  assert.equal(transport.count(isRequest("CANCEL")), 0);
  layer.receive(response(invite, 180));
  assert.deepEqual(transport.timesS(isRequest("CANCEL")), [0.7]);
  const cancelMsg = transport.sent.find((s) => isRequest("CANCEL")(s.message))!.message;
  assert.equal(headerValue(cancelMsg, "cseq"), "986759 CANCEL");
  layer.receive(response(request({ method: "CANCEL" }), 200));
  layer.receive(response(invite, 487));
  assert.equal(transport.count(isRequest("ACK")), 1, "the 487 is ACKed by the INVITE client transaction");
  assert.deepEqual(tu.events, ["response:180", "response:487"]);
  assert.equal(layer.cancelInvite(inviteTx).outcome, "too-late");
  clock.advance(32_000);
  assertClean(layer, clock);
});

test("CANCEL race at the UAC: a 200 for the INVITE crossing the CANCEL reaches the TU; both transactions end", () => {
  const { clock, layer } = makeLayer();
  const tu = new RecordingTu();
  const cancelTu = new RecordingTu();
  const invite = request();
  const inviteTx = layer.sendRequest(invite, tu) as InviteClientTransaction;
  layer.receive(response(invite, 180));
  const result = layer.cancelInvite(inviteTx, cancelTu);
  assert.equal(result.outcome, "sent");
  layer.receive(response(invite, 200));
  assert.equal(inviteTx.state, "terminated");
  layer.receive(response(request({ method: "CANCEL" }), 200));
  assert.deepEqual(tu.events, ["response:180", "response:200", "terminated"]);
  assert.deepEqual(cancelTu.events, ["response:200"]);
  clock.advance(5000);
  assert.deepEqual(cancelTu.events, ["response:200", "terminated"]);
  assertClean(layer, clock);
});

test("a request the layer cannot match (no CSeq) is reported invalid, never thrown on", () => {
  const { layer } = makeLayer();
  const broken: SipMessage = { ...request(), headers: request().headers.filter((h) => h.name !== "cseq") };
  const inbound = expectKind(layer.receive(broken), "invalid");
  assert.match(inbound.reason, /CSeq/);
});

test("reliability follows the top Via: an INVITE over TCP gets no Timer G retransmissions", () => {
  const { clock, transport, layer } = makeLayer();
  const invite = request({ transport: "TCP" });
  const tx = serverInvite(layer, invite);
  tx.sendResponse(response(invite, 486));
  clock.advance(31_999);
  assert.equal(transport.count(isStatus(486)), 1);
  clock.advance(1);
  assertClean(layer, clock);
});

test("no leftovers: every transaction, timer and map entry is gone once all transactions terminate", () => {
  const { clock, layer } = makeLayer();
  const calls = 25;
  for (let i = 0; i < calls; i++) {
    const callId = `call-${i}`;
    const out = request({ branch: `z9hG4bKout${i}`, callId });
    layer.sendRequest(out, new RecordingTu());
    if (i % 3 === 0) layer.receive(response(out, 486));
    if (i % 3 === 1) layer.receive(response(out, 200));
    const incoming = request({ branch: `z9hG4bKin${i}`, callId: `${callId}-in` });
    const tx = serverInvite(layer, incoming);
    if (i % 2 === 0) tx.sendResponse(response(incoming, 603));
    else layer.sendInvite2xx(tx, response(incoming, 200, `t${i}`), { onAckTimeout: () => undefined });
    const bye = request({ method: "BYE", branch: `z9hG4bKbye${i}`, callId, toTag: "x" });
    layer
      .createServerTransaction(expectKind(layer.receive(bye), "new-request").request, {})
      .sendResponse(response(bye, 200));
  }
  assert.ok(layer.size > 0);
  clock.advance(64_000);
  assertClean(layer, clock);
});
