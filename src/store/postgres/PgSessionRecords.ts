/**
 * The sessions table on PostgreSQL. The event log's cache of last seqs is told of what changes
 * them here (a new session, a seq set from outside the append path, a removal).
 */
import { DispatchError } from "../../core/errors.js";
import {
  patchColumns,
  rowToSession,
  SESSION_COLUMN_LIST,
  SESSION_COLUMNS,
  type SessionRecord,
  type SessionRow,
  sessionParams,
} from "../rows.js";
import type { PgConnection } from "./PgConnection.js";
import type { PgEventLog } from "./PgEventLog.js";
import { PostgresError, UNIQUE_VIOLATION } from "./PostgresError.js";

export class PgSessionRecords {
  /** Prepared-statement names of the column sets `update` has seen (names stay short). */
  private readonly updateNames = new Map<string, string>();

  constructor(
    private readonly db: PgConnection,
    private readonly log: PgEventLog,
  ) {}

  insert(rec: SessionRecord): void {
    const params = sessionParams(rec);
    try {
      this.db.execute(
        `INSERT INTO sessions (${SESSION_COLUMNS}) VALUES (${SESSION_COLUMN_LIST.map((_, i) => `$${i + 1}`).join(", ")})`,
        SESSION_COLUMN_LIST.map((column) => params[column]),
        "sessions_insert",
      );
    } catch (err) {
      throw conflictOr(err, rec.name);
    }
    this.log.knowLastSeq(rec.id, rec.lastSeq);
  }

  update(id: string, patch: Partial<Omit<SessionRecord, "id">>): void {
    const { columns, values } = patchColumns(patch);
    if (columns.length === 0) return;
    const sets = columns.map((c, i) => `${c} = $${i + 1}`).join(", ");
    let name = this.updateNames.get(sets);
    if (name === undefined) {
      name = `sessions_update_${this.updateNames.size + 1}`;
      this.updateNames.set(sets, name);
    }
    let changes: number;
    try {
      changes = this.db.execute(
        `UPDATE sessions SET ${sets} WHERE id = $${columns.length + 1}`,
        [...values, id],
        name,
      );
    } catch (err) {
      throw conflictOr(err, String(patch.name));
    }
    if (changes === 0) throw new DispatchError("not_found", `no session ${id}`);
    // Re-read on next append rather than trusting a seq set from outside the append path.
    if (patch.lastSeq !== undefined) this.log.forgetLastSeq(id);
  }

  get(id: string): SessionRecord | undefined {
    const row = this.db.query<SessionRow>(
      `SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = $1`,
      [id],
      "sessions_get",
    )[0];
    return row ? rowToSession(row) : undefined;
  }

  getByName(name: string): SessionRecord | undefined {
    const row = this.db.query<SessionRow>(
      `SELECT ${SESSION_COLUMNS} FROM sessions WHERE name = $1`,
      [name],
      "sessions_by_name",
    )[0];
    return row ? rowToSession(row) : undefined;
  }

  list(): SessionRecord[] {
    return this.db
      .query<SessionRow>(
        `SELECT ${SESSION_COLUMNS} FROM sessions ORDER BY created_at, id`,
        [],
        "sessions_list",
      )
      .map(rowToSession);
  }

  delete(id: string): void {
    this.db.transaction(() => {
      for (const table of ["search_lines", "search_cursor", "events", "snapshots", "sessions"]) {
        const column = table === "sessions" ? "id" : "session_id";
        this.db.execute(`DELETE FROM ${table} WHERE ${column} = $1`, [id], `delete_${table}`);
      }
    });
    this.log.forgetLastSeq(id);
  }
}

/** Maps a uniqueness failure on sessions to a `conflict` the client can act on. */
function conflictOr(err: unknown, name: string): unknown {
  if (!(err instanceof PostgresError) || err.code !== UNIQUE_VIOLATION) return err;
  if (err.constraint === "sessions_name_key") {
    return new DispatchError("conflict", `a session named '${name}' already exists; pick another name`, {
      cause: err,
    });
  }
  if (err.constraint === "sessions_pkey") {
    return new DispatchError("conflict", "a session with this id already exists", { cause: err });
  }
  return err;
}
