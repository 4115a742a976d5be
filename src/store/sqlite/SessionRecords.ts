/**
 * The `sessions` table: one record per session, written through on every change. Deleting a
 * session takes its events and snapshots with it; its search rows are left to the indexer,
 * which deletes them in slices (`SearchIndex.catchUp`) and finds none meanwhile.
 */
import Database from "better-sqlite3";
import { DispatchError } from "../../core/errors.js";
import {
  patchColumns,
  rowToSession,
  SESSION_COLUMNS,
  type SessionRecord,
  type SessionRow,
  sessionParams,
} from "../rows.js";
import type { EventLog } from "./EventLog.js";
import type { LockWait } from "./lockWait.js";

type Statement<P extends unknown[], R = unknown> = Database.Statement<P, R>;

export class SessionRecords {
  private readonly updateStatements = new Map<string, Statement<unknown[]>>();
  private readonly stmt;

  constructor(
    private readonly db: Database.Database,
    private readonly lock: LockWait,
    /** Told of last seqs set outside the append path. */
    private readonly log: EventLog,
  ) {
    this.stmt = {
      insertSession: db.prepare<[Record<string, unknown>]>(
        `INSERT INTO sessions (${SESSION_COLUMNS}) VALUES (${SESSION_COLUMNS.replace(/(\w+)/g, "@$1")})`,
      ),
      getSession: db.prepare<[string], SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = ?`),
      getSessionByName: db.prepare<[string], SessionRow>(
        `SELECT ${SESSION_COLUMNS} FROM sessions WHERE name = ?`,
      ),
      listSessions: db.prepare<[], SessionRow>(
        `SELECT ${SESSION_COLUMNS} FROM sessions ORDER BY created_at, id`,
      ),
      deleteEvents: db.prepare<[string]>("DELETE FROM events WHERE session_id = ?"),
      deleteSnapshots: db.prepare<[string]>("DELETE FROM snapshots WHERE session_id = ?"),
      deleteSession: db.prepare<[string]>("DELETE FROM sessions WHERE id = ?"),
    };
  }

  /** Inserts a new session; throws `conflict` when its name or id is taken. */
  insert(rec: SessionRecord): void {
    try {
      this.lock.write(() => this.stmt.insertSession.run(sessionParams(rec)));
    } catch (err) {
      throw conflictOr(err, rec.name);
    }
    this.log.knowLastSeq(rec.id, rec.lastSeq);
  }

  /** Updates only the given fields; throws `conflict` on a taken name, `not_found` on an unknown id. */
  update(id: string, patch: Partial<Omit<SessionRecord, "id">>): void {
    const { columns, values } = patchColumns(patch);
    if (columns.length === 0) return;
    const key = columns.join(",");
    let statement = this.updateStatements.get(key);
    if (!statement) {
      statement = this.db.prepare<unknown[]>(
        `UPDATE sessions SET ${columns.map((c) => `${c} = ?`).join(", ")} WHERE id = ?`,
      );
      this.updateStatements.set(key, statement);
    }
    let changes: number;
    try {
      changes = this.lock.write(() => statement.run(...values, id).changes);
    } catch (err) {
      throw conflictOr(err, String(patch.name));
    }
    if (changes === 0) throw new DispatchError("not_found", `no session ${id}`);
    // Re-read on next append rather than trusting a seq set from outside the append path.
    if (patch.lastSeq !== undefined) this.log.forgetLastSeq(id);
  }

  /** The session with this id, if any. */
  get(id: string): SessionRecord | undefined {
    const row = this.stmt.getSession.get(id);
    return row ? rowToSession(row) : undefined;
  }

  /** The session with this name, if any. */
  byName(name: string): SessionRecord | undefined {
    const row = this.stmt.getSessionByName.get(name);
    return row ? rowToSession(row) : undefined;
  }

  /** Every session, oldest first. */
  list(): SessionRecord[] {
    return this.stmt.listSessions.all().map(rowToSession);
  }

  /**
   * Deletes a session with its events and snapshots, in one transaction. Not its search rows:
   * deleting a 16 MiB session's took as long again as its events (25-50 ms; 0.2-0.3 s while
   * the index re-tokenized them), the hub's thread stopped, and waited for the index worker's
   * write lock.
   */
  remove(id: string): void {
    const remove = this.db.transaction(() => {
      this.stmt.deleteEvents.run(id);
      this.stmt.deleteSnapshots.run(id);
      this.stmt.deleteSession.run(id);
    });
    this.lock.write(remove);
    this.log.forgetLastSeq(id);
  }
}

function isConstraint(err: unknown): err is InstanceType<typeof Database.SqliteError> {
  return err instanceof Database.SqliteError && err.code.startsWith("SQLITE_CONSTRAINT");
}

/** Maps a uniqueness failure on sessions to a `conflict` the client can act on. */
function conflictOr(err: unknown, name: string): unknown {
  if (!isConstraint(err)) return err;
  if (err.message.includes("sessions.name")) {
    return new DispatchError("conflict", `a session named '${name}' already exists; pick another name`, {
      cause: err,
    });
  }
  if (err.message.includes("sessions.id")) {
    return new DispatchError("conflict", "a session with this id already exists", { cause: err });
  }
  return err;
}
