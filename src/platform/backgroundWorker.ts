/**
 * Starts one of the hub's background worker threads (the screen emulator, the search indexer)
 * at low priority from its first instruction. The thread begins in `backgroundWorkerEntry.ts`,
 * which lowers its priority and only then loads the worker's own module: loading (a fresh V8
 * isolate compiling xterm or SQLite's bindings) is most of a worker's start-up CPU, ~150 ms here,
 * and a worker starts when the hub is busiest, a flood or a restart's catch-up of every session's
 * downtime output. Lowered inside that module, the load still took the core from the event loop.
 */
import { Worker, type WorkerOptions } from "node:worker_threads";

const ENTRY = new URL("./backgroundWorkerEntry.js", import.meta.url);

/** A worker thread running `module` (a file: URL), at `lowerThreadPriority`'s priority. */
export function startBackgroundWorker(module: URL, options: Omit<WorkerOptions, "argv"> = {}): Worker {
  return new Worker(ENTRY, { ...options, argv: [module.href] });
}
