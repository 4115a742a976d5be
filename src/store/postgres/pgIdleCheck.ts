/**
 * A connection check while the PostgreSQL connection is idle. A link that goes silent (packets
 * dropped, a hung proxy: the kernel's keepalives are answered by whatever holds the socket) or
 * a backend ended by the server (`pg_terminate_backend`, a restart) is otherwise found only by
 * the next store call, which blocks the hub up to `DISPATCH_PG_TIMEOUT_MS` on the silent link,
 * or fails on the ended one. So once the connection has been idle `CHECK_IDLE_MS`, a `SELECT 1`
 * is sent without blocking and its answer polled from timers; no answer within the check's
 * bound (shorter than a call's) loses the connection, and a new one is opened in the
 * background before anything needs it. A call that comes while a check is out waits for the
 * check's answer only up to the check's own deadline.
 */
import type { Libpq } from "./pgNative.js";
import { type Finished, finish } from "./pgWait.js";

/** Idle this long: the connection is checked (and again after each answered check). */
export const CHECK_IDLE_MS = 2_000;
/** The longest a check waits for its answer (capped by `DISPATCH_PG_TIMEOUT_MS`). */
export const CHECK_LIMIT_MS = 3_000;
/** How often an unanswered check looks for its answer. */
const CHECK_POLL_MS = 20;

export interface IdleCheckOptions {
  /** The longest a check waits for its answer (ms). */
  limitMs: number;
  /** The connection to check now, or none (closed, reconnecting, not yet bounded). */
  due: () => Libpq | undefined;
  /** A check went unanswered past `limitMs`: the connection is silent. */
  silent: () => void;
  /** A check was answered (or failed): `pq` holds the outcome for the connection to judge. */
  answered: (pq: Libpq) => void;
}

export class IdleCheck {
  private timer: NodeJS.Timeout | undefined;
  /** A check is out and unanswered: the `performance.now()` by which it must be. */
  private deadline: number | undefined;
  private lastUsed = performance.now();

  constructor(private readonly options: IdleCheckOptions) {}

  /** The connection was just used or opened: it is checked once idle long enough. */
  used(): void {
    this.lastUsed = performance.now();
    // One timer for many calls: it looks at `lastUsed` when it fires.
    if (!this.timer && this.deadline === undefined) this.later(() => this.tick(), CHECK_IDLE_MS);
  }

  /**
   * Before a call on `pq`: an unanswered check is waited for up to its deadline, so the call
   * starts on a connection known to answer ("none": no check was out; "timeout": the link is
   * silent; else `pq` holds the check's outcome).
   */
  settle(pq: Libpq): "none" | Finished {
    const deadline = this.deadline;
    if (deadline === undefined) return "none";
    this.stop();
    return finish(pq, deadline);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.deadline = undefined;
  }

  private tick(): void {
    const idleMs = performance.now() - this.lastUsed;
    if (idleMs < CHECK_IDLE_MS) {
      this.later(() => this.tick(), CHECK_IDLE_MS - idleMs);
      return;
    }
    const pq = this.options.due();
    if (!pq) return;
    pq.clear();
    if (!pq.sendQuery("SELECT 1")) {
      this.options.answered(pq);
      return;
    }
    this.deadline = performance.now() + this.options.limitMs;
    this.poll(pq);
  }

  private poll(pq: Libpq): void {
    const deadline = this.deadline;
    if (deadline === undefined) return;
    // One look, no wait: the answer is read once it is there.
    const state = finish(pq, performance.now());
    if (state === "timeout" && performance.now() < deadline) {
      this.later(() => this.poll(pq), CHECK_POLL_MS);
      return;
    }
    this.deadline = undefined;
    if (state === "timeout") this.options.silent();
    else this.options.answered(pq);
  }

  private later(fn: () => void, ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      fn();
    }, ms);
    // A store closed without `close()` (a test, a failed start) must not keep the process alive.
    this.timer.unref();
  }
}
