import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { workerExecArgv } from "../../src/media/media-relay-group.ts";

test("media workers drop the main script's eval options (a worker started with --input-type fails at once), keep the rest", () => {
  assert.deepEqual(
    workerExecArgv([
      "--max-old-space-size=200",
      "--input-type=module",
      "-e",
      "await main()",
      "--import",
      "tsx",
    ]),
    ["--max-old-space-size=200", "--import", "tsx"],
  );
  assert.deepEqual(workerExecArgv(["--input-type", "module", "--eval", "x", "--no-warnings"]), [
    "--no-warnings",
  ]);
  assert.deepEqual(workerExecArgv(["-p", "1+1", "--print=2", "--eval=3", "--trace-gc"]), ["--trace-gc"]);
  assert.deepEqual(workerExecArgv([]), []);
});

test("a process started with V8 flags and `--input-type=module -e` still gets working media workers", () => {
  // explicit execArgv is validated: --expose-gc / --max-semi-space-size are refused for a worker,
  // so they must be dropped (they apply to the whole process already), not make every call fail
  const group = new URL("../../src/media/media-relay-group.ts", import.meta.url).href;
  const pool = new URL("../../src/media/port-pool.ts", import.meta.url).href;
  const code = `
    const { MediaRelayGroup } = await import(${JSON.stringify(group)});
    const { PortPool } = await import(${JSON.stringify(pool)});
    const g = new MediaRelayGroup({ workers: 1 });
    const leg = (pt) => ({ dtmf: { egressMethod: "rfc2833", telephoneEventPt: pt, ingressTelephoneEventPts: [pt] } });
    const call = await g.open({ pool: new PortPool({ min: 19860, max: 19869 }), bindAddress: "127.0.0.1",
      clock: { now: () => 0, setTimer: () => ({ id: 0 }), clearTimer: () => {} }, legs: { a: leg(101), b: leg(96) } });
    console.log("opened", call.localPort("a") > 0);
    await call.close();
    await g.close();`;
  const r = spawnSync(
    process.execPath,
    ["--expose-gc", "--max-semi-space-size=16", "--import", "tsx", "--input-type=module", "-e", code],
    { encoding: "utf8", timeout: 30_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /opened true/);
});
