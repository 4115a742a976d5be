/**
 * Periodic backups while the hub runs: an online copy of the database into `dir` as
 * `dispatch-<time>.db` every `everyMs`, keeping the newest `keep` (older ones are deleted). Off
 * unless `DISPATCH_BACKUP_EVERY` is set. A failed backup (full disk) is logged, shown in the
 * hub's status (`dispatch status`, `dispatch doctor`) until a later one succeeds, and tried again
 * one interval later.
 *
 * "Every 6h" counts from the newest backup in `dir`, not from the hub's start: a hub restarted
 * more often than its interval (an upgrade, a reboot, a crash the supervisor recovers) would
 * otherwise never take one. So a start with none in `dir`, or the newest older than the
 * interval, backs up at once.
 */
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import type { BackupStatus } from "../protocol/api.js";
import type { Store } from "../store/Store.js";
import { describeBackupError } from "./backupTarget.js";

export const DEFAULT_BACKUP_KEEP = 7;
/** Shortest interval accepted: each backup copies the whole database. */
export const MIN_BACKUP_EVERY_MS = 60_000;
const BACKUP_NAME = /^dispatch-[0-9TZ-]+\.db$/;
/** Node's timers hold at most this (about 24.8 days); a longer wait is taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface PeriodicBackupOptions {
  store: Store;
  dir: string;
  everyMs: number;
  keep: number;
  logger: Logger;
}

export class PeriodicBackup {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** When the last backup was tried here (a failed one leaves no file to count from). */
  private triedAt = Number.NEGATIVE_INFINITY;
  /** The last attempt's failure, said for a person; cleared by a success. */
  private failure: BackupStatus["failure"] = null;
  private disposed = false;

  constructor(private readonly options: PeriodicBackupOptions) {
    this.schedule();
  }

  /** Milliseconds until the next backup is due at `now` (0: due now). */
  dueInMs(now = Date.now()): number {
    const last = Math.max(this.newestBackupAt(), this.triedAt);
    return Math.max(0, last + this.options.everyMs - now);
  }

  /** For an operator: where, how often, the newest backup, and the last attempt's failure. */
  status(now = Date.now()): BackupStatus {
    const newest = this.backups().at(-1);
    const at = this.newestBackupAt();
    return {
      dir: this.options.dir,
      everyMs: this.options.everyMs,
      last:
        newest !== undefined && at > Number.NEGATIVE_INFINITY
          ? { at, file: join(this.options.dir, newest) }
          : null,
      failure: this.failure,
      nextAt: now + this.dueInMs(now),
    };
  }

  /** Takes one backup now and prunes the old ones; never throws. */
  async runOnce(now = new Date()): Promise<void> {
    const { store, dir, keep, logger } = this.options;
    this.triedAt = now.getTime();
    const file = join(dir, `dispatch-${now.toISOString().replace(/[:.]/g, "-")}.db`);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      // A failed copy leaves nothing behind (`Store.backupTo`), so it is never restored.
      const bytes = await store.backupTo(file);
      logger.info({ file, bytes }, "periodic backup written");
      this.failure = null;
    } catch (err) {
      const problem =
        describeBackupError(err, file) ??
        `cannot write the backup to ${file}: ${err instanceof Error ? err.message : String(err)}; see hub.log`;
      this.failure = { at: now.getTime(), problem };
      logger.error({ err, file }, "periodic backup failed");
      return;
    }
    const backups = this.backups();
    for (const old of backups.slice(0, Math.max(0, backups.length - keep)))
      rmSync(join(dir, old), { force: true });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.disposed) return;
    const due = this.dueInMs();
    if (due > 0) {
      this.timer = setTimeout(() => this.schedule(), Math.min(due, MAX_TIMER_MS));
      this.timer.unref();
      return;
    }
    this.running = this.runOnce().finally(() => {
      this.running = undefined;
      this.schedule();
    });
  }

  /** Backup file names in `dir`, oldest first (their names sort by time). */
  private backups(): string[] {
    try {
      return readdirSync(this.options.dir)
        .filter((name) => BACKUP_NAME.test(name))
        .sort();
    } catch {
      return []; // No directory yet: no backups.
    }
  }

  private newestBackupAt(): number {
    const newest = this.backups().at(-1);
    if (newest === undefined) return Number.NEGATIVE_INFINITY;
    try {
      return statSync(join(this.options.dir, newest)).mtimeMs;
    } catch {
      return Number.NEGATIVE_INFINITY;
    }
  }
}
