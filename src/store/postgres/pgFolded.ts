/**
 * `search_lines.folded` (migration 5): each row's text folded (`foldText`: lower case, accents
 * removed), which a search's `ILIKE` looks in, so `cafe` finds `Café` as on SQLite.
 *
 * Folded here rather than by PostgreSQL's `unaccent`: that extension ships with Debian's
 * server and is trusted (PostgreSQL 13+), but creating it still needs the CREATE privilege on
 * the database, which a hub's role need not have; its rules are not SQLite's (ß becomes ss, ø
 * becomes o), and `lower()` only folds ASCII in a database with the C locale. One JS rule gives
 * both engines the same answers.
 */

import { foldText, isAscii } from "../searchText.js";
import type { PgConnection } from "./PgConnection.js";

/**
 * What `folded` holds for `text`: NULL for ASCII text, whose folding is only lower case, which
 * ILIKE does itself in any locale (most terminal output, stored once rather than twice).
 */
export function foldedColumn(text: string): string | null {
  return isAscii(text) ? null : foldText(text);
}

/** Rows folded per statement while migration 5 fills the column. */
const ROWS_PER_BATCH = 500;

/**
 * Fills `folded` for the rows indexed before migration 5 (inside its transaction): only rows
 * with non-ASCII text need it, found by their UTF-8 being longer than their characters.
 */
export function fillFoldedColumn(db: PgConnection): void {
  let after = 0;
  for (;;) {
    const rows = db.query<{ id: number; text: string }>(
      "SELECT id, text FROM search_lines WHERE id > $1 AND octet_length(text) <> length(text) ORDER BY id LIMIT $2",
      [after, ROWS_PER_BATCH],
    );
    const last = rows.at(-1);
    if (!last) return;
    const folded = rows.map((row) => ({ id: row.id, folded: foldText(row.text) }));
    db.execute(
      "UPDATE search_lines s SET folded = f.folded FROM jsonb_to_recordset($1::jsonb) AS f (id bigint, folded text) WHERE s.id = f.id",
      [JSON.stringify(folded)],
    );
    after = last.id;
  }
}
