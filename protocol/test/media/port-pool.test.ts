import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { PortPool } from "../../src/media/port-pool.ts";

test("even RTP ports with room for RTCP (+1) inside the range; odd bounds are honoured", () => {
  const pool = new PortPool({ min: 19001, max: 19010 });
  // pairs (19002,19003) (19004,19005) (19006,19007) (19008,19009); 19010 has no 19011 in range
  assert.equal(pool.capacity, 4);
  const got = [pool.allocate(), pool.allocate(), pool.allocate(), pool.allocate()];
  assert.deepEqual(got, [19002, 19004, 19006, 19008]);
  assert.equal(pool.allocate(), null, "bounded: exhausted → null");
  assert.equal(pool.inUse, 4);
  assert.equal(pool.available, 0);
});

test("released ports go to the back of the line (last to be reused); none left after releasing all", () => {
  const pool = new PortPool({ min: 19000, max: 19007 });
  const a = pool.allocate()!;
  const b = pool.allocate()!;
  pool.release(a);
  assert.equal(pool.allocate(), 19004);
  assert.equal(pool.allocate(), 19006);
  assert.equal(pool.allocate(), a, "the released port comes back only after the never-used ones");
  pool.release(b);
  pool.release(a);
  pool.release(19004);
  pool.release(19006);
  assert.equal(pool.inUse, 0);
  assert.equal(pool.available, 4);
});

test("double release and foreign ports are caller bugs and throw", () => {
  const pool = new PortPool({ min: 19000, max: 19003 });
  const p = pool.allocate()!;
  pool.release(p);
  assert.throws(() => pool.release(p), RangeError);
  assert.throws(() => pool.release(19001), RangeError);
  assert.throws(() => pool.release(20000), RangeError);
  assert.throws(() => pool.release(18998), RangeError);
  assert.throws(() => new PortPool({ min: 19001, max: 19001 }), RangeError);
  assert.throws(() => new PortPool({ min: 0, max: 10 }), RangeError);
  assert.throws(() => new PortPool({ min: 20, max: 10 }), RangeError);
});

test("property: any allocate/release sequence hands out each pair at most once and leaks nothing", () => {
  fc.assert(
    fc.property(fc.array(fc.boolean(), { maxLength: 200 }), fc.integer({ min: 1, max: 12 }), (ops, pairs) => {
      const pool = new PortPool({ min: 19100, max: 19100 + pairs * 2 - 1 });
      const held: number[] = [];
      for (const alloc of ops) {
        if (alloc) {
          const p = pool.allocate();
          if (held.length === pairs) assert.equal(p, null);
          else {
            assert.ok(p !== null && p % 2 === 0 && p >= 19100 && p + 1 <= 19100 + pairs * 2 - 1);
            assert.ok(!held.includes(p), "never handed out twice");
            held.push(p);
          }
        } else if (held.length > 0) {
          pool.release(held.shift()!);
        }
        assert.equal(pool.inUse, held.length);
      }
      for (const p of held) pool.release(p);
      assert.equal(pool.inUse, 0);
      assert.equal(pool.available, pairs);
    }),
    { numRuns: 300 },
  );
});
