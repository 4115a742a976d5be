/**
 * Search over stored output on PostgreSQL. The same cursor-following index as SQLite's
 * (`sqlite/SearchIndex.ts`: plain-text lines per output event, a cursor per session), but no
 * full-text engine: a query narrows rows with one `ILIKE` per word over the row's folded text
 * (`foldText`: lower case, no accents; computed here, not by an extension such as `unaccent`,
 * see migration 5) and checks the words against each line, newest first. Fine for thousands of sessions' recent output; it is a scan, not an
 * index, so a cluster with a long history searches slower than SQLite's FTS5.
 */
import type { SearchHit, SearchRequest, SearchStore } from "../Store.js";
import { indexPending, lineHasWords, type PendingIndex } from "../searchText.js";
import type { PgConnection } from "./PgConnection.js";
import { foldedColumn } from "./pgFolded.js";

/** Rows read per page while a search collects its hits. */
const ROWS_PER_PAGE = 200;

export class PgSearchIndex implements SearchStore {
  private readonly decoder = new TextDecoder();

  constructor(private readonly db: PgConnection) {}

  catchUp(maxEvents: number): boolean {
    return this.db.transaction(() =>
      indexPending(
        {
          pending: () =>
            this.db.query<PendingIndex>(
              "SELECT s.id, s.last_seq, c.seq, c.carry FROM sessions s " +
                "LEFT JOIN search_cursor c ON c.session_id = s.id WHERE s.last_seq > COALESCE(c.seq, 0)",
              [],
              "search_pending",
            ),
          readEvents: (session, afterSeq, limit) =>
            this.db.query<{ seq: number; ts: number; type: string; data: Buffer }>(
              "SELECT seq, ts, type, data FROM events WHERE session_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
              [session, afterSeq, limit],
              "search_read_output",
            ),
          insertLines: (session, seq, ts, text) => {
            // PostgreSQL text cannot hold NUL.
            const stored = text.replaceAll("\0", "");
            this.db.execute(
              "INSERT INTO search_lines (session_id, seq, ts, text, folded) VALUES ($1, $2, $3, $4, $5)",
              [session, seq, ts, stored, foldedColumn(stored)],
              "search_insert_folded",
            );
          },
          putCursor: (session, seq, carry) =>
            this.db.execute(
              "INSERT INTO search_cursor (session_id, seq, carry) VALUES ($1, $2, $3) " +
                "ON CONFLICT (session_id) DO UPDATE SET seq = EXCLUDED.seq, carry = EXCLUDED.carry",
              [session, seq, carry.replaceAll("\0", "")],
              "search_cursor",
            ),
        },
        this.decoder,
        maxEvents,
      ),
    );
  }

  search(request: SearchRequest): SearchHit[] {
    if (request.words.length === 0) return [];
    // Words are letters, marks and digits only (searchWords), so they need no LIKE escaping.
    // They are folded, and so is the text they are looked for in: `folded`, or for ASCII text
    // (no folded copy) the text, where ILIKE folds case the same in every locale.
    const params: unknown[] = request.words.map((word) => `%${word}%`);
    const where = request.words.map((_, i) => `COALESCE(folded, text) ILIKE $${i + 1}`);
    if (request.session !== undefined) {
      params.push(request.session);
      where.push(`session_id = $${params.length}`);
    }
    if (request.since !== undefined) {
      params.push(request.since);
      where.push(`ts >= $${params.length}`);
    }
    const sql =
      `SELECT session_id, seq, ts, text FROM search_lines WHERE ${where.join(" AND ")} ` +
      `ORDER BY ts DESC, id DESC LIMIT ${ROWS_PER_PAGE} OFFSET $${params.length + 1}`;
    const hits: SearchHit[] = [];
    for (let offset = 0; hits.length < request.limit; offset += ROWS_PER_PAGE) {
      const rows = this.db.query<{ session_id: string; seq: number; ts: number; text: string }>(sql, [
        ...params,
        offset,
      ]);
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
      if (rows.length < ROWS_PER_PAGE) break;
    }
    return hits.reverse();
  }
}
