/**
 * The full-text index of stored output (SQLite FTS5, migration 3). It follows the events
 * table with a cursor per session rather than sitting inside `appendBatch`: appending stays
 * as fast as before, the hub indexes in slices right after each stored batch, and whatever
 * was stored but not yet indexed (a hub killed mid-way, a store from before migration 3) is
 * picked up from the cursor on the next run. Lines are plain text (escape sequences
 * stripped); each row holds the lines one output event completed, with that event's seq and
 * time. Retention and session removal delete the rows of the events they drop (SqliteStore).
 * Rows keep the text as it was; the full-text index holds it folded (`foldText`), and a
 * query's words are folded the same way, so accents and case do not matter.
 */
import type Database from "better-sqlite3";
import type { SearchHit, SearchRequest, SearchStore } from "../Store.js";
import { foldText, indexPending, lineHasWords, type PendingIndex } from "../searchText.js";

/**
 * Rows of removed sessions deleted per event a slice may index: a row holds at most one event's
 * lines. One: a slice on the hub's thread deletes 4 (~0.2 ms; 32 at a time took 4-7 ms, each a
 * 16 KiB row's overflow pages freed), and a long session's rows are left to the worker, which
 * the slices hand over to after a few.
 */
const ROWS_PER_EVENT = 1;

export class SearchIndex implements SearchStore {
  private readonly stmt;
  private readonly decoder = new TextDecoder();

  constructor(private readonly db: Database.Database) {
    this.stmt = {
      pending: db.prepare<[], PendingIndex>(
        "SELECT s.id, s.last_seq, c.seq, c.carry FROM sessions s " +
          "LEFT JOIN search_cursor c ON c.session_id = s.id WHERE s.last_seq > COALESCE(c.seq, 0)",
      ),
      // The output as text, decoded by SQLite's reader into a string on the JS heap: read as a
      // Buffer, each event was memory outside the heap that the index worker (which allocates
      // little else) freed only rarely, ~60 MB of it during a flood.
      readOutput: db.prepare<
        [string, number, number],
        { seq: number; ts: number; type: string; data: string }
      >(
        "SELECT seq, ts, type, CAST(data AS TEXT) AS data FROM events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?",
      ),
      insertLines: db.prepare<[string, number, number, string]>(
        "INSERT INTO search_lines (session_id, seq, ts, text) VALUES (?, ?, ?, ?)",
      ),
      // The row's text folded, under its id (`searchSchema.ts`: no trigger can fold).
      indexText: db.prepare<[number | bigint, string]>("INSERT INTO search_text (rowid, text) VALUES (?, ?)"),
      putCursor: db.prepare<[string, number, string]>(
        "INSERT OR REPLACE INTO search_cursor (session_id, seq, carry) VALUES (?, ?, ?)",
      ),
      // A removed session's rows (`SessionRecords.remove` leaves them): its cursor outlives it.
      // Counted first: two b-tree counts cost microseconds where looking up every cursor's
      // session cost ~7 ms a slice with 10,000 sessions. A new session not yet indexed can
      // hide one removal until it is; the search meanwhile skips the rows (`search`).
      anyRemoved: db
        .prepare<[], number>("SELECT (SELECT COUNT(*) FROM search_cursor) > (SELECT COUNT(*) FROM sessions)")
        .pluck(),
      removed: db.prepare<[], { session_id: string }>(
        "SELECT c.session_id FROM search_cursor c WHERE NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = c.session_id) LIMIT 1",
      ),
      deleteLines: db.prepare<[string, number]>(
        "DELETE FROM search_lines WHERE id IN (SELECT id FROM search_lines WHERE session_id = ? LIMIT ?)",
      ),
      deleteCursor: db.prepare<[string]>("DELETE FROM search_cursor WHERE session_id = ?"),
    };
  }

  /**
   * Deletes up to `maxRows` rows of removed sessions; returns whether more are left. A 16 MiB
   * session's rows took 25-50 ms to delete at once (190-340 ms before the index was
   * contentless), on the hub's thread inside `dispatch rm`; in slices, most go on the worker.
   */
  private dropRemoved(maxRows: number): boolean {
    const { stmt } = this;
    if (!stmt.anyRemoved.get()) return false;
    let budget = maxRows;
    for (let removed = stmt.removed.get(); removed; removed = stmt.removed.get()) {
      const deleted = stmt.deleteLines.run(removed.session_id, budget).changes;
      budget -= deleted;
      if (budget <= 0) return true;
      stmt.deleteCursor.run(removed.session_id);
    }
    return false;
  }

  /**
   * Indexes stored output not yet indexed, at most about `maxEvents` events, in one
   * transaction. Returns whether more is left.
   */
  catchUp(maxEvents: number): boolean {
    const { stmt } = this;
    return this.db.transaction(() => {
      const more = this.dropRemoved(maxEvents * ROWS_PER_EVENT);
      return (
        indexPending(
          {
            pending: () => stmt.pending.all(),
            readEvents: (session, afterSeq, limit) => stmt.readOutput.all(session, afterSeq, limit),
            insertLines: (session, seq, ts, text) => {
              const row = stmt.insertLines.run(session, seq, ts, text);
              stmt.indexText.run(row.lastInsertRowid, foldText(text));
            },
            putCursor: (session, seq, carry) => void stmt.putCursor.run(session, seq, carry),
          },
          this.decoder,
          maxEvents,
        ) || more
      );
    })();
  }

  /** The newest `limit` lines holding every word, returned oldest first. */
  search(request: SearchRequest): SearchHit[] {
    if (request.words.length === 0) return [];
    const match = request.words.map((word) => `"${word}"*`).join(" ");
    const where = ["search_text MATCH ?"];
    const params: unknown[] = [match];
    if (request.session !== undefined) {
      where.push("l.session_id = ?");
      params.push(request.session);
    }
    if (request.since !== undefined) {
      where.push("l.ts >= ?");
      params.push(request.since);
    }
    const rows = this.db
      .prepare<unknown[], { session_id: string; seq: number; ts: number; text: string }>(
        // Joined with sessions: a removed session's rows wait for `dropRemoved`.
        "SELECT l.session_id, l.seq, l.ts, l.text FROM search_text JOIN search_lines l ON l.id = search_text.rowid " +
          "JOIN sessions s ON s.id = l.session_id " +
          `WHERE ${where.join(" AND ")} ORDER BY l.ts DESC, l.id DESC`,
      )
      .iterate(...params);
    const hits: SearchHit[] = [];
    for (const row of rows) {
      if (request.visible && !request.visible(row.session_id)) continue;
      const lines = row.text.split("\n");
      for (let i = lines.length - 1; i >= 0 && hits.length < request.limit; i--) {
        const line = lines[i] as string;
        if (lineHasWords(line, request.words))
          hits.push({ session: row.session_id, seq: row.seq, ts: row.ts, line });
      }
      if (hits.length >= request.limit) break;
    }
    return hits.reverse();
  }
}
