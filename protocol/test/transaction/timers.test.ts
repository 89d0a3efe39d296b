import { test } from "node:test";
import assert from "node:assert/strict";
import {
  cucmTransactionConfig,
  defaultTimers,
  deriveTimers,
  isReliableTransport,
  nextInterval,
} from "../../src/transaction/timers.ts";

test("Table 4: T1 defaults to 500 ms, T2 to 4 s, T4 to 5 s", () => {
  assert.deepEqual({ ...defaultTimers }, { T1: 500, T2: 4000, T4: 5000 });
  assert.ok(Object.isFrozen(defaultTimers));
});

test("Table 4 over UDP: A/E/G start at T1, B/F/H/J are 64*T1, D at least 32 s, I/K are T4", () => {
  const t = deriveTimers(defaultTimers, false);
  assert.equal(t.A, 500);
  assert.equal(t.B, 32_000);
  assert.equal(t.D, 32_000);
  assert.equal(t.E, 500);
  assert.equal(t.F, 32_000);
  assert.equal(t.G, 500);
  assert.equal(t.H, 32_000);
  assert.equal(t.I, 5000);
  assert.equal(t.J, 32_000);
  assert.equal(t.K, 5000);
});

test("Table 4 over TCP: no A/E/G, D/I/J/K are 0 s, B/F/H stay 64*T1", () => {
  const t = deriveTimers(defaultTimers, true);
  assert.equal(t.A, null);
  assert.equal(t.E, null);
  assert.equal(t.G, null);
  assert.equal(t.D, 0);
  assert.equal(t.I, 0);
  assert.equal(t.J, 0);
  assert.equal(t.K, 0);
  assert.equal(t.B, 32_000);
  assert.equal(t.F, 32_000);
  assert.equal(t.H, 32_000);
});

test("changing T1 scales the 64*T1 timers but Timer D keeps its 32 s absolute minimum", () => {
  const t = deriveTimers({ T1: 100, T2: 4000, T4: 5000 }, false);
  assert.equal(t.A, 100);
  assert.equal(t.B, 6400);
  assert.equal(t.F, 6400);
  assert.equal(t.H, 6400);
  assert.equal(t.J, 6400);
  assert.equal(t.D, 32_000);
  const slow = deriveTimers({ T1: 1000, T2: 4000, T4: 5000 }, false);
  assert.equal(slow.D, 64_000, "D equals Timer H (64*T1) when that exceeds 32 s");
});

test("retransmit intervals double and cap at T2 (MIN(2*T1, T2))", () => {
  const seq: number[] = [500];
  while (seq.length < 7) seq.push(nextInterval(seq[seq.length - 1]!, 4000));
  assert.deepEqual(seq, [500, 1000, 2000, 4000, 4000, 4000, 4000]);
  assert.equal(nextInterval(16_000, null), 32_000, "Timer A has no cap");
});

test("CUCM SIP Profile: T1 500, T2 4000, Retry INVITE 6, Retry non-INVITE 10", () => {
  assert.equal(cucmTransactionConfig.timers.T1, 500);
  assert.equal(cucmTransactionConfig.timers.T2, 4000);
  assert.deepEqual({ ...cucmTransactionConfig.retryCaps }, { invite: 6, nonInvite: 10 });
});

test("nonsense base timers are a caller bug and throw", () => {
  assert.throws(() => deriveTimers({ T1: 0, T2: 4000, T4: 5000 }, false), RangeError);
  assert.throws(() => deriveTimers({ T1: 500, T2: 100, T4: 5000 }, false), RangeError);
});

test("TCP, TLS, SCTP and WS are reliable; UDP is not", () => {
  for (const t of ["TCP", "tls", "SCTP", "WS", "WSS"]) assert.equal(isReliableTransport(t), true, t);
  assert.equal(isReliableTransport("UDP"), false);
});
