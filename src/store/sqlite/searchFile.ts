/**
 * The search index lives in a file of its own beside the database (`dispatch.db` →
 * `dispatch-search.db`), attached to every connection as `search`.
 *
 * Why a second file: SQLite has one write lock per database file. With the index inside the
 * event log's file, each slice the index worker wrote (FTS5 work on up to a MiB of text) held
 * the lock the hub's appends need, and an append that found it taken slept in SQLite's busy
 * handler for as long, with the hub's event loop stopped: that is where a keystroke's echo
 * waited behind a flood (hundreds of ms under load, measured by timing both sides). Now the two
 * never wait for each other; the worker only reads the events, and readers never block in WAL.
 *
 * The index is derived from the events, so it is never backed up, copied by recovery or
 * trusted when it disagrees with the log: a damaged file is replaced by an empty one, and a
 * session the index is ahead of (a restored backup, a recovered log) is indexed again.
 */
import { rmSync } from "node:fs";
import type { Database } from "better-sqlite3";
import { createPrivately, databaseFiles, isDamage } from "./databaseFile.js";
import { createSearchFileSchema, dropSearchTables, SEARCH_FILE_VERSION } from "./searchSchema.js";

/** The index file of the database at `path`. */
export function searchFilePath(path: string): string {
  return `${path.replace(/\.db$/, "")}-search.db`;
}

/** Deletes the index of the database at `path` (it is rebuilt from the events on the next open). */
export function removeSearchFile(path: string): void {
  for (const file of databaseFiles(searchFilePath(path))) rmSync(file, { force: true });
}

/**
 * Attaches the index of the database at `path` (undefined: a database in memory, whose index
 * is in memory too) as `search`, creating or replacing it as needed.
 */
export function attachSearchIndex(db: Database, path: string | undefined): void {
  try {
    attach(db, path);
  } catch (err) {
    if (path === undefined || !isDamage(err)) throw err;
    // Not a sound database: start the index afresh, it is rebuilt from the events.
    detach(db);
    removeSearchFile(path);
    attach(db, path);
  }
  forgetWhatTheLogLacks(db);
}

function attach(db: Database, path: string | undefined): void {
  const file = path === undefined ? ":memory:" : searchFilePath(path);
  if (path !== undefined) createPrivately(file);
  db.prepare("ATTACH DATABASE ? AS search").run(file);
  if (path !== undefined) {
    db.pragma("search.journal_mode = WAL");
    db.pragma("search.synchronous = NORMAL");
  }
  createOrRebuild(db);
}

/**
 * Creates the index's tables in a new file, or empties a file of another layout (an upgrade:
 * another tokenizer, other tables): its cursors go with its rows, so every session is indexed
 * again from its events, by the index worker as any backlog. The events are not touched.
 */
function createOrRebuild(db: Database): void {
  const current = () => db.pragma("search.user_version", { simple: true }) === SEARCH_FILE_VERSION;
  if (current()) return;
  db.transaction(() => {
    // Another connection (the index worker's) may have done it meanwhile.
    if (current()) return;
    dropSearchTables(db, "search");
    createSearchFileSchema(db);
  }).immediate();
}

function detach(db: Database): void {
  const attached = db.pragma("database_list") as { name: string }[];
  if (attached.some((entry) => entry.name === "search")) db.exec("DETACH DATABASE search");
}

/**
 * Sessions the index is ahead of, or that the log no longer has (a backup put back, a recovery
 * that dropped events): their rows go, and they are indexed again from the start. One row per
 * session to compare, so this costs nothing on a consistent pair.
 */
function forgetWhatTheLogLacks(db: Database): void {
  const stale = db
    .prepare<[], { session_id: string }>(
      "SELECT c.session_id FROM search.search_cursor c LEFT JOIN main.sessions s ON s.id = c.session_id " +
        "WHERE s.id IS NULL OR c.seq > s.last_seq",
    )
    .all();
  if (stale.length === 0) return;
  const lines = db.prepare("DELETE FROM search.search_lines WHERE session_id = ?");
  const cursor = db.prepare("DELETE FROM search.search_cursor WHERE session_id = ?");
  db.transaction(() => {
    for (const { session_id } of stale) {
      lines.run(session_id);
      cursor.run(session_id);
    }
  })();
}
