/** Rewrites the golden models. Review the diff (`git diff captures/fixtures/goldens`) before committing. */
import { mkdirSync, writeFileSync } from "node:fs";
import { GOLDEN_DIR, goldenCaptures, goldenModel } from "./golden.ts";

mkdirSync(GOLDEN_DIR, { recursive: true });
for (const { path, golden } of goldenCaptures()) {
  writeFileSync(golden, `${JSON.stringify(goldenModel(path), null, 2)}\n`);
  console.log(`wrote ${golden}`);
}
