/**
 * The full-text index of stored output (SQLite FTS5, migration 3). It follows the events
 * table with a cursor per session rather than sitting inside `appendBatch`: appending stays
 * as fast as before, the hub indexes in slices right after each stored batch, and whatever
 * was stored but not yet indexed (a hub killed mid-way, a store from before migration 3) is
 * picked up from the cursor on the next run. Lines are plain text (escape sequences
 * stripped); each row holds the lines one output event completed, with that event's seq and
 * time. Retention and session removal delete the rows of the events they drop (EventStore).
 */
import type Database from "better-sqlite3";
import { plainLines } from "../core/plainText.js";

export interface SearchHit {
  /** Session id. */
  session: string;
  /** Seq of the output event that completed the line. */
  seq: number;
  ts: number;
  line: string;
}

export interface SearchRequest {
  /** Words to find, all of them in one line, each matched at the start of a word, any case. */
  words: readonly string[];
  session?: string | undefined;
  /** Only lines stored at or after this time (ms since the epoch). */
  since?: number | undefined;
  limit: number;
}

/** A line still open after this many characters is indexed as it is (a runaway line without `\n`). */
const MAX_CARRY_CHARS = 4096;
/** Events read per session per query while catching up, so one slice stays short. */
const EVENTS_PER_READ = 500;

interface PendingRow {
  id: string;
  last_seq: number;
  seq: number | null;
  carry: string | null;
}

/** The words of a search pattern (letters and digits), lower case; empty when it has none. */
export function searchWords(pattern: string): string[] {
  return wordsOf(pattern).slice(0, MAX_WORDS);
}

/** More words than this in one search are ignored (the FTS query stays small). */
const MAX_WORDS = 16;

function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

export class SearchIndex {
  private readonly stmt;
  private readonly decoder = new TextDecoder();

  constructor(private readonly db: Database.Database) {
    this.stmt = {
      pending: db.prepare<[], PendingRow>(
        "SELECT s.id, s.last_seq, c.seq, c.carry FROM sessions s " +
          "LEFT JOIN search_cursor c ON c.session_id = s.id WHERE s.last_seq > COALESCE(c.seq, 0)",
      ),
      readOutput: db.prepare<
        [string, number, number],
        { seq: number; ts: number; type: string; data: Buffer }
      >("SELECT seq, ts, type, data FROM events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?"),
      insertLines: db.prepare<[string, number, number, string]>(
        "INSERT INTO search_lines (session_id, seq, ts, text) VALUES (?, ?, ?, ?)",
      ),
      putCursor: db.prepare<[string, number, string]>(
        "INSERT OR REPLACE INTO search_cursor (session_id, seq, carry) VALUES (?, ?, ?)",
      ),
    };
  }

  /**
   * Indexes stored output not yet indexed, at most about `maxEvents` events, in one
   * transaction. Returns whether more is left.
   */
  catchUp(maxEvents: number): boolean {
    let budget = maxEvents;
    let more = false;
    this.db.transaction(() => {
      for (const pending of this.stmt.pending.all()) {
        if (budget <= 0) {
          more = true;
          break;
        }
        const limit = Math.min(budget, EVENTS_PER_READ);
        const events = this.stmt.readOutput.all(pending.id, pending.seq ?? 0, limit);
        budget -= Math.max(events.length, 1);
        let carry = pending.carry ?? "";
        let cursor = pending.seq ?? 0;
        for (const event of events) {
          cursor = event.seq;
          if (event.type !== "output") continue;
          const text = carry + this.decoder.decode(event.data);
          const end = text.lastIndexOf("\n");
          carry = end < 0 ? text : text.slice(end + 1);
          let complete = end < 0 ? "" : text.slice(0, end);
          if (carry.length > MAX_CARRY_CHARS) {
            complete = `${complete}\n${carry}`;
            carry = "";
          }
          const lines = plainLines(complete);
          if (lines.length > 0) this.stmt.insertLines.run(pending.id, event.seq, event.ts, lines.join("\n"));
        }
        // Events compacted away before they were indexed: move on to the oldest stored one.
        if (events.length === 0) cursor = pending.last_seq;
        this.stmt.putCursor.run(pending.id, cursor, carry);
        if (events.length === limit && cursor < pending.last_seq) more = true;
      }
    })();
    return more;
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
        "SELECT l.session_id, l.seq, l.ts, l.text FROM search_text JOIN search_lines l ON l.id = search_text.rowid " +
          `WHERE ${where.join(" AND ")} ORDER BY l.ts DESC, l.id DESC`,
      )
      .iterate(...params);
    const hits: SearchHit[] = [];
    for (const row of rows) {
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

/** Whether every word starts some word of `line` (what FTS matched, narrowed to one line). */
function lineHasWords(line: string, words: readonly string[]): boolean {
  // Cheap first: most lines of a matching row hold none of the words.
  const lower = line.toLowerCase();
  if (!words.every((word) => lower.includes(word))) return false;
  const own = wordsOf(line);
  return words.every((word) => own.some((w) => w.startsWith(word)));
}
