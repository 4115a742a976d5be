/**
 * Search over every session's stored output. Keeps the store's full-text index (`SearchIndex`)
 * right behind the event log without standing in the way of appending and fan-out:
 *
 * - A little new output (prompts, typing, a few lines) is indexed here on the hub's thread, a
 *   small slice a moment after it was stored: a worker thread is a second V8 heap (about
 *   15 MB resident), too much to keep for idle sessions.
 * - More than a few kilobytes stored since the last slice (a flood, a build log) goes to the
 *   index worker at once: splitting a 64 KiB event of `yes` into lines is tens of milliseconds,
 *   which this thread owes to the next keystroke's echo.
 * - When several slices in a row still find more pending (a backlog an earlier hub left after
 *   a kill or an upgrade to migration 3), the index worker (`indexWorker.ts`) starts
 *   and indexes on its own connection and core; it is stopped again once it has had nothing
 *   to do for a while. One slice is not enough to tell: ten sessions created at once each
 *   have an event or two pending, more than a slice takes, and starting the worker for them
 *   left ~13 MB resident for its idle time (docs/BENCHMARKS.md, "Memory: idle hub and host").
 *
 * A query first has everything still pending indexed, so it sees everything stored. A store
 * without a file of its own (in memory, or PostgreSQL) is always indexed on this thread.
 */
