/**
 * Search index worker: keeps the full-text index of stored output current on its own SQLite
 * connection, in a worker thread, so tokenizing a flood of output uses another core instead
 * of the hub's event loop. Each slice is one short transaction (WAL: the hub's appends wait
 * for it only briefly, and its reads never wait).
 */
import { parentPort, workerData } from "node:worker_threads";
import { openSearchConnection } from "../../store/sqlite/searchConnection.js";
import type { FromIndexWorker, ToIndexWorker } from "./messages.js";

/**
 * Events per transaction: at most ~1 MiB of 64 KiB events, typically 256 KiB of 16 KiB ones,
 * a few ms of FTS work, which is how long an append may have to wait for the write lock.
 */
const EVENTS_PER_SLICE = 16;
/**
 * Output stored this recently means a session is streaming. Indexing then waits (one slice per
 * `STREAMING_REST_MS`, and catching up once output calms down): each slice holds the store's
 * write lock, and an append that finds it taken sleeps in SQLite's busy handler (1, 2, 5, 10…
 * ms), which is where a keystroke's echo waited behind a flood. A query's flush still runs at
 * once.
 */
const STREAMING_WITHIN_MS = 300;
const STREAMING_REST_MS = 1000;
/**
 * While it runs (a flood, a backlog), the worker makes the WAL checkpoints the hub asks for
 * (`WalCheckpoints`: once enough was appended), at most this often, on its own thread: the copy
 * and its fsync then cost the hub's event loop nothing.
 */
const CHECKPOINT_EVERY_MS = 500;

const port = parentPort;
if (!port) throw new Error("the search index worker must run in a worker thread");
// Started at low priority (`startBackgroundWorker`): live output and a restart's catch-up go first.
const store = openSearchConnection((workerData as { path: string }).path);
const waiting: number[] = [];
let dirty = true;
let running = false;
let received = 0;
let storedAt = 0;
let slicedAt = 0;
let resting: NodeJS.Timeout | undefined;
let checkpointedAt = 0;
let checkpointLater: NodeJS.Timeout | undefined;

port.on("message", (message: ToIndexWorker) => {
  // Not counted in `received`: the hub counts what it posts for indexing, to know when it is idle.
  if (message.type === "checkpoint") return checkpointSoon();
  received++;
  if (message.type === "flush") {
    waiting.push(message.id);
    if (resting) {
      // A query waits for the index: no more resting.
      clearTimeout(resting);
      resting = undefined;
      setImmediate(slice);
    }
  } else {
    storedAt = Date.now();
  }
  dirty = true;
  run();
});
run();

/** Now, or `CHECKPOINT_EVERY_MS` after the last one (between slices too: they rest while output streams). */
function checkpointSoon(): void {
  if (checkpointLater) return;
  const wait = checkpointedAt + CHECKPOINT_EVERY_MS - Date.now();
  if (wait <= 0) return checkpoint();
  checkpointLater = setTimeout(() => {
    checkpointLater = undefined;
    checkpoint();
  }, wait);
}

function checkpoint(): void {
  checkpointedAt = Date.now();
  try {
    store.checkpoint();
    send({ type: "checkpointed" });
  } catch (err) {
    send({ type: "error", message: err instanceof Error ? err.message : String(err) });
  }
}

function run(): void {
  if (running) return;
  running = true;
  setImmediate(slice);
}

function slice(): void {
  resting = undefined;
  const now = Date.now();
  if (waiting.length === 0 && now - storedAt < STREAMING_WITHIN_MS && now - slicedAt < STREAMING_REST_MS) {
    resting = setTimeout(slice, STREAMING_REST_MS - (now - slicedAt));
    return;
  }
  slicedAt = now;
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
