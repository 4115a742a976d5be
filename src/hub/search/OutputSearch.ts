/**
 * Search over every session's stored output. Keeps the store's full-text index (`SearchIndex`)
 * right behind the event log: each `stored` batch wakes the index worker (`indexWorker.ts`),
 * which indexes on its own connection and core, so appending and fan-out never wait for
 * tokenizing. A query first has the worker index whatever is still pending, so it sees
 * everything stored. At start the worker indexes what an earlier hub stored but did not index
 * (a kill, an upgrade to migration 3). A store without a file of its own (in memory, or
 * PostgreSQL) is indexed on this thread instead, when a query asks.
 */
import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import { DispatchError } from "../../core/errors.js";
import type { Store } from "../../store/Store.js";
import { searchWords } from "../../store/searchText.js";
import type { HubEvents } from "../HubEvents.js";
import type { SessionDirectory } from "../SessionDirectory.js";
import type { FromIndexWorker, ToIndexWorker } from "./messages.js";

/** Events indexed per slice on this thread (stores without a file only). */
const EVENTS_PER_SLICE = 256;

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
  private readonly worker: Worker | undefined;
  private readonly flushes = new Map<number, () => void>();
  private nextFlush = 1;
  private wakePending = false;

  constructor(private readonly options: OutputSearchOptions) {
    const path = options.store.file;
    if (path !== undefined) {
      this.worker = new Worker(new URL("./indexWorker.js", import.meta.url), { workerData: { path } });
      this.worker.on("message", (message: FromIndexWorker) => this.receive(message));
      this.worker.on("error", (err) => options.logger.error({ err }, "search index worker failed"));
      this.worker.unref();
    }
    options.bus.on("stored", () => this.wake());
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
    const hits = this.options.store.search.search({ words, session, since: query.since, limit: query.limit });
    return hits.map((hit) => ({
      ...hit,
      name: this.options.directory.get(hit.session)?.name ?? hit.session,
    }));
  }

  async dispose(): Promise<void> {
    for (const done of this.flushes.values()) done();
    this.flushes.clear();
    await this.worker?.terminate();
  }

  /** Resolves once everything stored so far is indexed. */
  private flush(): Promise<void> {
    if (!this.worker) {
      while (this.options.store.search.catchUp(EVENTS_PER_SLICE)) {
        // Index everything pending before answering.
      }
      return Promise.resolve();
    }
    const id = this.nextFlush++;
    return new Promise((resolve) => {
      this.flushes.set(id, resolve);
      this.post({ type: "flush", id });
    });
  }

  /** Tells the worker there is new output, at most once per turn of the event loop. */
  private wake(): void {
    if (!this.worker) return;
    if (this.wakePending) return;
    this.wakePending = true;
    setImmediate(() => {
      this.wakePending = false;
      this.post({ type: "index" });
    });
  }

  private post(message: ToIndexWorker): void {
    this.worker?.postMessage(message);
  }

  private receive(message: FromIndexWorker): void {
    if (message.type === "indexed") {
      this.flushes.get(message.id)?.();
      this.flushes.delete(message.id);
      return;
    }
    // The index is derived data: a failed slice is retried with the next batch, intake goes on.
    this.options.logger.warn({ problem: message.message }, "indexing stored output failed");
  }
}
