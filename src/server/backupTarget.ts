/**
 * Where a backup may be written, and why not, said as what to do instead. A backup is renamed
 * over its target once whole, so a wrong target is lost: the data directory's own files (its
 * key, `hub.json`, the log, the host's socket, the files of sessions' processes) are refused by
 * whatever name reaches them (`..`, a symbolic link, a hard link). The database's own files are
 * refused by the store (`writeBackup`), which also keeps any existing file that is not an
 * earlier backup.
 */
import { lstatSync, type Stats, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { type HomePaths, homeFiles } from "../platform/home.js";
import { physicalPath } from "../platform/physicalPath.js";
import { describeBackupFailure, isStorageError } from "../store/storageErrors.js";

/** Files of the data directory beyond `homeFiles`: the hub's lock, the supervisor's pid, the search index. */
const MORE_OWN_FILES = [
  "hub.lock",
  "supervisor.pid",
  "dispatch.db-journal",
  "dispatch-search.db",
  "dispatch-search.db-wal",
  "dispatch-search.db-shm",
  "dispatch-search.db-journal",
];

/** Why the backup's path cannot be written, said as what to fix. */
const PATH_PROBLEMS: Record<string, (file: string) => string> = {
  ENOENT: (file) => `the directory ${dirname(file)} does not exist; create it first or choose another`,
  EACCES: (file) => `the hub's user may not write in ${dirname(file)}; choose a directory it can write to`,
  EISDIR: () => "that is a directory; name a file in it",
  ENOTDIR: (file) => `a part of ${dirname(file)} is a file, not a directory`,
  EROFS: (file) => `${dirname(file)} is on a read-only file system`,
  EEXIST: (file) => `${dirname(file)} is a file, not a directory`,
};

/** Why `file` must not receive a backup of the hub at `paths`, or undefined when it may. */
export function backupTargetProblem(file: string, paths: HomePaths): string | undefined {
  if (!isAbsolute(file)) return `backup file '${file}' is relative; send an absolute path`;
  const real = physicalPath(file);
  if (real === undefined) return undefined; // Its directory is missing: the write says so.
  const own = ownFile(real, paths);
  if (own !== undefined) {
    const via = real === file ? "" : ` (${real})`;
    return `${file}${via} is ${own}; writing a backup there would destroy it — name a file elsewhere (such as ${join(paths.backups, "dispatch-backup.db")})`;
  }
  const stat = statOrUndefined(real);
  if (stat?.isDirectory())
    return `${file} is a directory; name a file in it (such as ${join(file, "dispatch-backup.db")})`;
  if (stat && !stat.isFile()) {
    return `${file} is not a regular file (a socket, pipe or device); name a new file for the backup`;
  }
  return undefined;
}

/** What a failed backup to `file` means for a person, or undefined for an unexpected error. */
export function describeBackupError(err: unknown, file: string): string | undefined {
  if (isStorageError(err)) return describeBackupFailure(err, file);
  const code = (err as NodeJS.ErrnoException).code;
  const why = code ? PATH_PROBLEMS[code] : undefined;
  return why ? `cannot write the backup to ${file}: ${why(file)}` : undefined;
}

/** Which of the data directory's own files `real` is, by path or (existing) by inode. */
function ownFile(real: string, paths: HomePaths): string | undefined {
  const home = physicalPath(paths.home) ?? paths.home;
  const inHome = relative(home, real);
  if (inHome === "run" || inHome.startsWith(`run${sep}`))
    return "in the hub's own run/ directory (files of sessions' processes)";
  const own = [...homeFiles(paths), ...MORE_OWN_FILES.map((name) => join(paths.home, name))];
  const target = statOrUndefined(real);
  for (const path of own) {
    const name = relative(paths.home, path);
    if (inHome === name) return `the hub's own file ${name}`;
    const stat = target && lstatOrUndefined(path);
    if (stat && target && stat.dev === target.dev && stat.ino === target.ino)
      return `the hub's own file ${name}`;
  }
  return undefined;
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
