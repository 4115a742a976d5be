/**
 * The files by which the CLI finds the running hub (it reads them in `cli/hubFiles.ts`): the
 * hub's info (pid, port, URL) and its pid. Written as the hub starts listening, removed as it
 * stops, but only while they are still this hub's: a later hub's stay.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import type { HomePaths } from "../platform/home.js";

export interface HubFiles {
  /** Removes the files this hub wrote, leaving any another hub has written since. */
  remove(): void;
}

export function writeHubFiles(
  paths: Pick<HomePaths, "hubInfo" | "hubPid">,
  listening: { port: number; host: string; url: string },
): HubFiles {
  const pid = String(process.pid);
  // Written aside and renamed: `dispatch start` watches for it and reads it at once. Overwritten
  // without a look: `dispatch serve` holds the data directory's lock, so any earlier files are a
  // dead hub's.
  const hubInfo = JSON.stringify({ pid: process.pid, ...listening, startedAt: Date.now() });
  writeFileSync(`${paths.hubInfo}.tmp`, hubInfo, { mode: 0o600 });
  renameSync(`${paths.hubInfo}.tmp`, paths.hubInfo);
  writeFileSync(paths.hubPid, pid, { mode: 0o600 });
  return {
    remove() {
      removeIfUnchanged(paths.hubInfo, hubInfo);
      removeIfUnchanged(paths.hubPid, pid);
    },
  };
}

/** Removes `file` if it still holds `content`: another hub's file (a later one) stays. */
function removeIfUnchanged(file: string, content: string): void {
  try {
    if (readFileSync(file, "utf8") !== content) return;
  } catch {
    // Already gone.
    return;
  }
  rmSync(file, { force: true });
}
