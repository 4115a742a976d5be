/**
 * Search index worker: keeps the full-text index of stored output current on its own SQLite
 * connection, in a worker thread, so tokenizing a flood of output uses another core instead
 * of the hub's event loop. Each slice is one short transaction (WAL: the hub's appends wait
 * for it only briefly, and its reads never wait).
 */
import { parentPort, workerData } from "node:worker_threads";
import { SqliteStore } from "../../store/sqlite/SqliteStore.js";
import type { FromIndexWorker, ToIndexWorker } from "./messages.js";

/**
 * Events per transaction: at most ~1 MiB of 64 KiB events, typically 256 KiB of 16 KiB ones,
 * a few ms of FTS work, which is how long an append may have to wait for the write lock.
 */
const EVENTS_PER_SLICE = 16;

const port = parentPort;
if (!port) throw new Error("the search index worker must run in a worker thread");
const store = SqliteStore.open((workerData as { path: string }).path);
const waiting: number[] = [];
let dirty = true;
let running = false;
let received = 0;

port.on("message", (message: ToIndexWorker) => {
  received++;
  if (message.type === "flush") waiting.push(message.id);
  dirty = true;
  run();
});
run();

function run(): void {
  if (running) return;
  running = true;
  setImmediate(slice);
}

function slice(): void {
  let more = false;
  try {
    dirty = false;
    more = store.search.catchUp(EVENTS_PER_SLICE);
  } catch (err) {
    send({ type: "error", message: err instanceof Error ? err.message : String(err) });
  }
  if (more || dirty) {
    // Yield between slices so flush requests and new work are seen.
    setImmediate(slice);
    return;
  }
  running = false;
  for (const id of waiting.splice(0)) send({ type: "indexed", id });
  send({ type: "idle", received });
}

function send(message: FromIndexWorker): void {
  port?.postMessage(message);
}
