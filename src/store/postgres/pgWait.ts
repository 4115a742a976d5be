/**
 * Running one libpq command with a deadline while staying synchronous. libpq's blocking calls
 * (`PQexec`) wait on the socket without bound, so a server that stops answering would freeze
 * the hub for good; instead the command is sent on a non-blocking connection and its answer
 * collected by polling the socket: a short spin first (an answer on a near server comes within
 * tens of microseconds), then naps of growing length (at most 1 ms) until the deadline.
 */

/** The part of libpq's binding the wait needs. */
export interface PollableLibpq {
  flush(): number;
  consumeInput(): boolean;
  isBusy(): boolean;
  getResult(): boolean;
}

export type Finished = "done" | "failed" | "timeout";

const napper = new Int32Array(new SharedArrayBuffer(4));
/** Spin this long before the first nap (ms). */
const SPIN_MS = 0.2;
const FIRST_NAP_MS = 0.02;
const LONGEST_NAP_MS = 1;

/** Polls `ready` until it holds (true) or `deadline` (`performance.now()` ms) passes (false). */
function waitUntil(ready: () => boolean, deadline: number): boolean {
  const start = performance.now();
  let nap = FIRST_NAP_MS;
  while (!ready()) {
    const now = performance.now();
    if (now >= deadline) return false;
    if (now - start < SPIN_MS) continue;
    Atomics.wait(napper, 0, 0, Math.min(nap, deadline - now));
    nap = Math.min(nap * 2, LONGEST_NAP_MS);
  }
  return true;
}

/**
 * Sends what a `send…` call queued and reads every result of it, the last one kept on `pq` (as
 * `PQexec` leaves it). `failed`: the connection broke (libpq's `errorMessage` says how).
 */
export function finish(pq: PollableLibpq, deadline: number): Finished {
  let failed = false;
  const flushed = () => {
    const status = pq.flush();
    if (status < 0) failed = true;
    return status !== 1;
  };
  if (!waitUntil(flushed, deadline)) return "timeout";
  if (failed) return "failed";
  const answered = () => {
    if (!pq.consumeInput()) failed = true;
    return failed || !pq.isBusy();
  };
  for (;;) {
    if (!waitUntil(answered, deadline)) return "timeout";
    if (failed) return "failed";
    if (!pq.getResult()) return "done";
  }
}
