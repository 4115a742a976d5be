/**
 * The store's own routes while the hub runs: an online backup (`dispatch backup`) and an
 * integrity check (`dispatch doctor`). Both work on the live database through the hub, which
 * holds the only writer.
 *
 *   POST /api/backup {file}          {file, bytes}: consistent copy, file is an absolute path
 *   POST /api/storage/check {full?}  {problems: string[]}: quick_check, or integrity_check
 */
import { dirname, isAbsolute } from "node:path";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { z } from "zod";
import { DispatchError } from "../core/errors.js";
import { BackupRequest } from "../protocol/api.js";
import type { Store } from "../store/Store.js";
import { describeBackupFailure, isStorageError } from "../store/storageErrors.js";
import type { Gate } from "./authorize.js";
import { actorOf } from "./requestActor.js";

/** Why the backup's path cannot be written, said as what to fix. */
const BACKUP_PATH_PROBLEMS: Record<string, (file: string) => string> = {
  ENOENT: (file) => `the directory ${dirname(file)} does not exist; create it first or choose another`,
  EACCES: (file) => `the hub's user may not write in ${dirname(file)}; choose a directory it can write to`,
  EISDIR: () => "that is a directory; name a file in it",
  ENOTDIR: (file) => `a part of ${dirname(file)} is a file, not a directory`,
  EROFS: (file) => `${dirname(file)} is on a read-only file system`,
};

const CheckRequest = z.object({ full: z.boolean().default(false) });

export function registerStorageRoutes(
  app: FastifyInstance,
  options: { store: Store; logger: Logger; gate: Gate },
): void {
  app.post("/api/backup", async (request) => {
    options.gate.hub(actorOf(request), "storage");
    const { file } = BackupRequest.parse(request.body ?? {});
    if (!isAbsolute(file)) {
      throw new DispatchError("bad_request", `backup file '${file}' is relative; send an absolute path`);
    }
    try {
      const bytes = await options.store.backupTo(file);
      options.logger.info({ file, bytes }, "backup written");
      return { file, bytes };
    } catch (err) {
      // A failed backup is about the backup's disk: the hub's storage goes on as before.
      if (isStorageError(err)) throw new DispatchError("storage_failing", describeBackupFailure(err, file));
      const code = (err as NodeJS.ErrnoException).code;
      const why = code ? BACKUP_PATH_PROBLEMS[code] : undefined;
      if (why) throw new DispatchError("bad_request", `cannot write the backup to ${file}: ${why(file)}`);
      throw err;
    }
  });

  app.post("/api/storage/check", async (request) => {
    options.gate.hub(actorOf(request), "storage");
    const { full } = CheckRequest.parse(request.body ?? {});
    return { problems: options.store.check({ full }) };
  });
}
