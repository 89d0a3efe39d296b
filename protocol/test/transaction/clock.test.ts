import { test } from "node:test";
import assert from "node:assert/strict";
import { createRealClock, FakeClock } from "../../src/transaction/clock.ts";

test("FakeClock fires due timers in due order, ties in creation order", () => {
  const clock = new FakeClock();
  const fired: string[] = [];
  clock.setTimer(300, () => fired.push("c@" + clock.now()));
  clock.setTimer(100, () => fired.push("a@" + clock.now()));
  clock.setTimer(100, () => fired.push("b@" + clock.now()));
  clock.advance(250);
  assert.deepEqual(fired, ["a@100", "b@100"]);
  assert.equal(clock.now(), 250);
  clock.advance(50);
  assert.deepEqual(fired, ["a@100", "b@100", "c@300"]);
});

test("FakeClock fires a timer set by a firing callback within the same advance", () => {
  const clock = new FakeClock();
  const fired: number[] = [];
  const tick = (): void => {
    fired.push(clock.now());
    if (fired.length < 4) clock.setTimer(10, tick);
  };
  clock.setTimer(10, tick);
  clock.advance(35);
  assert.deepEqual(fired, [10, 20, 30]);
  assert.equal(clock.pendingCount(), 1);
  clock.advance(5);
  assert.deepEqual(fired, [10, 20, 30, 40]);
  assert.equal(clock.pendingCount(), 0);
});

test("FakeClock clearTimer prevents firing and frees the slot", () => {
  const clock = new FakeClock();
  let fired = false;
  const h = clock.setTimer(5, () => (fired = true));
  assert.equal(clock.pendingCount(), 1);
  clock.clearTimer(h);
  clock.advance(10);
  assert.equal(fired, false);
  assert.equal(clock.pendingCount(), 0);
  assert.throws(() => clock.advance(-1), RangeError);
});

test("the real clock fires a timer and clears another", async () => {
  const clock = createRealClock();
  let cleared = false;
  const h = clock.setTimer(1, () => (cleared = true));
  clock.clearTimer(h);
  const start = clock.now();
  await new Promise<void>((resolve) => clock.setTimer(5, resolve));
  assert.ok(clock.now() - start >= 4);
  assert.equal(cleared, false);
});
