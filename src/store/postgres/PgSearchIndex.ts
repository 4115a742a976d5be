/**
 * Search over stored output on PostgreSQL. The same cursor-following index as SQLite's
 * (`sqlite/SearchIndex.ts`: plain-text lines per output event, a cursor per session), but no
 * full-text engine: a query narrows rows with one `ILIKE` per word and checks the words against
 * each line, newest first. Fine for thousands of sessions' recent output; it is a scan, not an
 * index, so a cluster with a long history searches slower than SQLite's FTS5.
 */
import type { SearchHit, SearchRequest, SearchStore } from "../Store.js";
import { completedLines, lineHasWords } from "../searchText.js";
import type { PgConnection } from "./PgConnection.js";

/** Events read per session per catch-up query, so one slice stays short. */
const EVENTS_PER_READ = 500;
/** Rows read per page while a search collects its hits. */
const ROWS_PER_PAGE = 200;

interface PendingRow {
  id: string;
  last_seq: number;
  seq: number | null;
  carry: string | null;
}

export class PgSearchIndex implements SearchStore {
  private readonly decoder = new TextDecoder();

  constructor(private readonly db: PgConnection) {}

  catchUp(maxEvents: number): boolean {
    let budget = maxEvents;
    let more = false;
    this.db.transaction(() => {
      const pendingRows = this.db.query<PendingRow>(
        "SELECT s.id, s.last_seq, c.seq, c.carry FROM sessions s " +
          "LEFT JOIN search_cursor c ON c.session_id = s.id WHERE s.last_seq > COALESCE(c.seq, 0)",
        [],
        "search_pending",
      );
      for (const pending of pendingRows) {
        if (budget <= 0) {
          more = true;
          break;
        }
        const limit = Math.min(budget, EVENTS_PER_READ);
        const events = this.db.query<{ seq: number; ts: number; type: string; data: Buffer }>(
          "SELECT seq, ts, type, data FROM events WHERE session_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
          [pending.id, pending.seq ?? 0, limit],
          "search_read_output",
        );
        budget -= Math.max(events.length, 1);
        let carry = pending.carry ?? "";
        let cursor = pending.seq ?? 0;
        for (const event of events) {
          cursor = event.seq;
          if (event.type !== "output") continue;
          const done = completedLines(carry, this.decoder.decode(event.data));
          carry = done.carry;
          if (done.lines.length > 0) {
            this.db.execute(
              "INSERT INTO search_lines (session_id, seq, ts, text) VALUES ($1, $2, $3, $4)",
              [pending.id, event.seq, event.ts, done.lines.join("\n").replaceAll("\0", "")],
              "search_insert",
            );
          }
        }
        // Events compacted away before they were indexed: move on to the oldest stored one.
        if (events.length === 0) cursor = pending.last_seq;
        this.db.execute(
          "INSERT INTO search_cursor (session_id, seq, carry) VALUES ($1, $2, $3) " +
            "ON CONFLICT (session_id) DO UPDATE SET seq = EXCLUDED.seq, carry = EXCLUDED.carry",
          [pending.id, cursor, carry.replaceAll("\0", "")],
          "search_cursor",
        );
        if (events.length === limit && cursor < pending.last_seq) more = true;
      }
    });
    return more;
  }

  search(request: SearchRequest): SearchHit[] {
    if (request.words.length === 0) return [];
    // Words are letters and digits only (searchWords), so they need no LIKE escaping.
    const params: unknown[] = request.words.map((word) => `%${word}%`);
    const where = request.words.map((_, i) => `text ILIKE $${i + 1}`);
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
