/** Whether an SQLite error means the file is not a sound database (as opposed to a full disk). */
import Database from "better-sqlite3";

export function isDamage(err: unknown): boolean {
  return (
    err instanceof Database.SqliteError &&
    (err.code.startsWith("SQLITE_CORRUPT") || err.code === "SQLITE_NOTADB")
  );
}
