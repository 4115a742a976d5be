/**
 * `dispatch backup FILE`: a consistent copy of the database, taken by the running hub (SQLite's
 * online backup API: sessions keep streaming meanwhile).
 * `dispatch restore FILE`: puts a backup back in place while the hub is stopped; the database
 * it replaces is kept next to it.
 */
import { copyFileSync, existsSync, renameSync } from "node:fs";
import type { Command } from "commander";
import { z } from "zod";
import { DispatchError } from "../../core/errors.js";
import { dataHome, homePaths } from "../../platform/home.js";
import { HubClient } from "../HubClient.js";
import { runningHubPid } from "../hubFiles.js";
import { localPath } from "../localPath.js";

export function registerBackup(program: Command): void {
  program
    .command("backup <file>")
    .description("write a consistent copy of the database to FILE while the hub runs")
    .action(async (file: string) => {
      // The hub writes it: the path as the file system takes it here (the hub's machine).
      const target = localPath(file);
      const body = await HubClient.locate().call("POST", "/api/backup", { file: target });
      const { bytes } = z.object({ file: z.string(), bytes: z.number() }).parse(body);
      console.log(`backup written to ${target} (${bytes} bytes)`);
    });

  program
    .command("restore <file>")
    .description("replace the database with a backup (stop the hub first; sessions keep running)")
    .action(async (file: string) => {
      const source = localPath(file);
      const paths = homePaths(dataHome());
      if (runningHubPid(paths) !== undefined) {
        throw new DispatchError(
          "conflict",
          "the hub is running; stop it first with `dispatch stop` (sessions keep running), then restore",
        );
      }
      if (!existsSync(source)) throw new DispatchError("not_found", `no backup file ${source}`);
      const { checkBackup } = await import("../../store/sqlite/backupFile.js");
      const problem = checkBackup(source);
      if (problem) throw new DispatchError("bad_request", `${source} is not a usable backup: ${problem}`);
      const stamp = new Date().toISOString().replace(/[:.]/g, "-");
      const kept = `${paths.db}.before-restore-${stamp}`;
      for (const suffix of ["", "-wal", "-shm"]) {
        if (existsSync(paths.db + suffix)) renameSync(paths.db + suffix, kept + suffix);
      }
      copyFileSync(source, paths.db);
      // The search index follows the log it was built from: rebuilt from the restored one.
      const { removeSearchFile } = await import("../../store/sqlite/searchFile.js");
      removeSearchFile(paths.db);
      console.log(`restored ${source}`);
      if (existsSync(kept)) console.log(`the database it replaced is kept as ${kept}`);
      console.log("start the hub with `dispatch start`; hosts resend what they still hold");
    });
}
