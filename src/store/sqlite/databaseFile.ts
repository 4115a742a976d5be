/** What the database files on disk need, whichever of them it is (the log, the search index). */
import { chmodSync, closeSync, existsSync, openSync } from "node:fs";
import Database from "better-sqlite3";

const SUFFIXES = ["", "-wal", "-shm"];

/** Whether an SQLite error means the file is not a sound database (as opposed to a full disk). */
export function isDamage(err: unknown): boolean {
  return (
    err instanceof Database.SqliteError &&
    (err.code.startsWith("SQLITE_CORRUPT") || err.code === "SQLITE_NOTADB")
  );
}

/**
 * Creates the database file `path` if needed, readable by its owner only, before SQLite opens
 * it: it never exists with wider permissions, even briefly, and SQLite gives the -wal and -shm
 * files the file's mode. Files an older run left (maybe wider) are narrowed too.
 */
export function createPrivately(path: string): void {
  closeSync(openSync(path, "a", 0o600));
  for (const suffix of SUFFIXES) if (existsSync(path + suffix)) chmodSync(path + suffix, 0o600);
}

/** The file and its -wal and -shm companions. */
export function databaseFiles(path: string): string[] {
  return SUFFIXES.map((suffix) => path + suffix);
}
