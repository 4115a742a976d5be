/**
 * Periodic backups while the hub runs: every `everyMs`, an online copy of the database into
 * `dir` as `dispatch-<time>.db`, keeping the newest `keep` (older ones are deleted). Off unless
 * `DISPATCH_BACKUP_EVERY` is set. A failed backup (full disk) is logged and tried next time.
 */
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import type { Store } from "../store/Store.js";

export const DEFAULT_BACKUP_KEEP = 7;
const BACKUP_NAME = /^dispatch-[0-9TZ-]+\.db$/;

export interface PeriodicBackupOptions {
  store: Store;
  dir: string;
  everyMs: number;
  keep: number;
  logger: Logger;
}

export class PeriodicBackup {
  private readonly timer: NodeJS.Timeout;
  private running: Promise<void> | undefined;

  constructor(private readonly options: PeriodicBackupOptions) {
    this.timer = setInterval(() => {
      this.running ??= this.runOnce().finally(() => {
        this.running = undefined;
      });
    }, options.everyMs);
    this.timer.unref();
  }

  /** Takes one backup now and prunes the old ones; never throws. */
  async runOnce(now = new Date()): Promise<void> {
    const { store, dir, keep, logger } = this.options;
    const file = join(dir, `dispatch-${now.toISOString().replace(/[:.]/g, "-")}.db`);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const bytes = await store.backupTo(file);
      logger.info({ file, bytes }, "periodic backup written");
    } catch (err) {
      // The next interval tries again; a half-written copy is removed so it is never restored.
      rmSync(file, { force: true });
      logger.error({ err, file }, "periodic backup failed");
      return;
    }
    const backups = readdirSync(dir)
      .filter((name) => BACKUP_NAME.test(name))
      .sort();
    for (const old of backups.slice(0, Math.max(0, backups.length - keep)))
      rmSync(join(dir, old), { force: true });
  }

  async dispose(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
