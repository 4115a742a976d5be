/**
 * The search index's tables (migration 3). Derived data: recovery of a damaged database
 * recreates them empty, and the index worker rebuilds them from the stored events.
 */
import type { Database } from "better-sqlite3";

/** Tables of the search index: copied by no recovery, rebuilt from the log instead. */
export function isSearchTable(name: string): boolean {
  return name.startsWith("search_");
}

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
