// Entry of the capture reader thread when mvsct runs from its TypeScript sources (the esbuild
// bundle uses dist/packet-worker.mjs instead): registers tsx's loader in this thread, then loads
// the worker. A failure to load is reported like any failure of the worker.
import { workerData } from "node:worker_threads";

try {
  const { register } = await import("tsx/esm/api");
  register();
  await import("./packet-worker.ts");
} catch (e) {
  workerData.port.postMessage({ kind: "fatal", message: e instanceof Error ? e.message : String(e) });
  const signal = new Int32Array(workerData.signal);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}
