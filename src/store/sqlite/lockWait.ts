/**
 * How long a write on the hub's connection waits for another program's lock on the database
 * (a `sqlite3` shell left in a transaction, a backup tool). better-sqlite3 is synchronous, so
 * the wait is spent on the hub's event loop: no client, heartbeat or `dispatch ls` is served
 * meanwhile. The usual wait rides out a short transaction of someone else's; once a write has
 * failed for the lock anyway, storage is failing and the hub's retry loop paces the next
 * attempts, so writes stop waiting until one gets through.
 */
import type Database from "better-sqlite3";
import { isLockContention } from "../storageErrors.js";

/** The wait for a lock while writes go through. */
export const BUSY_TIMEOUT_MS = 5_000;
/**
 * The wait once a write has failed for the lock: a few ms ride out the hub's own search
 * worker's brief transactions without costing the event loop anything a person would notice.
 */
export const CONTENDED_BUSY_TIMEOUT_MS = 10;

export class LockWait {
  private contended = false;
  private readonly totalChanges: Database.Statement<[], { n: number }>;

  constructor(private readonly db: Database.Database) {
    this.totalChanges = db.prepare<[], { n: number }>("SELECT total_changes() AS n");
  }

  /**
   * Runs a write. A failure for the lock shortens the wait for the next ones; the first write
   * that changes a row after that restores it (one that changed nothing, a batch of replayed
   * events, proves nothing: it took no lock).
   */
  write<T>(run: () => T): T {
    if (!this.contended) return this.watch(run);
    const before = this.changes();
    const result = this.watch(run);
    if (this.changes() !== before) {
      this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      this.contended = false;
    }
    return result;
  }

  private watch<T>(run: () => T): T {
    try {
      return run();
    } catch (err) {
      if (!this.contended && isLockContention(err)) {
        this.db.pragma(`busy_timeout = ${CONTENDED_BUSY_TIMEOUT_MS}`);
        this.contended = true;
      }
      throw err;
    }
  }

  private changes(): number {
    return this.totalChanges.get()?.n ?? 0;
  }
}
