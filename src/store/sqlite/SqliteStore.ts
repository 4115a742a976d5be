/**
 * The SQLite store (the embedded default): session records, the per-session append-only event
 * log, screen snapshots, tokens and audit. Synchronous (better-sqlite3): callers batch writes
 * off the hot path and hand them over in one `appendBatch` call, which is one transaction.
 */
import { chmodSync, closeSync, openSync, statSync } from "node:fs";
import Database from "better-sqlite3";
import { DispatchError } from "../../core/errors.js";
import type { SessionEvent } from "../../protocol/events.js";
import { eventChecksum } from "../eventChecksum.js";
import {
  type EventRow,
  encodeEventData,
  patchColumns,
  rowToEvent,
  rowToSession,
  type SessionRecord,
  type SessionRow,
  sessionParams,
} from "../rows.js";
import {
  planAppend,
  type SnapshotRecord,
  type Store,
  type TokenRecord,
  type WriteAheadLog,
} from "../Store.js";
import { injectedFault } from "../storageErrors.js";
import { createPrivately } from "./databaseFile.js";
import { type DamagedEvent, dropDamagedEvents, findDamagedEvents } from "./eventIntegrity.js";
import { HostRecords } from "./HostRecords.js";
import { BUSY_TIMEOUT_MS, LockWait } from "./lockWait.js";
import { applyMigrations } from "./migrations.js";
import { PeopleRecords } from "./PeopleRecords.js";
import { SearchIndex } from "./SearchIndex.js";
import { attachSearchIndex } from "./searchFile.js";

export type { SessionRecord } from "../rows.js";
export type { SnapshotRecord, TokenRecord } from "../Store.js";

type Statement<P extends unknown[], R = unknown> = Database.Statement<P, R>;

const SESSION_COLUMNS =
  "id, name, kind, host, status, exit_code, reason, command, cwd, cols, rows, pid, foreground, " +
  "created_at, last_activity_at, last_seq, bytes, preview, env, meta, project";

/**
 * Page cache of each database file on a connection (the log, the attached search file), in KiB
 * when negative: SQLite's own default. better-sqlite3 builds SQLite with 16 MB, and a flood
 * filled it and it stayed, in the hub's connection and the search worker's: 64 MiB of `cat`
 * left the idle hub at 146-153 MB, and 119 MB with this. Appends and a replay's reads touch few
 * pages at a time; the rest come from the OS's cache. A query over many lines rereads more
 * pages: "a word in every line, limit 100" takes 9-11 ms instead of 5-6 (docs/BENCHMARKS.md,
 * "A flood's dead Buffers").
 */
const PAGE_CACHE_SIZE = -2000;

export class SqliteStore implements Store {
  readonly engine = "sqlite";

  /** Events from the last `appendBatch` that were refused: seq jumps and unknown sessions. */
  lastRejected: SessionEvent[] = [];

  /**
   * Last stored seq per session, so appending does not read the sessions table per event.
   * Only updated after a transaction commits, so a rollback cannot leave it ahead of the data.
   */
  private readonly seqCache = new Map<string, number>();
  private readonly updateStatements = new Map<string, Statement<unknown[]>>();
  private readonly stmt;
  private peopleRecords: PeopleRecords | undefined;
  private hostRecords: HostRecords | undefined;
  private searchIndex: SearchIndex | undefined;
  /** Test-only: throws while the fault file exists (see `injectedFault`). */
  private readonly fault = injectedFault();
  /** Shortens the wait for another program's lock while it holds writes off (see `LockWait`). */
  private readonly lock: LockWait;

