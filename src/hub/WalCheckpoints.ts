/**
 * When the write-ahead log is copied back into the database file. Left to itself, SQLite does
 * it inside the commit that takes the log past 1,000 pages (4 MiB), fsync included, so under a
 * flood one commit in a few dozen stalled for tens of milliseconds, and a keystroke's echo
 * stalled with it. Here the hub's own commits never checkpoint: one runs after a commit once
 * `DUE_BYTES` have been appended and nobody is typing, or at `FORCED_BYTES` whatever happens,
 * so the log stays bounded. While the search index worker runs (a flood, a backlog), a due
 * checkpoint is asked of it (`wal-checkpoint-due`) and made on its own thread, which says so
 * (`wal-checkpointed`); the hub's thread then only steps in at `FORCED_BYTES`. (Measured with a
 * 16 MiB `cat`: checkpoints were 12% of the hub thread's busy time.)
 *
 * Each commit counts the pages it adds to the log, not only its bytes: a keystroke's echo is a
 * few bytes but two 4 KiB pages of log. The worker used to checkpoint twice a second whenever
 * it ran, so a person typing after a flood paid a checkpoint every ~16 keys: its copy and fsync
 * on the worker, and on the hub's thread the log's restart (a header written and synced inside
 * the next echo's commit). docs/BENCHMARKS.md, "The idle echo's syscalls".
 */
import type { Logger } from "pino";
import type { WriteAheadLog } from "../store/Store.js";
import type { HubEvents } from "./HubEvents.js";

/** Appended bytes after which a checkpoint is due (SQLite's own default is 1,000 pages). */
const DUE_BYTES = 4 * 1024 * 1024;
/** Appended bytes after which it runs even while someone types. */
const FORCED_BYTES = 64 * 1024 * 1024;
/**
 * What a commit adds to the log beyond its events: the pages it changes, at least a table's
 * and an index's leaf (SQLite logs whole 4 KiB pages).
 */
const COMMIT_LOG_BYTES = 2 * 4096;
/** A checkpoint this slow is worth a line in the log (a slow disk, a busy machine). */
const SLOW_MS = 200;

export class WalCheckpoints {
  private appended = 0;
  /** Another thread makes the checkpoints (the search index worker runs). */
  private offThread = false;
  /** It was asked for one and has not made it yet. */
  private requested = false;

  constructor(
    private readonly wal: WriteAheadLog | undefined,
    private readonly logger: Logger,
    private readonly bus?: HubEvents,
  ) {
    wal?.checkpointOnlyOnRequest();
    bus?.on("wal-checkpointed", () => {
      this.appended = 0;
      this.requested = false;
      this.offThread = true;
    });
    // From its start: its modules load at low priority, in a flood, for a few hundred ms, in
    // which a fast flood passes `DUE_BYTES`; this thread then stalled tens of milliseconds on a
    // checkpoint the worker was about to make.
    bus?.on("wal-checkpointer", () => {
      this.offThread = true;
    });
    bus?.on("wal-checkpointer-gone", () => {
      this.offThread = false;
      this.requested = false;
    });
  }

  /** `bytes` were just committed; `typing` when someone waits for an echo. */
  committed(bytes: number, typing: boolean): void {
    if (!this.wal) return;
    this.appended += bytes + COMMIT_LOG_BYTES;
    if (this.appended < DUE_BYTES) return;
    if (this.appended < FORCED_BYTES) {
      if (this.offThread) return this.request();
      if (typing) return;
    }
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

  /** Once per checkpoint: the worker takes at most one every half second however often asked. */
  private request(): void {
    if (this.requested) return;
    this.requested = true;
    this.bus?.emit("wal-checkpoint-due");
  }
}
