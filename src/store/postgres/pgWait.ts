/**
 * Running one libpq command with a deadline while staying synchronous. libpq's blocking calls
 * (`PQexec`) wait on the socket without bound, so a server that stops answering would freeze
 * the hub for good; instead the command is sent on a non-blocking connection and its answer
 * collected by polling the socket between naps that grow with the time waited (an eighth of
 * it, from 10 µs to 1 ms) until the deadline. The price: a small query on a near server takes
 * some tens of microseconds longer than a blocking one (the kernel's timer slack on each nap).
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
const SHORTEST_NAP_MS = 0.01;
const LONGEST_NAP_MS = 1;
/** A nap is this share of the time waited so far: the answer is late by at most about that much. */
const NAP_SHARE = 1 / 8;

/** Polls `ready` until it holds (true) or `deadline` (`performance.now()` ms) passes (false). */
function waitUntil(ready: () => boolean, deadline: number): boolean {
  const start = performance.now();
  while (!ready()) {
    const now = performance.now();
    if (now >= deadline) return false;
    // No spinning: on a busy machine it takes the core the server needs to answer.
    const nap = Math.min(LONGEST_NAP_MS, Math.max(SHORTEST_NAP_MS, (now - start) * NAP_SHARE));
    Atomics.wait(napper, 0, 0, Math.min(nap, deadline - now));
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
