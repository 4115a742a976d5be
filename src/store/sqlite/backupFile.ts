/**
 * Backup files of a SQLite store: writing one from the live database without ever harming the
 * database or an earlier copy, and checking one before it is restored.
 */
import {
  chmodSync,
  closeSync,
  existsSync,
  openSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import Database from "better-sqlite3";
import { DispatchError } from "../../core/errors.js";
import { databaseFiles } from "./databaseFile.js";
import { searchFilePath } from "./searchFile.js";

/**
 * A consistent copy of `db` (SQLite's online backup API) written to `file`, 0600; its size.
 *
 * The copy is written beside `file` and renamed over it once complete, so a failure (a full
 * disk) leaves no half-written file, and an earlier backup of that name is kept until its
 * replacement is whole. A `file` that is one of the database's own files is refused: opening
 * it for writing would truncate the live database (or its write-ahead log) under the hub. So is
 * an existing file that is not an earlier backup (a person's document, another program's
 * database, another hub's live one): the rename would replace it.
 */
export async function writeBackup(db: Database.Database, file: string): Promise<number> {
  const own = ownFile(db.name, file);
  if (own !== undefined) {
    throw new DispatchError(
      "bad_request",
      `${file} is the hub's own ${own}; writing a backup there would destroy it — name a file elsewhere (such as ${join(dirname(db.name), "backups", "dispatch-backup.db")})`,
    );
  }
  const other = notABackup(file);
  if (other !== undefined) {
    throw new DispatchError(
      "bad_request",
      `${file} exists and ${other}; a backup there would replace it — name a new file, or remove that one first if you mean to replace it`,
    );
  }
  const partial = join(dirname(file), `.${basename(file)}.partial-${process.pid}`);
  try {
    closeSync(openSync(partial, "w", 0o600));
    chmodSync(partial, 0o600);
    await db.backup(partial);
    renameSync(partial, file);
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
  return statSync(file).size;
}

/** Which of the database's own files `file` is (by path or, existing, by inode), if any. */
function ownFile(dbFile: string, file: string): string | undefined {
  const files = [
    ...databaseFiles(dbFile).map((path) => ({ path, what: "database file" })),
    { path: `${dbFile}-journal`, what: "database file" },
    ...databaseFiles(searchFilePath(dbFile)).map((path) => ({ path, what: "search index file" })),
  ];
  const target = canonical(file);
  const targetStat = statOrUndefined(file);
  for (const { path, what } of files) {
    if (canonical(path) === target) return `${what} ${basename(path)}`;
    const stat = targetStat && statOrUndefined(path);
    if (stat && targetStat && stat.dev === targetStat.dev && stat.ino === targetStat.ino) {
      return `${what} ${basename(path)}`;
    }
  }
  return undefined;
}

/** The path with its directory's symlinks resolved (the file itself may not exist yet). */
function canonical(path: string): string {
  try {
    return join(realpathSync(dirname(path)), basename(path));
  } catch {
    return path;
  }
}

function statOrUndefined(path: string): { dev: number; ino: number } | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * What an existing `file` is when it is not an earlier backup (a dispatch database no program
 * has open), or undefined: missing, or a backup that may be replaced.
 */
function notABackup(file: string): string | undefined {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(file);
  } catch {
    return undefined; // Nothing there (or out of reach, which the write itself reports).
  }
  if (!stat.isFile()) return "is not a regular file";
  // A write-ahead log or shared-memory file beside it: a program has it open (or had, and
  // crashed), so it is a live database, not a copy.
  if (existsSync(`${file}-wal`) || existsSync(`${file}-shm`))
    return "is a database in use (it has a -wal or -shm file)";
  if (!startsWithSqliteHeader(file)) return "is not a dispatch backup (not a SQLite database)";
  const tables = withReadOnly(file, (db) =>
    db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all()
      .map((t) => t.name),
  );
  // Unreadable here (its disk full, so no -shm can be made): the write fails there as well,
  // with its own reason, and replaces nothing.
  if (tables === undefined) return undefined;
  if (!tables.includes("sessions") || !tables.includes("events"))
    return "is not a dispatch backup (another database)";
  return undefined;
}

/** SQLite's 16-byte magic, which every database file begins with. */
const SQLITE_HEADER = Buffer.from("SQLite format 3\0", "latin1");

function startsWithSqliteHeader(file: string): boolean {
  const head = Buffer.alloc(SQLITE_HEADER.length);
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(SQLITE_HEADER);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * `read(db)` on `file` opened read-only; undefined when SQLite cannot open it. The -wal and -shm
 * files a read-only look at a WAL database creates are removed after it, so a backup that was
 * looked at stays one file.
 */
function withReadOnly<T>(file: string, read: (db: Database.Database) => T): T | undefined {
  const created = sideFilesMissing(file);
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    return read(db);
  } catch {
    return undefined;
  } finally {
    db?.close();
    for (const side of created) rmSync(side, { force: true });
  }
}

/** The problem with the file, or undefined when it can be restored. */
export function checkBackup(file: string): string | undefined {
  // A read-only look at a WAL database makes a -wal and -shm beside it: not left behind.
  const created = sideFilesMissing(file);
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const rows = db.pragma("quick_check(5)") as Record<string, string>[];
    const result = rows.map((row) => String(Object.values(row)[0]));
    if (result.length !== 1 || result[0] !== "ok") return `it is damaged (${result.join("; ")})`;
    const tables = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all()
      .map((t) => t.name);
    if (!tables.includes("sessions") || !tables.includes("events")) return "it is not a dispatch database";
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    db?.close();
    for (const side of created) rmSync(side, { force: true });
  }
}

/** Which of `file`'s -wal and -shm do not exist (so a look that makes them removes them). */
function sideFilesMissing(file: string): string[] {
  return [`${file}-wal`, `${file}-shm`].filter((side) => !existsSync(side));
}
