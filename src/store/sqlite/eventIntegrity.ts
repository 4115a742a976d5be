/**
 * Every stored event checked against its checksum (see `eventChecksum`): listed by a full
 * storage check, dropped by recovery, which must not hand back bytes it rebuilt from a
 * damaged page as if they were what the session printed.
 */
import BetterSqlite3, { type Database } from "better-sqlite3";
import { eventRowProblem, type StoredEventColumns } from "../eventChecksum.js";

/** An event row that does not verify. */
export interface DamagedEvent {
  /** Session id (as stored, even when garbled). */
  session: string;
  /** The session's name, or its id when no session row holds it. */
  name: string;
  seq: number;
  /** What is wrong, to follow "has": "bytes that do not match its checksum". */
  problem: string;
}

interface ScannedRow extends StoredEventColumns {
  name: string | null;
}

const SCAN_SQL =
  "SELECT e.session_id, e.seq, e.ts, e.type, e.data, e.checksum, s.name FROM events e " +
  "LEFT JOIN sessions s ON s.id = e.session_id ORDER BY e.session_id, e.seq";

/**
 * `PRAGMA quick_check` (O(N), skips index cross-checks) or, with `full`, `integrity_check`
 * and then every event against its checksum. Returns the problems found, empty when the
 * database is sound. `maxErrors` bounds the report (and, for quick_check, the work done
 * after the first problems).
 */
export function checkDatabase(db: Database, options: { full: boolean; maxErrors?: number }): string[] {
  const maxErrors = options.maxErrors ?? 20;
  const pragma = options.full ? "integrity_check" : "quick_check";
  // The event log's file only: the search index is derived, and replaced when damaged.
  const rows = db.pragma(`main.${pragma}(${maxErrors})`) as Record<string, string>[];
  const lines = rows.map((row) => String(Object.values(row)[0]));
  const problems = lines.length === 1 && lines[0] === "ok" ? [] : lines;
  if (!options.full || problems.length >= maxErrors) return problems;
  try {
    const damaged = findDamagedEvents(db, maxErrors - problems.length);
    return [...problems, ...damaged.map(describeDamagedEvent)];
  } catch (err) {
    // Pages too broken to read every event: integrity_check has listed them already.
    if (problems.length > 0 && isCorrupt(err)) return problems;
    throw err;
  }
}

/** A damaged event as a problem a person can act on (doctor, `/api/storage/check`). */
function describeDamagedEvent(event: DamagedEvent): string {
  return (
    `event ${event.name}#${event.seq} has ${event.problem} (damaged on disk): stop the hub and run ` +
    "`dispatch doctor --repair`, which drops it and keeps every event that verifies"
  );
}

function isCorrupt(err: unknown): boolean {
  return (
    err instanceof BetterSqlite3.SqliteError &&
    (err.code.startsWith("SQLITE_CORRUPT") || err.code === "SQLITE_NOTADB")
  );
}

/** The event rows that do not verify, at most `limit` of them, in session and seq order. */
export function findDamagedEvents(db: Database, limit = Number.POSITIVE_INFINITY): DamagedEvent[] {
  return scan(db, limit).map((found) => found.event);
}

/** Deletes every event row that does not verify, with its search lines; returns them. */
export function dropDamagedEvents(db: Database): DamagedEvent[] {
  const found = scan(db, Number.POSITIVE_INFINITY);
  // `IS` rather than `=`: a garbled key column may be NULL or of the wrong type.
  const deleteEvent = db.prepare("DELETE FROM events WHERE session_id IS ? AND seq IS ?");
  const deleteLines = db.prepare("DELETE FROM search_lines WHERE session_id IS ? AND seq IS ?");
  db.transaction(() => {
    for (const { key } of found) {
      deleteEvent.run(...key);
      deleteLines.run(...key);
    }
  })();
  return found.map((f) => f.event);
}

function scan(db: Database, limit: number): { event: DamagedEvent; key: [unknown, unknown] }[] {
  const found: { event: DamagedEvent; key: [unknown, unknown] }[] = [];
  if (limit <= 0) return found;
  for (const row of db.prepare<[], ScannedRow>(SCAN_SQL).iterate()) {
    const problem = eventRowProblem(row);
    if (problem === undefined) continue;
    const session = String(row.session_id);
    found.push({
      event: { session, name: row.name ?? session, seq: Number(row.seq), problem },
      key: [row.session_id, row.seq],
    });
    if (found.length >= limit) break;
  }
  return found;
}
