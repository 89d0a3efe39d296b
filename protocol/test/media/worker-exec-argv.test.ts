import { test } from "node:test";
import assert from "node:assert/strict";
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
