/**
 * Which failures are the storage's weather (a full disk, an I/O error) rather than a bug, and
 * how to say so to a person. The hub keeps running through these and retries; anything else
 * thrown by the store is a bug and handled as one.
 */
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { DispatchError } from "../core/errors.js";
import { isPostgresStorageCode, PostgresError } from "./postgres/PostgresError.js";

/**
 * SQLite result codes (primary, before the first `_` after the prefix) that mean "the disk", or
 * another program holding the file's lock past the busy timeout (a `sqlite3` shell left in a
 * transaction, a backup tool): both pass, and neither is a bug of the hub's to crash on.
 */
const SQLITE_STORAGE_CODES = new Set([
  "SQLITE_FULL",
  "SQLITE_IOERR",
  "SQLITE_CANTOPEN",
  "SQLITE_READONLY",
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
]);
/** System error codes of the same family (logs, backups, files next to the database). */
const ERRNO_STORAGE_CODES = new Set(["ENOSPC", "EIO", "EDQUOT", "EROFS"]);

/** Another program holds the SQLite file's lock (the connection waited out its busy timeout). */
function isLockCode(code: string): boolean {
  return code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED");
}

function isFullCode(code: string): boolean {
  return code === "SQLITE_FULL" || code === "ENOSPC" || code === "EDQUOT";
}

/** Whether a SQLite write failed because another connection holds the lock. */
export function isLockContention(err: unknown): boolean {
  return err instanceof Database.SqliteError && isLockCode(err.code);
}

function codeOf(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

export function isStorageError(err: unknown): boolean {
  const code = codeOf(err);
  if (code === undefined) return false;
  if (err instanceof PostgresError) return isPostgresStorageCode(code);
  if (err instanceof Database.SqliteError) {
    const primary = code.split("_").slice(0, 2).join("_");
    return SQLITE_STORAGE_CODES.has(primary);
  }
  return ERRNO_STORAGE_CODES.has(code);
}

/** One line for `dispatch status` and clients: what failed, and what to do. */
export function describeStorageError(err: unknown): string {
  const code = codeOf(err) ?? "unknown";
  const detail = err instanceof Error ? err.message : String(err);
  if (err instanceof PostgresError) {
    if (code === "53100") {
      return `the PostgreSQL server's disk is full (${code}: ${detail}); free space on the database server — the hub retries by itself and hosts keep buffering meanwhile`;
    }
    // Said of reads too (a listing, a search, a sign-in), so not "cannot be written" unless it is.
    if (code === "25006") {
      return `the PostgreSQL server refuses writes (${code}: ${detail}): it is a read-only standby — point the hub at the primary; it retries by itself meanwhile`;
    }
    return `the PostgreSQL store is unavailable (${code}: ${detail}); the hub retries by itself — check that the database server is up and reachable`;
  }
  if (isFullCode(code)) {
    return `the disk holding the data directory is full (${code}: ${detail}); free some space — the hub retries by itself and hosts keep buffering meanwhile`;
  }
  if (isLockCode(code)) {
    return `another program holds the database's lock (${code}: ${detail}); end it or let it finish (a \`sqlite3\` shell in a transaction, a backup tool) — the hub retries by itself and hosts keep buffering meanwhile`;
  }
  if (code.startsWith("SQLITE_READONLY") || code === "EROFS") {
    return `the database cannot be written (${code}: ${detail}); check the file system and the file's permissions`;
  }
  return `writing the database failed (${code}: ${detail}); the hub retries by itself — run \`dispatch doctor\` if it persists`;
}

/**
 * A storage failure met while answering a request (a read on a PostgreSQL server that went
 * away, a write on a full disk), as the error the person sees: retryable, saying what failed
 * and what to do, rather than an internal error carrying libpq's or SQLite's words alone.
 */
export function storageFailure(err: unknown): DispatchError | undefined {
  if (err instanceof DispatchError || !isStorageError(err)) return undefined;
  return new DispatchError("storage_failing", describeStorageError(err), { cause: err });
}

/**
 * Why a backup could not be written to `file`, for the person who asked for it. The backup's
 * own disk, not the data directory's: the hub's storage is fine, and nothing retries a backup.
 * Nothing was left at `file` (see `writeBackup`).
 */
export function describeBackupFailure(err: unknown, file: string): string {
  const code = codeOf(err) ?? "unknown";
  const detail = err instanceof Error ? err.message : String(err);
  const what = `cannot write the backup to ${file} (${code}: ${detail})`;
  if (isFullCode(code)) {
    return `${what}: the disk holding ${dirname(file)} is full; free space there or back up to another disk, then run it again (nothing was written; the hub's own storage is unaffected)`;
  }
  return `${what}; check that disk, or back up to another one (nothing was written)`;
}

/**
 * Why the hub cannot open its database at start, and what to do, for a person reading the
 * error `dispatch start` prints: unlike a failure while running, nothing retries it.
 */
export function describeOpenFailure(err: unknown, file: string): string {
  const code = codeOf(err) ?? "unknown";
  const detail = err instanceof Error ? err.message : String(err);
  const what = `cannot open the database ${file} (${code}: ${detail})`;
  if (isLockCode(code)) {
    return `${what}: another program holds its lock; end it (a \`sqlite3\` shell in a transaction, a backup tool) and start the hub again`;
  }
  if (isFullCode(code)) {
    return `${what}: the disk holding the data directory is full; free some space and start the hub again`;
  }
  if (code.startsWith("SQLITE_READONLY") || code.startsWith("SQLITE_CANTOPEN") || code === "EROFS") {
    return `${what}: it cannot be written; mount the data directory's file system read-write (or point DISPATCH_HOME at a writable directory) and start the hub again`;
  }
  return `${what}; run \`dispatch doctor\` for what to do`;
}

/**
 * Test-only fault injection, off unless `DISPATCH_TEST_FAULT_FILE` is set: while that file
 * exists, every event append and audit row fails as a full disk would. Lets a test break and
 * heal the store of a real hub process from outside, where mounting a small file system is not
 * allowed.
 */
export function injectedFault(env: NodeJS.ProcessEnv = process.env): (() => void) | undefined {
  const file = env.DISPATCH_TEST_FAULT_FILE;
  if (!file) return undefined;
  return () => {
    if (existsSync(file)) {
      throw new Database.SqliteError(
        "database or disk is full (injected by DISPATCH_TEST_FAULT_FILE)",
        "SQLITE_FULL",
      );
    }
  };
}