import type { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import { DispatchError } from "../../core/errors.js";
import { startBackgroundWorker } from "../../platform/backgroundWorker.js";
import { isOutputEvent } from "../../protocol/events.js";
import type { Store } from "../../store/Store.js";
import { searchWords } from "../../store/searchText.js";
import type { HubEvents } from "../HubEvents.js";
import type { SessionDirectory } from "../SessionDirectory.js";
import type { FromIndexWorker, ToIndexWorker } from "./messages.js";

/**
 * Events indexed per slice on this thread: a slice is one transaction of at most a few small
 * events, so it costs a fraction of a millisecond next to live output.
 */
const EVENTS_PER_SLICE = 4;
/**
 * Slices run back to back on this thread (each its own turn, live output goes between them)
 * before more pending means a flood and the worker takes over: 32 events, a few sessions'
 * start-up or a burst of typing, is indexed here.
 */
const SLICES_BEFORE_WORKER = 8;
/**
 * Output stored since the last slice here, beyond which the worker indexes it: a screenful of
 * a shell's output or a burst of typing stays on this thread, a flood never runs here.
 */
const HERE_MAX_BYTES = 16 * 1024;
/** New output is indexed this long after it was stored, so a burst is indexed in one slice. */
const SLICE_DELAY_MS = 100;
/**
 * The worker is told of new output at most this often: it indexes whatever is pending once
 * woken, and each message wakes its thread (a flood stores hundreds of batches a second, and
 * each wake cost the hub's thread ~0.4 ms on a VM). Its streaming test looks 300 ms back.
 */
const WORKER_WAKE_EVERY_MS = 100;
/** The worker is stopped after this long with nothing to index. */
const WORKER_IDLE_MS = 10_000;

export interface OutputSearchOptions {
  store: Store;
  directory: SessionDirectory;
  bus: HubEvents;
  logger: Logger;
}

export interface SearchQuery {
  pattern: string;
  /** Session name or id. */
  session?: string | undefined;
  /** Only lines stored at or after this time (ms since the epoch). */
  since?: number | undefined;
  /** Only sessions (by id) this accepts, before the limit counts: those the asker may watch. */
  visible?: ((session: string) => boolean) | undefined;
  limit: number;
}

export interface SearchResult {
  session: string;
  name: string;
  seq: number;
  ts: number;
  line: string;
}

export class OutputSearch {
  private worker: Worker | undefined;
  /** The worker being terminated; this thread indexes again once it is gone. */
  private stopping: Promise<unknown> | undefined;
  private readonly canUseWorker: boolean;
  private readonly flushes = new Map<number, () => void>();
  private nextFlush = 1;
  /** Messages posted to the current worker, to tell its last `idle` from an earlier one. */
  private posted = 0;
  private wakePending = false;
  /** When the worker was last told of new output. */
  private wokeAt = 0;
  /** Output bytes stored since this thread's last slice found nothing more (while no worker runs). */
  private unindexedBytes = 0;
  private sliceTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(private readonly options: OutputSearchOptions) {
    this.canUseWorker = options.store.file !== undefined;
    options.bus.on("stored", (_session, entries) => {
      // Counted only while this thread indexes: a running worker takes everything pending.
      if (!this.worker)
        for (const { event } of entries)
          if (isOutputEvent(event)) this.unindexedBytes += event.data.byteLength;
      this.wake();
    });
    // A removed session's index rows are deleted by the slices (`SearchIndex.catchUp`).
    options.bus.on("removed", () => this.wake());
    // Not through `post`: a checkpoint is no work to index, and must not hold off the idle stop.
    options.bus.on("wal-checkpoint-due", () => {
      if (!this.disposed) this.worker?.postMessage({ type: "checkpoint" } satisfies ToIndexWorker);
    });
    // What an earlier hub stored but did not index: looked at once start-up is over.
    this.scheduleSlice();
  }

  /** Whether the index worker thread runs now. */
  get workerRunning(): boolean {
    return this.worker !== undefined;
  }

  /** The newest `limit` lines matching every word of the pattern, oldest first. */
  async query(query: SearchQuery): Promise<SearchResult[]> {
    const words = searchWords(query.pattern);
    if (words.length === 0) {
      throw new DispatchError(
        "bad_request",
        `nothing to search for in '${query.pattern}': give a word (letters or digits)`,
      );
    }
    const session =
      query.session === undefined ? undefined : this.options.directory.resolve(query.session).id;
    await this.flush();
    const hits = this.options.store.search.search({
      words,
      session,
      since: query.since,
      visible: query.visible,
      limit: query.limit,
    });
    return hits.map((hit) => ({
      ...hit,
      name: this.options.directory.get(hit.session)?.name ?? hit.session,
    }));
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.sliceTimer) clearTimeout(this.sliceTimer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    for (const done of this.flushes.values()) done();
    this.flushes.clear();
    await this.worker?.terminate();
    await this.stopping;
  }

  /** Resolves once everything stored so far is indexed. */
  private async flush(): Promise<void> {
    await this.stopping;
    if (!this.worker) {
      if (!this.indexSliceHere()) return;
      if (!this.canUseWorker) {
        while (this.indexSliceHere()) {
          // Index everything pending before answering.
        }
        return;
      }
    }
    const id = this.nextFlush++;
    return new Promise((resolve) => {
      this.flushes.set(id, resolve);
      this.post({ type: "flush", id });
    });
  }

  /** More output waits than this thread indexes: the worker's job. */
  private get flooded(): boolean {
    return this.canUseWorker && this.unindexedBytes > HERE_MAX_BYTES;
  }

  /**
   * New output was stored: the worker is told at most every `WORKER_WAKE_EVERY_MS`, or a slice
   * is due here.
   */
  private wake(): void {
    if (!this.worker && !this.flooded) {
      this.scheduleSlice();
      return;
    }
    if (this.wakePending) return;
    this.wakePending = true;
    const tell = () => {
      this.wakePending = false;
      if (this.disposed) return;
      // A worker being stopped: slices here wait for it to be gone, then hand over again.
      if (!this.worker && (!this.flooded || this.stopping)) return this.scheduleSlice();
      this.wokeAt = Date.now();
      this.post({ type: "index" });
    };
    const wait = this.wokeAt + WORKER_WAKE_EVERY_MS - Date.now();
    if (wait > 0) setTimeout(tell, wait).unref();
    else setImmediate(tell);
  }

  private scheduleSlice(): void {
    if (this.sliceTimer || this.disposed) return;
    this.sliceTimer = setTimeout(() => {
      this.sliceTimer = undefined;
      if (this.worker) return;
      if (this.stopping) {
        void this.stopping.then(() => this.scheduleSlice());
        return;
      }
      this.sliceRun(1);
    }, SLICE_DELAY_MS);
    this.sliceTimer.unref();
  }

  /** The `count`th slice in a row here; the worker takes over after a few that left more. */
  private sliceRun(count: number): void {
    if (this.worker || this.disposed) return;
    if (!this.indexSliceHere()) {
      this.unindexedBytes = 0;
      return;
    }
    if (!this.canUseWorker) this.scheduleSlice();
    else if (count >= SLICES_BEFORE_WORKER) this.post({ type: "index" });
    else setImmediate(() => this.sliceRun(count + 1));
  }

  /** One slice on this thread; whether more is pending. */
  private indexSliceHere(): boolean {
    try {
      return this.options.store.search.catchUp(EVENTS_PER_SLICE);
    } catch (err) {
      // The index is derived data: a failed slice is retried with the next output.
      this.options.logger.warn({ err }, "indexing stored output failed");
      return false;
    }
  }

  /** Posts to the worker, starting it if it is not running. */
  private post(message: ToIndexWorker): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (!this.worker) {
      const worker = startBackgroundWorker(new URL("./indexWorker.js", import.meta.url), {
        workerData: { path: this.options.store.file },
      });
      worker.on("message", (reply: FromIndexWorker) => this.receive(reply));
      worker.on("error", (err) => this.options.logger.error({ err }, "search index worker failed"));
      worker.unref();
      this.worker = worker;
      this.posted = 0;
      this.unindexedBytes = 0;
      this.options.bus.emit("wal-checkpointer");
    }
    this.posted++;
    this.worker.postMessage(message);
  }

  private receive(message: FromIndexWorker): void {
    if (message.type === "indexed") {
      this.flushes.get(message.id)?.();
      this.flushes.delete(message.id);
      return;
    }
    if (message.type === "checkpointed") {
      this.options.bus.emit("wal-checkpointed");
      return;
    }
    if (message.type === "idle") {
      if (message.received !== this.posted || this.disposed) return;
      if (this.idleTimer) clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(() => this.stopWorker(), WORKER_IDLE_MS);
      this.idleTimer.unref();
      return;
    }
    // The index is derived data: a failed slice is retried with the next batch, intake goes on.
    this.options.logger.warn({ problem: message.message }, "indexing stored output failed");
  }

  /** Ends an idle worker (nothing posted since its last `idle`, so it is between slices). */
  private stopWorker(): void {
    const worker = this.worker;
    this.idleTimer = undefined;
    if (!worker || this.flushes.size > 0) return;
    this.worker = undefined;
    this.options.bus.emit("wal-checkpointer-gone");
    const stopping = worker.terminate().then(
      () => undefined,
      () => undefined,
    );
    this.stopping = stopping;
    void stopping.then(() => {
      if (this.stopping === stopping) this.stopping = undefined;
    });
  }
}
