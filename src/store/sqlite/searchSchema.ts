/**
 * The search index's tables. Derived data: whatever loses them (recovery, a restore, a damaged
 * index file) leaves them to be rebuilt from the stored events by the indexer.
 *
 * Migration 3 put them in the main database; migration 7 moved them into a file of their own
 * (`searchFile.ts`), so the indexer's transactions never hold the event log's write lock.
 */
import type { Database } from "better-sqlite3";

/** Tables of the search index: copied by no recovery, rebuilt from the log instead. */
export function isSearchTable(name: string): boolean {
  return name.startsWith("search_");
}

/** Migration 3's tables, in the main database (dropped again by migration 7). */
export function createSearchSchema(db: Database): void {
  db.exec(`
        -- One row per output event that completed lines: its plain-text lines, one per line.
        CREATE TABLE search_lines (
          id INTEGER PRIMARY KEY,
          session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
          seq INTEGER NOT NULL,
          ts REAL NOT NULL,
          text TEXT NOT NULL
        );
        CREATE INDEX search_lines_session_seq ON search_lines (session_id, seq);

        -- External content: the text is stored once (in search_lines); triggers keep the
        -- full-text index in step, also when retention or removal deletes rows.
        CREATE VIRTUAL TABLE search_text USING fts5 (text, content = 'search_lines', content_rowid = 'id');
        CREATE TRIGGER search_lines_insert AFTER INSERT ON search_lines BEGIN
          INSERT INTO search_text (rowid, text) VALUES (new.id, new.text);
        END;
        CREATE TRIGGER search_lines_delete AFTER DELETE ON search_lines BEGIN
          INSERT INTO search_text (search_text, rowid, text) VALUES ('delete', old.id, old.text);
        END;

        -- How far each session's events are indexed, and the raw start of a line not yet ended.
        -- Sessions already stored start at 0, so an upgraded store indexes its history.
        CREATE TABLE search_cursor (
          session_id TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
          seq INTEGER NOT NULL,
          carry TEXT NOT NULL DEFAULT ''
        );
  `);
}

/**
 * Drops the index's tables from `schema`, whatever their layout: migration 3's from the main
 * database (migration 7), or the index file's to rebuild it.
 */
export function dropSearchTables(db: Database, schema: "main" | "search"): void {
  // The FTS5 table takes its shadow tables with it, and each table its triggers and indexes.
  for (const table of ["search_text", "search_lines", "search_cursor"])
    db.exec(`DROP TABLE IF EXISTS ${schema}.${table}`);
}

/**
 * The layout of the index's file, in its `user_version`. Another number (0: before this was
 * kept, the default tokenizer over the text as stored, which matched no accented word without
 * its accents) means the file is emptied and rebuilt from the events (`searchFile.ts`).
 */
export const SEARCH_FILE_VERSION = 1;

/**
 * The tables in the index's own file, attached as `search`. No foreign keys: they cannot point
 * into another file. Removing a session or compacting its history deletes its rows itself.
 *
 * `search_text` indexes each row's text folded (`foldText`: lower case, no accents), which only
 * JS computes, so `SearchIndex` inserts it beside the row rather than a trigger. Contentless:
 * it keeps no copy of the text, and with `contentless_delete` a row leaves the index by its
 * rowid alone; an external-content table's delete had to tokenize the row's text again, which
 * made removing a long session's lines cost as much as indexing them.
 * The tokenizer takes letters, marks and digits as words (the JS word check's rule) and removes
 * no diacritics of its own: the text is already folded, with `foldText`'s rule and no other.
 */
export function createSearchFileSchema(db: Database): void {
  db.exec(`
        CREATE TABLE IF NOT EXISTS search.search_lines (
          id INTEGER PRIMARY KEY,
          session_id TEXT NOT NULL,
          seq INTEGER NOT NULL,
          ts REAL NOT NULL,
          text TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS search.search_lines_session_seq ON search_lines (session_id, seq);
        CREATE VIRTUAL TABLE IF NOT EXISTS search.search_text USING fts5 (
          text, content = '', contentless_delete = 1,
          tokenize = "unicode61 remove_diacritics 0 categories 'L* M* N*'"
        );
        CREATE TRIGGER IF NOT EXISTS search.search_lines_delete AFTER DELETE ON search_lines BEGIN
          DELETE FROM search_text WHERE rowid = old.id;
        END;
        CREATE TABLE IF NOT EXISTS search.search_cursor (
          session_id TEXT PRIMARY KEY,
          seq INTEGER NOT NULL,
          carry TEXT NOT NULL DEFAULT ''
        );
  `);
  db.pragma(`search.user_version = ${SEARCH_FILE_VERSION}`);
}
