/**
 * How every connection to a SQLite store is set up: the hub's (`SqliteStore`) and the search
 * index worker's (`searchConnection`), which must agree on the journal, the caches and the
 * wait for a lock.
 */
import Database from "better-sqlite3";
import { BUSY_TIMEOUT_MS } from "./lockWait.js";
import { attachSearchIndex } from "./searchFile.js";

/**
 * Page cache of each database file on a connection (the log, the attached search file), in KiB
 * when negative: SQLite's own default. better-sqlite3 builds SQLite with 16 MB, and a flood
 * filled it and it stayed, in the hub's connection and the search worker's: 64 MiB of `cat`
 * left the idle hub at 146-153 MB, and 119 MB with this. Appends and a replay's reads touch few
 * pages at a time; the rest come from the OS's cache. A query over many lines rereads more
 * pages: "a word in every line, limit 100" takes 9-11 ms instead of 5-6 (docs/BENCHMARKS.md,
 * "A flood's dead Buffers").
 */
const PAGE_CACHE_SIZE = -2000;

/**
 * Bytes a write-ahead log is cut back to once checkpointed. SQLite reuses a WAL from its start
 * but never shrinks the file: one flood (the hub lets the log reach 64 MiB while someone types,
 * `WalCheckpoints`) or one `dispatch gc` of a long session (its index rows deleted through the
 * search file's log) left tens of MiB in `-wal` files for good, space an operator could not get
 * back with the hub running. Above `WalCheckpoints`' 4 MiB, so a steady flood's log, reset at
 * about that size, is not cut and grown again each time.
 */
const WAL_SIZE_LIMIT_BYTES = 8 * 1024 * 1024;

/** A connection to the database at `path` (WAL, synchronous NORMAL), nothing attached. */
export function openConnection(path: string): Database.Database {
  const db = new Database(path);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma(`main.cache_size = ${PAGE_CACHE_SIZE}`);
    db.pragma(`main.journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** Attaches the search index's file (`searchFile.ts`) with the same cache and log bound. */
export function attachSearchFile(db: Database.Database, path: string | undefined): void {
  attachSearchIndex(db, path);
  db.pragma(`search.cache_size = ${PAGE_CACHE_SIZE}`);
  db.pragma(`search.journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
}
