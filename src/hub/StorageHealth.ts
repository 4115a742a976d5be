/**
 * Whether the store can be written, for everyone who needs to know: clients (a pushed
 * `storage` notice), `dispatch status`, and the intake (which stops acknowledging to hosts
 * while it fails). A full disk or an I/O error is weather: it is reported, retried, and
 * cleared by the first write that succeeds again; it never takes the hub down.
 */
import type { Logger } from "pino";
import type { StorageStatus } from "../protocol/api.js";
import { describeStorageError } from "../store/storageErrors.js";

export class StorageHealth {
  private current: StorageStatus = { ok: true, problem: null, since: null };
  private readonly listeners = new Set<(status: StorageStatus) => void>();

  constructor(
    private readonly logger: Logger,
    /** The store's connection being opened again (`Store.reconnecting`), which no write may have met. */
    private readonly reconnecting: () => { problem: string; since: number } | undefined = () => undefined,
  ) {}

  get status(): StorageStatus {
    return this.current;
  }

  /**
   * What `dispatch status` shows: the writes' status; while they succeed (an idle hub's have met
   * nothing) but the store's connection is being opened again, that, with its reason. A write
   * that failed says more (what could not be stored), so it is shown first.
   */
  get reported(): StorageStatus {
    if (!this.current.ok) return this.current;
    const reconnecting = this.reconnecting();
    return reconnecting
      ? { ok: false, problem: reconnecting.problem, since: reconnecting.since }
      : this.current;
  }

  get ok(): boolean {
    return this.current.ok;
  }

  /** A write failed with a storage error; `where` says which (for the log). */
  failed(err: unknown, where: string): void {
    const problem = describeStorageError(err);
    if (!this.current.ok && this.current.problem === problem) return;
    this.logger.error({ err, where }, "storage failing; holding acknowledgements until writes succeed");
    this.set({ ok: false, problem, since: this.current.since ?? Date.now() });
  }

  /** A write succeeded. */
  succeeded(): void {
    if (this.current.ok) return;
    const failedForMs = Date.now() - (this.current.since ?? Date.now());
    this.logger.warn({ failedForMs }, "storage writes succeed again; resuming");
    this.set({ ok: true, problem: null, since: null });
  }

  listen(listener: (status: StorageStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(status: StorageStatus): void {
    this.current = status;
    for (const listener of this.listeners) listener(status);
  }
}