  private constructor(private readonly db: Database.Database) {
    this.lock = new LockWait(db);
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
      deleteSearchLines: db.prepare<[string]>("DELETE FROM search_lines WHERE session_id = ?"),
      deleteSearchCursor: db.prepare<[string]>("DELETE FROM search_cursor WHERE session_id = ?"),
      compactSearchLines: db.prepare<[string, number]>(
        "DELETE FROM search_lines WHERE session_id = ? AND seq <= ?",
      ),
      sessionLastSeq: db.prepare<[string], { last_seq: number }>(
        "SELECT last_seq FROM sessions WHERE id = ?",
      ),
      insertEvent: db.prepare<[string, number, number, string, Buffer, number]>(
        "INSERT INTO events (session_id, seq, ts, type, data, checksum) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      // Activity never moves backwards: a late batch of old output must not make a session look idle.
      updateTotals: db.prepare<[number, number, number | null, string]>(
        "UPDATE sessions SET last_seq = ?, bytes = bytes + ?, " +
          "last_activity_at = MAX(last_activity_at, COALESCE(?, last_activity_at)) WHERE id = ?",
      ),
      readEvents: db.prepare<[string, number, number], EventRow>(
        "SELECT seq, ts, type, data FROM events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?",
      ),
      countEvents: db.prepare<[string], { n: number }>(
        "SELECT COUNT(*) AS n FROM events WHERE session_id = ?",
      ),
      putSnapshot: db.prepare<[string, number, number, number, number, string, number]>(
        "INSERT OR REPLACE INTO snapshots (session_id, seq, ts, cols, rows, data, bytes) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ),
      latestSnapshot: db.prepare<[string, number], Omit<SnapshotRecord, "session">>(
        "SELECT seq, ts, cols, rows, data, bytes FROM snapshots WHERE session_id = ? AND seq <= ? ORDER BY seq DESC LIMIT 1",
      ),
      snapshotPositions: db.prepare<[string], { seq: number; bytes: number }>(
        "SELECT seq, bytes FROM snapshots WHERE session_id = ? ORDER BY seq",
      ),
      compactEvents: db.prepare<[string, number]>("DELETE FROM events WHERE session_id = ? AND seq <= ?"),
      compactSnapshots: db.prepare<[string, number]>(
        "DELETE FROM snapshots WHERE session_id = ? AND seq < ?",
      ),
      firstSeq: db.prepare<[string], { seq: number | null }>(
        "SELECT MIN(seq) AS seq FROM events WHERE session_id = ?",
      ),
      outputTail: db.prepare<[string], { seq: number; length: number }>(
        "SELECT seq, LENGTH(data) AS length FROM events WHERE session_id = ? AND type = 'output' ORDER BY seq DESC",
      ),
      outputBytesAfter: db.prepare<[string, number], { bytes: number | null }>(
        "SELECT SUM(LENGTH(data)) AS bytes FROM events WHERE session_id = ? AND seq > ? AND type = 'output'",
      ),
      storedOutputBytes: db.prepare<[string], { bytes: number | null }>(
        "SELECT SUM(LENGTH(data)) AS bytes FROM events WHERE session_id = ? AND type = 'output'",
      ),
      insertToken: db.prepare<[string, string, string, string, string, number, number | null]>(
        "INSERT INTO tokens (id, kind, name, hash, scope, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ),
      findToken: db.prepare<[string, number], TokenRecord>(
        "SELECT id, kind, name, hash, scope, created_at AS createdAt, revoked_at AS revokedAt, " +
          "expires_at AS expiresAt FROM tokens WHERE hash = ? AND revoked_at IS NULL " +
          "AND (expires_at IS NULL OR expires_at > ?)",
      ),
      revokeTokens: db.prepare<[number, string, string]>(
        "UPDATE tokens SET revoked_at = ? WHERE kind = ? AND name = ? AND revoked_at IS NULL",
      ),
      revokeTokenByHash: db.prepare<[number, string]>(
        "UPDATE tokens SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL",
      ),
      audit: db.prepare<[number, string, string, string, string | null, string | null]>(
        "INSERT INTO audit (ts, actor, action, detail, address, session_id) VALUES (?, ?, ?, ?, ?, ?)",
      ),
    };
  }

  /** Opens (creating if needed, mode 0600) the database at `path` and applies migrations. */
  static open(path: string): SqliteStore {
    const onDisk = path !== ":memory:" && path !== "";
    if (onDisk) createPrivately(path);
    const db = new Database(path);
    try {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      db.pragma("foreign_keys = ON");
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      db.pragma(`main.cache_size = ${PAGE_CACHE_SIZE}`);
      applyMigrations(db);
      attachSearchIndex(db, onDisk ? path : undefined);
      db.pragma(`search.cache_size = ${PAGE_CACHE_SIZE}`);
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteStore(db);
  }

  /** The database file ("" or ":memory:" for a store in memory, which no other connection can open). */
  get path(): string {
    return this.db.name;
  }

  get file(): string | undefined {
    const name = this.db.name;
    return name === "" || name === ":memory:" ? undefined : name;
  }

  get location(): string {
    return this.file ?? ":memory:";
  }

  readonly wal: WriteAheadLog = {
    checkpointOnlyOnRequest: () => {
      this.db.pragma("wal_autocheckpoint = 0");
    },
    checkpoint: () => {
      this.db.pragma("wal_checkpoint(PASSIVE)");
    },
  };

  /** Closes the database; safe to call more than once. */
  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Users, grants, share links and the audit trail (see `PeopleRecords`). */
  get people(): PeopleRecords {
    this.peopleRecords ??= new PeopleRecords(this.db, this.lock);
    return this.peopleRecords;
  }

  /** The `hosts` table (see `HostRecords`). */
  get hosts(): HostRecords {
    this.hostRecords ??= new HostRecords(this.db, this.lock);
    return this.hostRecords;
  }

  /** The full-text index of stored output (see `SearchIndex`). */
  get search(): SearchIndex {
    this.searchIndex ??= new SearchIndex(this.db);
    return this.searchIndex;
  }

  /** Closes the database (for `using store = SqliteStore.open(...)`). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Inserts a new session; throws `conflict` when its name or id is taken. */
  insertSession(rec: SessionRecord): void {
    try {
      this.lock.write(() => this.stmt.insertSession.run(sessionParams(rec)));
    } catch (err) {
      throw conflictOr(err, rec.name);
    }
    this.seqCache.set(rec.id, rec.lastSeq);
  }

  /** Updates only the given fields; throws `conflict` on a taken name, `not_found` on an unknown id. */
  updateSession(id: string, patch: Partial<Omit<SessionRecord, "id">>): void {
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
    if (patch.lastSeq !== undefined) this.seqCache.delete(id);
  }

  /** The session with this id, if any. */
  getSession(id: string): SessionRecord | undefined {
    const row = this.stmt.getSession.get(id);
    return row ? rowToSession(row) : undefined;
  }

  /** The session with this name, if any. */
  getSessionByName(name: string): SessionRecord | undefined {
    const row = this.stmt.getSessionByName.get(name);
    return row ? rowToSession(row) : undefined;
  }

  /** Every session, oldest first. */
  listSessions(): SessionRecord[] {
    return this.stmt.listSessions.all().map(rowToSession);
  }

  /** Deletes a session with its events, snapshots and search index rows, in one transaction. */
  deleteSession(id: string): void {
    const remove = this.db.transaction(() => {
      this.stmt.deleteSearchLines.run(id);
      this.stmt.deleteSearchCursor.run(id);
      this.stmt.deleteEvents.run(id);
      this.stmt.deleteSnapshots.run(id);
      this.stmt.deleteSession.run(id);
    });
    this.lock.write(remove);
    this.seqCache.delete(id);
  }

  /**
   * Appends events in one transaction and returns those actually appended, in order (the same
   * objects). Per session: seq <= last is a replay and skipped; seq == last+1 is appended; a
   * `gap` with `data.fromSeq == last+1` may jump to its own seq; anything else, and events for
   * unknown sessions, are refused and listed in `lastRejected`.
   */
  appendBatch(events: readonly SessionEvent[]): SessionEvent[] {
    this.fault?.();
    const append = this.db.transaction(() => {
      const planned = planAppend(events, (session) => this.storedLastSeq(session));
      for (const event of planned.appended) {
        const data = encodeEventData(event);
        const checksum = eventChecksum(event, data);
        this.stmt.insertEvent.run(event.session, event.seq, event.ts, event.type, data, checksum);
      }
      for (const [session, totals] of planned.totals) {
        this.stmt.updateTotals.run(totals.lastSeq, totals.bytes, totals.activity, session);
      }
      return planned;
    });
    const plan = this.lock.write(append);
    for (const [session, totals] of plan.totals) this.seqCache.set(session, totals.lastSeq);
    this.lastRejected = plan.rejected;
    return plan.appended;
  }

  /** Events with seq > afterSeq, in seq order, at most `limit` of them. */
  readEvents(sessionId: string, afterSeq: number, limit?: number): SessionEvent[] {
    // SQLite treats a negative LIMIT as "no limit".
    const rows = this.stmt.readEvents.all(sessionId, afterSeq, limit ?? -1);
    return rows.map((row) => rowToEvent(sessionId, row));
  }

  /** How many events are stored for a session. */
  countEvents(sessionId: string): number {
    return this.stmt.countEvents.get(sessionId)?.n ?? 0;
  }

  /** Seq of the session's last stored event; 0 when there is none or no such session. */
  lastSeq(sessionId: string): number {
    return this.storedLastSeq(sessionId) ?? 0;
  }

  /** Stores a screen snapshot (replacing one at the same seq). */
  putSnapshot(snapshot: SnapshotRecord): void {
    const { session, seq, ts, cols, rows, data, bytes } = snapshot;
    this.lock.write(() => this.stmt.putSnapshot.run(session, seq, ts, cols, rows, data, bytes ?? 0));
  }

  /** Seq and total output bytes of every snapshot of a session, oldest first (no data). */
  snapshotPositions(sessionId: string): { seq: number; bytes: number }[] {
    return this.stmt.snapshotPositions.all(sessionId);
  }

  /**
   * Retention: drops a session's events up to and including `seq`, their search index rows and
   * the snapshots before it, in one transaction. The snapshot at `seq` stays, so history is compacted behind it and
   * never cut from the middle.
   */
  compactThrough(sessionId: string, seq: number): void {
    const compact = this.db.transaction(() => {
      this.stmt.compactEvents.run(sessionId, seq);
      this.stmt.compactSearchLines.run(sessionId, seq);
      this.stmt.compactSnapshots.run(sessionId, seq);
    });
    this.lock.write(compact);
  }

  /** Seq of the oldest stored event (0 when none). */
  firstSeq(sessionId: string): number {
    return this.stmt.firstSeq.get(sessionId)?.seq ?? 0;
  }

  /**
   * The seq after which the newest `bytes` of stored output begin (0 when the whole history is
   * smaller): where to start replaying to rebuild a screen from recent output only.
   */
  seqBeforeTailBytes(sessionId: string, bytes: number): number {
    let total = 0;
    for (const row of this.stmt.outputTail.iterate(sessionId)) {
      total += row.length;
      if (total >= bytes) return row.seq - 1;
    }
    return 0;
  }

  /** Output bytes stored after `seq` (how far behind a reader at `seq` is). */
  outputBytesAfter(sessionId: string, seq: number): number {
    return this.stmt.outputBytesAfter.get(sessionId, seq)?.bytes ?? 0;
  }

  /** Output bytes currently stored for a session (after retention). */
  storedOutputBytes(sessionId: string): number {
    return this.stmt.storedOutputBytes.get(sessionId)?.bytes ?? 0;
  }

  /** The newest snapshot at or before `atOrBeforeSeq` (default: the newest of all). */
  latestSnapshot(sessionId: string, atOrBeforeSeq?: number): SnapshotRecord | undefined {
    const row = this.stmt.latestSnapshot.get(sessionId, atOrBeforeSeq ?? Number.MAX_SAFE_INTEGER);
    return row ? { session: sessionId, ...row } : undefined;
  }

  /** Stores a token (its hash only); throws `conflict` if the hash is already stored. */
  insertToken(token: Omit<TokenRecord, "revokedAt" | "expiresAt"> & { expiresAt?: number | null }): void {
    try {
      this.lock.write(() =>
        this.stmt.insertToken.run(
          token.id,
          token.kind,
          token.name,
          token.hash,
          token.scope,
          token.createdAt,
          token.expiresAt ?? null,
        ),
      );
    } catch (err) {
      if (isConstraint(err)) throw new DispatchError("conflict", "token already exists", { cause: err });
      throw err;
    }
  }

  /** The unrevoked token with this hash, if any. */
  findTokenByHash(hash: string, now = Date.now()): TokenRecord | undefined {
    return this.stmt.findToken.get(hash, now);
  }

  /** Revokes every live token of this kind and name; returns how many. */
  revokeTokens(kind: string, name: string): number {
    return this.lock.write(() => this.stmt.revokeTokens.run(Date.now(), kind, name).changes);
  }

  /** Revokes the live token with this hash; returns whether there was one. */
  revokeTokenByHash(hash: string): boolean {
    return this.lock.write(() => this.stmt.revokeTokenByHash.run(Date.now(), hash).changes > 0);
  }

  /** Records who did what (detail is stored as JSON), from where and on which session. */
  audit(
    actor: string,
    action: string,
    detail: Record<string, unknown> = {},
    where: { address?: string | undefined; session?: string | undefined } = {},
  ): void {
    this.lock.write(() =>
      this.stmt.audit.run(
        Date.now(),
        actor,
        action,
        JSON.stringify(detail),
        where.address ?? null,
        where.session ?? null,
      ),
    );
  }

  /**
   * Writes one audit row: whether the database accepts writes again after a failure. Throws
   * like any write would (and through the same test fault).
   */
  probeWrite(detail: Record<string, unknown>): void {
    this.fault?.();
    this.audit("hub", "storage-recovered", detail);
  }

  /**
   * A consistent copy of the whole database into `file`, taken online (SQLite's backup API:
   * writers keep going, the copy is of one moment). The copy is 0600.
   */
  async backupTo(file: string): Promise<number> {
    closeSync(openSync(file, "w", 0o600));
    chmodSync(file, 0o600);
    await this.db.backup(file);
    return statSync(file).size;
  }

  /**
   * `PRAGMA quick_check` (O(N), skips index cross-checks) or, with `full`, `integrity_check`
   * and then every event against its checksum. Returns the problems found, empty when the
   * database is sound. `maxErrors` bounds the report (and, for quick_check, the work done
   * after the first problems).
   */
  check(options: { full: boolean; maxErrors?: number }): string[] {
    const maxErrors = options.maxErrors ?? 20;
    const pragma = options.full ? "integrity_check" : "quick_check";
    // The event log's file only: the search index is derived, and replaced when damaged.
    const rows = this.db.pragma(`main.${pragma}(${maxErrors})`) as Record<string, string>[];
    const lines = rows.map((row) => String(Object.values(row)[0]));
    const problems = lines.length === 1 && lines[0] === "ok" ? [] : lines;
    if (!options.full || problems.length >= maxErrors) return problems;
    try {
      const damaged = findDamagedEvents(this.db, maxErrors - problems.length);
      return [...problems, ...damaged.map(describeDamagedEvent)];
    } catch (err) {
      // Pages too broken to read every event: integrity_check has listed them already.
      if (problems.length > 0 && isCorrupt(err)) return problems;
      throw err;
    }
  }

  /**
   * After a recovery: deletes every event row that does not verify (garbled columns, or bytes
   * that do not match its checksum) with its search lines, and returns them.
   */
  dropDamagedEvents(): DamagedEvent[] {
    return dropDamagedEvents(this.db);
  }

  /**
   * After a recovery: sets each session's last seq to its newest readable event (so hosts
   * resend anything later they still hold) and lists what each session kept.
   */
  recoveredSummary(): { id: string; name: string; events: number; lastSeq: number }[] {
    this.db.exec(
      "UPDATE sessions SET last_seq = COALESCE((SELECT MAX(seq) FROM events WHERE session_id = sessions.id), 0)",
    );
    this.seqCache.clear();
    return this.db
      .prepare<[], { id: string; name: string; events: number; lastSeq: number }>(
        "SELECT id, name, (SELECT COUNT(*) FROM events WHERE session_id = sessions.id) AS events, " +
          "last_seq AS lastSeq FROM sessions ORDER BY created_at",
      )
      .all();
  }

  /** Size of the database in bytes (pages in use, not counting the WAL). */
  sizeBytes(): number {
    const pages = this.db.pragma("page_count", { simple: true }) as number;
    const pageSize = this.db.pragma("page_size", { simple: true }) as number;
    return pages * pageSize;
  }

  /** Last stored seq from the cache or the sessions table; undefined for an unknown session. */
  private storedLastSeq(sessionId: string): number | undefined {
    const cached = this.seqCache.get(sessionId);
    if (cached !== undefined) return cached;
    const row = this.stmt.sessionLastSeq.get(sessionId);
    if (!row) return undefined;
    this.seqCache.set(sessionId, row.last_seq);
    return row.last_seq;
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
    err instanceof Database.SqliteError &&
    (err.code.startsWith("SQLITE_CORRUPT") || err.code === "SQLITE_NOTADB")
  );
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
