/**
 * What dispatch checks of a PostgreSQL store from one connection (`dispatch doctor`,
 * `/api/storage/check`).
 */
import { eventRowProblem, type StoredEventColumns } from "../eventChecksum.js";
import type { PgConnection } from "./PgConnection.js";

/** Events read per query by a full check (bounds the memory one page of payloads takes). */
const CHECK_PAGE_ROWS = 500;

/**
 * What dispatch can check from one connection: the schema is there and every session's last
 * seq agrees with its log; with `full`, every event against its checksum. Page-level checks
 * belong to the server (amcheck, data checksums).
 */
export function checkPgStore(db: PgConnection, options: { full: boolean; maxErrors?: number }): string[] {
  const limit = options.maxErrors ?? 20;
  const rows = db.query<{ name: string; last_seq: number; stored: number | null }>(
    "SELECT s.name, s.last_seq, (SELECT MAX(seq) FROM events e WHERE e.session_id = s.id) AS stored " +
      "FROM sessions s WHERE s.last_seq < COALESCE((SELECT MAX(seq) FROM events e WHERE e.session_id = s.id), 0) " +
      "LIMIT $1",
    [limit],
  );
  const problems = rows.map(
    (r) => `session ${r.name}: last seq ${r.last_seq} but events up to ${r.stored} are stored`,
  );
  if (!options.full || problems.length >= limit) return problems;
  return [...problems, ...damagedEvents(db, limit - problems.length)];
}

/** Events whose stored columns do not verify (a full check), read page by page. */
function damagedEvents(db: PgConnection, limit: number): string[] {
  const found: string[] = [];
  for (let after: [string, number] = ["", 0]; found.length < limit; ) {
    const page = db.query<StoredEventColumns & { name: string }>(
      "SELECT e.session_id, e.seq, e.ts, e.type, e.data, e.checksum, s.name FROM events e " +
        "JOIN sessions s ON s.id = e.session_id WHERE (e.session_id, e.seq) > ($1, $2) " +
        "ORDER BY e.session_id, e.seq LIMIT $3",
      [...after, CHECK_PAGE_ROWS],
      "events_check",
    );
    for (const row of page) {
      const problem = eventRowProblem(row);
      if (problem === undefined) continue;
      found.push(
        `event ${row.name}#${String(row.seq)} has ${problem}: the server's storage changed it; ` +
          "check the server (data checksums, amcheck) and restore from a backup (docs/OPERATIONS.md)",
      );
      if (found.length >= limit) break;
    }
    const last = page[page.length - 1];
    if (!last || page.length < CHECK_PAGE_ROWS) break;
    after = [String(last.session_id), Number(last.seq)];
  }
  return found;
}
