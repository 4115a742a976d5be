/**
 * The store's own routes while the hub runs: an online backup (`dispatch backup`) and an
 * integrity check (`dispatch doctor`). Both work on the live database through the hub, which
 * holds the only writer.
 *
 *   POST /api/backup {file}          {file, bytes}: consistent copy, file is an absolute path
 *                                    (never one of the hub's own files: see backupTarget.ts)
 *   POST /api/storage/check {full?}  {problems: string[]}: quick_check, or integrity_check
 */
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { z } from "zod";
import { DispatchError } from "../core/errors.js";
import type { HomePaths } from "../platform/home.js";
import { BackupRequest } from "../protocol/api.js";
import type { Store } from "../store/Store.js";
import { isStorageError } from "../store/storageErrors.js";
import type { Gate } from "./authorize.js";
import { backupTargetProblem, describeBackupError } from "./backupTarget.js";
import { actorOf } from "./requestActor.js";

const CheckRequest = z.object({ full: z.boolean().default(false) });

export function registerStorageRoutes(
  app: FastifyInstance,
  options: { store: Store; logger: Logger; gate: Gate; paths: HomePaths },
): void {
  app.post("/api/backup", async (request) => {
    options.gate.hub(actorOf(request), "storage");
    const { file } = BackupRequest.parse(request.body ?? {});
    const refused = backupTargetProblem(file, options.paths);
    if (refused !== undefined) throw new DispatchError("bad_request", refused);
    try {
      const bytes = await options.store.backupTo(file);
      options.logger.info({ file, bytes }, "backup written");
      return { file, bytes };
    } catch (err) {
      // A failed backup is about the backup's disk: the hub's storage goes on as before.
      const why = describeBackupError(err, file);
      if (why === undefined) throw err;
      throw new DispatchError(isStorageError(err) ? "storage_failing" : "bad_request", why);
    }
  });

  app.post("/api/storage/check", async (request) => {
    options.gate.hub(actorOf(request), "storage");
    const { full } = CheckRequest.parse(request.body ?? {});
    return { problems: options.store.check({ full }) };
  });
}
