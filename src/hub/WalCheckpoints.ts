/**
 * When the write-ahead log is copied back into the database file. Left to itself, SQLite does
 * it inside the commit that takes the log past 1,000 pages (4 MiB), fsync included, so under a
 * flood one commit in a few dozen stalled for tens of milliseconds, and a keystroke's echo
 * stalled with it. Here the hub's own commits never checkpoint: one runs after a commit once
 * `DUE_BYTES` have been appended and nobody is typing, or at `FORCED_BYTES` whatever happens,
 * so the log stays bounded. While the search index worker runs (a flood, a backlog), it
 * checkpoints twice a second on its own thread and says so (`wal-checkpointed`); the hub's
 * thread then only steps in at `FORCED_BYTES`. (Measured with a 16 MiB `cat`: checkpoints were
 * 12% of the hub thread's busy time.)
 */
import type { Logger } from "pino";
import type { WriteAheadLog } from "../store/Store.js";
import type { HubEvents } from "./HubEvents.js";

/** Appended bytes after which a checkpoint is due (SQLite's own default is 1,000 pages). */
const DUE_BYTES = 4 * 1024 * 1024;
/** Appended bytes after which it runs even while someone types. */
const FORCED_BYTES = 64 * 1024 * 1024;
/** The worker counts as checkpointing for this long after it last did. */
const OFF_THREAD_WITHIN_MS = 2000;
/** A checkpoint this slow is worth a line in the log (a slow disk, a busy machine). */
const SLOW_MS = 200;

export class WalCheckpoints {
  private appended = 0;
  private offThreadAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly wal: WriteAheadLog | undefined,
    private readonly logger: Logger,
    bus?: HubEvents,
  ) {
    wal?.checkpointOnlyOnRequest();
    bus?.on("wal-checkpointed", () => {
      this.appended = 0;
      this.offThreadAt = performance.now();
    });
    // Its first checkpoint comes once its modules have loaded, at low priority, in a flood: a
    // few hundred ms, in which a fast flood passes `DUE_BYTES` and this thread stalled tens of
    // milliseconds on a checkpoint the worker was about to do.
    bus?.on("wal-checkpointer", () => {
      this.offThreadAt = performance.now();
    });
  }

  /** `bytes` were just committed; `typing` when someone waits for an echo. */
  committed(bytes: number, typing: boolean): void {
    if (!this.wal) return;
    this.appended += bytes;
    const elsewhere = performance.now() - this.offThreadAt < OFF_THREAD_WITHIN_MS;
    if (this.appended < DUE_BYTES || ((typing || elsewhere) && this.appended < FORCED_BYTES)) return;
    const started = performance.now();
    try {
      this.wal.checkpoint();
      this.appended = 0;
    } catch (err) {
      // Tried again after the next commit; a failing disk also fails those, and says so there.
      this.logger.warn({ err }, "checkpoint of the write-ahead log failed");
      return;
    }
    const ms = performance.now() - started;
    if (ms > SLOW_MS) this.logger.warn({ ms: Math.round(ms), bytes: this.appended }, "slow checkpoint");
  }
}
