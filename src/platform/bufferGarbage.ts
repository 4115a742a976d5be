/**
 * Collects dead Buffers before they pile up, in the host (started with `--expose-gc`,
 * `leanProcess.ts`).
 *
 * A session's output passes through the host as Buffers whose bytes live outside V8's heap. A
 * flood's Buffers are held for a while (until the hub acknowledges them), so many are promoted
 * to the old generation and die there, where only a full collection frees them, and V8 runs
 * one for them late: during a 64 MiB `cat` the host held up to ~40 MB of dead Buffers. glibc
 * gets their bytes back but keeps its heap as large as it grew, fragmented: the host stayed at
 * 118-131 MB for good (docs/BENCHMARKS.md, "A flood's dead Buffers").
 *
 * So every few MiB of output the host looks at the bytes its ArrayBuffers hold, and once they
 * have grown `COLLECT_ABOVE_BYTES` past the least seen since the last collection (what is live)
 * it asks V8 for a full one, as a task between two reads. Without `gc` (a process started
 * without the flag, as in tests) it does nothing.
 *
 * And once a burst is over (`QUIET_MS` without bytes after at least `LOOK_EVERY_BYTES` since the
 * last collection) it asks for one more: what the burst's last MiBs left, and what is not a
 * Buffer at all (a kernel's 14 MB message parsed into strings), would otherwise wait for V8's
 * memory reducer, which ran 40-70 s later; the host stayed ~60 MB above its size until then
 * (docs/BENCHMARKS.md, "A kernel's flood").
 */

/** Output bytes between two looks (a look, `process.memoryUsage()`, costs ~15 µs). */
const LOOK_EVERY_BYTES = 4 * 1024 * 1024;
/** Growth of the ArrayBuffers' bytes past what is live that asks for a collection. */
const COLLECT_ABOVE_BYTES = 16 * 1024 * 1024;

type Collect = (options: { type: "major"; execution: "async" }) => Promise<void>;

const collect = (globalThis as { gc?: Collect }).gc;
let sinceLook = 0;
/**
 * The least the ArrayBuffers held at a look since the last collection: what is live. Not read
 * when the collection ends: V8 frees dead Buffers' bytes on another thread a little later.
 */
let floor = Number.POSITIVE_INFINITY;
let collecting = false;
/** Bytes passed since the last collection asked for. */
let sinceCollection = 0;
/** When bytes last passed (ms, `performance.now()`). */
let lastPassed = 0;
let quietTimer: NodeJS.Timeout | undefined;
/** How long without bytes a burst is over. */
const QUIET_MS = 1000;

/** `bytes` of output went through this process as Buffers (read from a PTY, framed, sent). */
export function buffersPassed(bytes: number): void {
  if (collect === undefined) return;
  sinceLook += bytes;
  sinceCollection += bytes;
  lastPassed = performance.now();
  if (quietTimer === undefined && sinceCollection >= LOOK_EVERY_BYTES) waitForQuiet(QUIET_MS);
  if (sinceLook < LOOK_EVERY_BYTES || collecting) return;
  sinceLook = 0;
  // Not `v8.getHeapStatistics().external_memory`: it does not drop when Buffers are freed.
  const held = process.memoryUsage().arrayBuffers;
  floor = Math.min(floor, held);
  if (held - floor < COLLECT_ABOVE_BYTES) return;
  collectNow(collect);
}

function collectNow(gc: Collect): void {
  collecting = true;
  sinceCollection = 0;
  const done = () => {
    collecting = false;
    floor = Number.POSITIVE_INFINITY;
  };
  // `execution: "sync"` with options left the Buffers in place (Node 20); async frees them.
  gc({ type: "major", execution: "async" }).then(done, done);
}

/** Collects once no bytes have passed for `QUIET_MS`; one timer, moved on while bytes pass. */
function waitForQuiet(ms: number): void {
  quietTimer = setTimeout(() => {
    quietTimer = undefined;
    const quietFor = performance.now() - lastPassed;
    if (quietFor < QUIET_MS) return waitForQuiet(QUIET_MS - quietFor);
    if (collect !== undefined && !collecting && sinceCollection >= LOOK_EVERY_BYTES) collectNow(collect);
  }, ms);
  quietTimer.unref();
}
