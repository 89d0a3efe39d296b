/**
 * The transaction cap counts live transactions only; finished ones that linger to absorb
 * retransmissions (Timers D, I, J, K) are bounded apart, the oldest ended early past the bound.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { TransactionLayer } from "../../src/transaction/transaction-layer.ts";
import { LingeringSet } from "../../src/transaction/lingering.ts";
import type { SipRequest } from "../../src/wire/sip/types.ts";
import { isStatus, RecordingTu, request, response, setup } from "./helpers.ts";

function layerWith(opts: { maxTransactions?: number; maxLingering?: number }) {
  const { clock, transport } = setup();
  const layer = new TransactionLayer({ clock, send: transport.send, newTag: () => "gen", ...opts });
  return { clock, transport, layer };
}

const bye = (n: number): SipRequest =>
  request({ method: "BYE", branch: `z9hG4bKbye${n}`, callId: `call-${n}`, toTag: "t" });

/** A BYE received, answered 200: its server transaction lingers in "Completed" (Timer J). */
function answeredBye(layer: TransactionLayer, n: number) {
  const inbound = layer.receive(bye(n));
  assert.equal(inbound.kind, "new-request");
  const tx = layer.createServerTransaction(bye(n), {});
  tx.sendResponse(response(bye(n), 200));
  assert.equal(tx.state, "completed");
  return tx;
}

test("the cap counts live transactions only: requests are accepted while many finished ones linger", () => {
  const { layer } = layerWith({ maxTransactions: 2 });
  for (let n = 0; n < 5; n++) answeredBye(layer, n);
  assert.equal(layer.size, 5);
  assert.equal(layer.liveCount, 0);
  assert.equal(layer.stats().lingeringTransactions, 5);
  assert.equal(layer.receive(bye(10)).kind, "new-request", "5 lingering, 0 live: under the cap of 2");
});

test("the cap still refuses with 503 when live transactions reach it", () => {
  const { layer } = layerWith({ maxTransactions: 2 });
  answeredBye(layer, 0);
  layer.createServerTransaction(request({ branch: "z9hG4bKinv1", callId: "i1" }), {});
  layer.sendRequest(request({ method: "OPTIONS", branch: "z9hG4bKopt", callId: "o1" }), new RecordingTu());
  assert.equal(layer.liveCount, 2);
  const over = layer.receive(bye(20));
  assert.equal(over.kind, "overloaded");
  assert.equal(over.kind === "overloaded" ? over.response.status : 0, 503);
});

test("every lingering state is left out: INVITE client Completed (D), non-INVITE client Completed (K), INVITE server Confirmed (I)", () => {
  const { clock, layer } = layerWith({});
  const inv = request({ branch: "z9hG4bKc1", callId: "c1" });
  const ic = layer.sendRequest(inv, new RecordingTu());
  layer.receive(response(inv, 486));
  const opt = request({ method: "OPTIONS", branch: "z9hG4bKc2", callId: "c2" });
  const nic = layer.sendRequest(opt, new RecordingTu());
  layer.receive(response(opt, 200));
  const sinv = request({ branch: "z9hG4bKs1", callId: "s1" });
  const is = layer.createServerTransaction(sinv, {});
  is.sendResponse(response(sinv, 603));
  assert.equal(layer.liveCount, 1, "the INVITE server transaction awaits its ACK: live");
  layer.receive(request({ method: "ACK", branch: "z9hG4bKs1", callId: "s1", toTag: "99sa0xk" }));
  assert.deepEqual([ic.state, nic.state, is.state], ["completed", "completed", "confirmed"]);
  assert.equal(layer.liveCount, 0);
  assert.equal(layer.stats().lingeringTransactions, 3);
  clock.advance(5_000); // T4: Timers K and I
  assert.equal(layer.stats().lingeringTransactions, 1);
  clock.advance(27_000); // Timer D (32 s)
  assert.equal(layer.size, 0);
  assert.equal(layer.stats().lingeringTransactions, 0);
});

test("past maxLingering the oldest lingering transaction ends early; a later retransmission of it is new", () => {
  const { clock, transport, layer } = layerWith({ maxLingering: 3 });
  const txs = [0, 1, 2, 3, 4].map((n) => answeredBye(layer, n));
  assert.deepEqual(
    txs.map((t) => t.state),
    ["terminated", "terminated", "completed", "completed", "completed"],
  );
  assert.equal(layer.size, 3);
  assert.equal(layer.receive(bye(0)).kind, "new-request", "bye 0 no longer absorbed");
  const again = layer.receive(bye(4));
  assert.equal(again.kind, "retransmission", "bye 4 still absorbed");
  assert.equal(transport.count(isStatus(200)), 6, "five 200s plus the retransmitted one");
  clock.advance(32_000);
  assert.equal(layer.size, 0);
  assert.equal(clock.pendingCount(), 0);
});

test("LingeringSet: oldest first, delete of a never-added entry is a no-op", () => {
  const ended: string[] = [];
  const mk = (id: string) => ({ id, endLinger: () => void ended.push(id) });
  const set = new LingeringSet<ReturnType<typeof mk>>(2);
  const [a, b, c, d] = [mk("a"), mk("b"), mk("c"), mk("d")];
  assert.equal(set.add(a), 0);
  assert.equal(set.add(b), 0);
  set.delete(a);
  set.delete(d);
  assert.equal(set.add(c), 0);
  assert.equal(set.add(d), 1);
  assert.deepEqual(ended, ["b"]);
  assert.equal(set.size, 2);
  assert.throws(() => new LingeringSet(-1), RangeError);
});
