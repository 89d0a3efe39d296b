#!/usr/bin/env node
// mvsct: runs the prebuilt bundle (dist/mvsct.mjs, `node scripts/build.mjs`) when it is newer than
// every TypeScript source; otherwise the sources through tsx's loader. MVSCT_FROM_SOURCE=1 forces tsx;
// MVSCT_BUNDLE=FILE runs that bundle whatever its age.
import { readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bundle = join(root, "dist", "mvsct.mjs");

function newestSource(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith(".ts")) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  if (process.env.MVSCT_FROM_SOURCE === "1") return false;
  let built;
  try {
    built = statSync(bundle).mtimeMs;
  } catch {
    return false;
  }
  return ["protocol/src", "captures/src", "harness/src"].every((d) => newestSource(join(root, d)) < built);
}

let main;
if (process.env.MVSCT_BUNDLE) {
  // a given bundle, fresh or not (benchmarks run a snapshot of the build while sources change)
  ({ main } = await import(pathToFileURL(process.env.MVSCT_BUNDLE).href));
} else if (bundleIsFresh()) {
  ({ main } = await import(pathToFileURL(bundle).href));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import(pathToFileURL(join(root, "harness/src/cli/main.ts")).href));
}
process.exitCode = await main(process.argv.slice(2));
