/**
 * The PostgreSQL store: the same records, log and rules as the SQLite store (`Store.ts`), on
 * a server several hub nodes can share. One synchronous libpq connection per store (see
 * `PgConnection`); a batch is one transaction with its events inserted in multi-row
 * statements, so a batch costs a few round trips rather than one per event.
 */
import { DispatchError } from "../../core/errors.js";
import type { SessionEvent } from "../../protocol/events.js";
import { eventChecksum, eventRowProblem, type StoredEventColumns } from "../eventChecksum.js";
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
import { planAppend, type SnapshotRecord, type Store, type TokenRecord } from "../Store.js";
import { injectedFault } from "../storageErrors.js";
import { applyPgMigrations } from "./migrations.js";
import { textArray } from "./PgCluster.js";
import { PgConnection, redact } from "./PgConnection.js";
import { PgHostRecords, PgPeopleRecords } from "./PgRecords.js";
import { PgSearchIndex } from "./PgSearchIndex.js";
import { LOCK_NOT_AVAILABLE, PostgresError, UNIQUE_VIOLATION } from "./PostgresError.js";

const SESSION_COLUMN_LIST = [
  "id",
  "name",
  "kind",
  "host",
  "status",
  "exit_code",
  "reason",
  "command",
  "cwd",
  "cols",
  "rows",
  "pid",
  "foreground",
  "created_at",
  "last_activity_at",
  "last_seq",
  "bytes",
  "preview",
  "env",
  "meta",
  "project",
] as const;
const SESSION_COLUMNS = SESSION_COLUMN_LIST.join(", ");

/** Longest NOTIFY payload sent (the server refuses 8000 bytes or more). */
const NOTIFY_PAYLOAD_BYTES = 7900;

/** Rows per multi-row event insert (6 parameters each, far below the protocol's 65535). */
const INSERT_CHUNK = 500;

function insertEventsSql(rows: number): string {
  const values: string[] = [];
  for (let i = 0; i < rows; i++) {
    const p = i * 6;
    values.push(`($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6})`);
  }
  return `INSERT INTO events (session_id, seq, ts, type, data, checksum) VALUES ${values.join(", ")}`;
}

const INSERT_FULL_CHUNK_SQL = insertEventsSql(INSERT_CHUNK);

/** Events read per query by a full check (bounds the memory one page of payloads takes). */
const CHECK_PAGE_ROWS = 500;

export class PostgresStore implements Store {
  readonly engine = "postgres";
  readonly file = undefined;
  lastRejected: SessionEvent[] = [];

  /**
   * Last stored seq per session, so appending does not read the sessions table per event.
   * Only updated after a transaction commits. Off in cluster mode (`fenceAppends`): another
   * node may have appended since.
   */
  private readonly seqCache = new Map<string, number>();
  readonly people: PgPeopleRecords;
  readonly hosts: PgHostRecords;
  readonly search: PgSearchIndex;
  /** Prepared-statement names of the column sets `updateSession` has seen (names stay short). */
  private readonly updateNames = new Map<string, string>();
  private closed = false;
  private fence: { node: string; channel: string } | undefined;
  /** Test-only: throws while the fault file exists (see `injectedFault`). */
  private readonly fault = injectedFault();

  private constructor(
    private readonly db: PgConnection,
    /** The server's URL without its password. */
    readonly location: string,
  ) {
    this.people = new PgPeopleRecords(db);
    this.hosts = new PgHostRecords(db);
    this.search = new PgSearchIndex(db);
  }

  /**
   * Connects to `url` (`postgres://…`) and applies migrations. `sole` (one hub on the database,
   * with its local host) holds an advisory lock exclusively for the connection's lifetime;
   * `cluster` (a hub node) holds it shared. So a sole hub refuses to start beside cluster nodes
   * or another sole hub (each would believe it owns every session), while nodes join freely.
   */
  static open(url: string, options: { node?: "sole" | "cluster" } = {}): PostgresStore {
    const claim =
      options.node === "sole" ? claimSoleNode : options.node === "cluster" ? joinCluster : undefined;
    const db = new PgConnection(url, claim);
    try {
      applyPgMigrations(db);
    } catch (err) {
      db.close();
      throw err;
    }
    return new PostgresStore(db, redact(url));
  }

  /** The connection, for the cluster's own tables (leases, node rows). */
  get connection(): PgConnection {
    return this.db;
  }

  /**
   * Cluster mode: from now on an event is appended only while its session's host lease is
   * `node`'s (checked in the append transaction, the lease row share-locked so a takeover waits
   * for it), any other is refused like an event of an unknown session; last seqs are read from
   * the table, never from memory another node's appends made stale; and each commit notifies
   * `channel` with `session:seq` of what it stored (delivered only if it commits).
   */
  fenceAppends(options: { node: string; channel: string }): void {
    this.fence = options;
    this.seqCache.clear();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  insertSession(rec: SessionRecord): void {
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
    this.seqCache.set(rec.id, rec.lastSeq);
  }

  updateSession(id: string, patch: Partial<Omit<SessionRecord, "id">>): void {
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
    if (patch.lastSeq !== undefined) this.seqCache.delete(id);
  }

  getSession(id: string): SessionRecord | undefined {
    const row = this.db.query<SessionRow>(
      `SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = $1`,
      [id],
      "sessions_get",
    )[0];
    return row ? rowToSession(row) : undefined;
  }

  getSessionByName(name: string): SessionRecord | undefined {
    const row = this.db.query<SessionRow>(
      `SELECT ${SESSION_COLUMNS} FROM sessions WHERE name = $1`,
      [name],
      "sessions_by_name",
    )[0];
    return row ? rowToSession(row) : undefined;
  }

  listSessions(): SessionRecord[] {
    return this.db
      .query<SessionRow>(
        `SELECT ${SESSION_COLUMNS} FROM sessions ORDER BY created_at, id`,
        [],
        "sessions_list",
      )
      .map(rowToSession);
  }

  deleteSession(id: string): void {
    this.db.transaction(() => {
      for (const table of ["search_lines", "search_cursor", "events", "snapshots", "sessions"]) {
        const column = table === "sessions" ? "id" : "session_id";
        this.db.execute(`DELETE FROM ${table} WHERE ${column} = $1`, [id], `delete_${table}`);
      }
    });
    this.seqCache.delete(id);
  }

  appendBatch(events: readonly SessionEvent[]): SessionEvent[] {
    this.fault?.();
    const fence = this.fence;
    const plan = this.db.transaction(() => {
      const leased = fence ? this.leasedLastSeqs(events, fence.node) : undefined;
      const planned = planAppend(events, (session) =>
        leased ? leased.get(session) : this.storedLastSeq(session),
      );
      this.insertEvents(planned.appended);
      for (const [session, totals] of planned.totals) {
        // Activity never moves backwards: a late batch of old output must not make a session look idle.
        this.db.execute(
          "UPDATE sessions SET last_seq = $1, bytes = bytes + $2, " +
            "last_activity_at = GREATEST(last_activity_at, COALESCE($3::double precision, last_activity_at)) " +
            "WHERE id = $4",
          [totals.lastSeq, totals.bytes, totals.activity, session],
          "append_totals",
        );
      }
      if (fence && planned.totals.size > 0) this.notifyStored(fence.channel, planned.totals);
      return planned;
    });
    if (!fence) for (const [session, totals] of plan.totals) this.seqCache.set(session, totals.lastSeq);
    this.lastRejected = plan.rejected;
    return plan.appended;
  }

  readEvents(sessionId: string, afterSeq: number, limit?: number): SessionEvent[] {
    const rows = this.db.query<EventRow>(
      "SELECT seq, ts, type, data FROM events WHERE session_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
      [sessionId, afterSeq, limit ?? null],
      "events_read",
    );
    return rows.map((row) => rowToEvent(sessionId, row));
  }

  countEvents(sessionId: string): number {
    return (
      this.db.query<{ n: number }>(
        "SELECT COUNT(*) AS n FROM events WHERE session_id = $1",
        [sessionId],
        "events_count",
      )[0]?.n ?? 0
    );
  }

  lastSeq(sessionId: string): number {
    return this.storedLastSeq(sessionId) ?? 0;
  }

  firstSeq(sessionId: string): number {
    return (
      this.db.query<{ seq: number | null }>(
        "SELECT MIN(seq) AS seq FROM events WHERE session_id = $1",
        [sessionId],
        "events_first",
      )[0]?.seq ?? 0
    );
  }

  putSnapshot(snapshot: SnapshotRecord): void {
    const { session, seq, ts, cols, rows, data, bytes } = snapshot;
    this.db.execute(
      "INSERT INTO snapshots (session_id, seq, ts, cols, rows, data, bytes) VALUES ($1, $2, $3, $4, $5, $6, $7) " +
        "ON CONFLICT (session_id, seq) DO UPDATE SET ts = EXCLUDED.ts, cols = EXCLUDED.cols, " +
        "rows = EXCLUDED.rows, data = EXCLUDED.data, bytes = EXCLUDED.bytes",
      [session, seq, ts, cols, rows, data, bytes ?? 0],
      "snapshots_put",
    );
  }

  snapshotPositions(sessionId: string): { seq: number; bytes: number }[] {
    return this.db.query<{ seq: number; bytes: number }>(
      "SELECT seq, bytes FROM snapshots WHERE session_id = $1 ORDER BY seq",
      [sessionId],
      "snapshots_positions",
    );
  }

  latestSnapshot(sessionId: string, atOrBeforeSeq?: number): SnapshotRecord | undefined {
    const row = this.db.query<Omit<SnapshotRecord, "session">>(
      "SELECT seq, ts, cols, rows, data, bytes FROM snapshots WHERE session_id = $1 AND seq <= $2 " +
        "ORDER BY seq DESC LIMIT 1",
      [sessionId, atOrBeforeSeq ?? Number.MAX_SAFE_INTEGER],
      "snapshots_latest",
    )[0];
    return row ? { session: sessionId, ...row } : undefined;
  }

  compactThrough(sessionId: string, seq: number): void {
    this.db.transaction(() => {
      this.db.execute(
        "DELETE FROM events WHERE session_id = $1 AND seq <= $2",
        [sessionId, seq],
        "compact_events",
      );
      this.db.execute(
        "DELETE FROM search_lines WHERE session_id = $1 AND seq <= $2",
        [sessionId, seq],
        "compact_search",
      );
      this.db.execute(
        "DELETE FROM snapshots WHERE session_id = $1 AND seq < $2",
        [sessionId, seq],
        "compact_snapshots",
      );
    });
  }

  seqBeforeTailBytes(sessionId: string, bytes: number): number {
    // The running total from the newest event back, computed by the server: one query, no cursor.
    const row = this.db.query<{ seq: number }>(
      "SELECT seq FROM (SELECT seq, SUM(length(data)) OVER (ORDER BY seq DESC) AS total FROM events " +
        "WHERE session_id = $1 AND type = 'output') t WHERE total >= $2 ORDER BY seq DESC LIMIT 1",
      [sessionId, bytes],
      "events_tail_bytes",
    )[0];
    return row ? row.seq - 1 : 0;
  }

  outputBytesAfter(sessionId: string, seq: number): number {
    return (
      this.db.query<{ bytes: number | null }>(
        "SELECT SUM(length(data)) AS bytes FROM events WHERE session_id = $1 AND seq > $2 AND type = 'output'",
        [sessionId, seq],
        "events_bytes_after",
      )[0]?.bytes ?? 0
    );
  }

  storedOutputBytes(sessionId: string): number {
    return (
      this.db.query<{ bytes: number | null }>(
        "SELECT SUM(length(data)) AS bytes FROM events WHERE session_id = $1 AND type = 'output'",
        [sessionId],
        "events_bytes_stored",
      )[0]?.bytes ?? 0
    );
  }

  insertToken(token: Omit<TokenRecord, "revokedAt" | "expiresAt"> & { expiresAt?: number | null }): void {
    try {
      this.db.execute(
        "INSERT INTO tokens (id, kind, name, hash, scope, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [token.id, token.kind, token.name, token.hash, token.scope, token.createdAt, token.expiresAt ?? null],
        "tokens_insert",
      );
    } catch (err) {
      if (err instanceof PostgresError && err.code === UNIQUE_VIOLATION)
        throw new DispatchError("conflict", "token already exists", { cause: err });
      throw err;
    }
  }

  findTokenByHash(hash: string, now = Date.now()): TokenRecord | undefined {
    return this.db.query<TokenRecord>(
      'SELECT id, kind, name, hash, scope, created_at AS "createdAt", revoked_at AS "revokedAt", ' +
        'expires_at AS "expiresAt" FROM tokens WHERE hash = $1 AND revoked_at IS NULL ' +
        "AND (expires_at IS NULL OR expires_at > $2)",
      [hash, now],
      "tokens_find",
    )[0];
  }

  revokeTokens(kind: string, name: string): number {
    return this.db.execute(
      "UPDATE tokens SET revoked_at = $1 WHERE kind = $2 AND name = $3 AND revoked_at IS NULL",
      [Date.now(), kind, name],
      "tokens_revoke",
    );
  }

  revokeTokenByHash(hash: string): boolean {
    return (
      this.db.execute(
        "UPDATE tokens SET revoked_at = $1 WHERE hash = $2 AND revoked_at IS NULL",
        [Date.now(), hash],
        "tokens_revoke_hash",
      ) > 0
    );
  }

  audit(
    actor: string,
    action: string,
    detail: Record<string, unknown> = {},
    where: { address?: string | undefined; session?: string | undefined } = {},
  ): void {
    this.db.execute(
      "INSERT INTO audit (ts, actor, action, detail, address, session_id) VALUES ($1, $2, $3, $4, $5, $6)",
      [Date.now(), actor, action, JSON.stringify(detail), where.address ?? null, where.session ?? null],
      "audit_insert",
    );
  }

  probeWrite(detail: Record<string, unknown>): void {
    this.fault?.();
    this.audit("hub", "storage-recovered", detail);
  }

  /** Backups of a shared database are the server's business (pg_dump, base backups, replicas). */
  backupTo(_file: string): Promise<number> {
    return Promise.reject(
      new DispatchError(
        "bad_request",
        `the store is PostgreSQL (${this.location}): back it up with PostgreSQL's tools (pg_dump, or base ` +
          "backups and WAL archiving; docs/OPERATIONS.md) — `dispatch backup` copies a SQLite store only",
      ),
    );
  }

  /**
   * What dispatch can check from one connection: the schema is there and every session's last
   * seq agrees with its log; with `full`, every event against its checksum. Page-level checks
   * belong to the server (amcheck, data checksums).
   */
  check(options: { full: boolean; maxErrors?: number }): string[] {
    const limit = options.maxErrors ?? 20;
    const rows = this.db.query<{ name: string; last_seq: number; stored: number | null }>(
      "SELECT s.name, s.last_seq, (SELECT MAX(seq) FROM events e WHERE e.session_id = s.id) AS stored " +
        "FROM sessions s WHERE s.last_seq < COALESCE((SELECT MAX(seq) FROM events e WHERE e.session_id = s.id), 0) " +
        "LIMIT $1",
      [limit],
    );
    const problems = rows.map(
      (r) => `session ${r.name}: last seq ${r.last_seq} but events up to ${r.stored} are stored`,
    );
    if (!options.full || problems.length >= limit) return problems;
    return [...problems, ...this.damagedEvents(limit - problems.length)];
  }

  /** Events whose stored columns do not verify (a full check), read page by page. */
  private damagedEvents(limit: number): string[] {
    const found: string[] = [];
    for (let after: [string, number] = ["", 0]; found.length < limit; ) {
      const page = this.db.query<StoredEventColumns & { name: string }>(
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

  sizeBytes(): number {
    return (
      this.db.query<{ bytes: number }>(
        "SELECT pg_database_size(current_database()) AS bytes",
        [],
        "db_size",
      )[0]?.bytes ?? 0
    );
  }

  /** Inserts the appended events in as few statements as the chunk size allows. */
  private insertEvents(events: readonly SessionEvent[]): void {
    for (let start = 0; start < events.length; start += INSERT_CHUNK) {
      const chunk = events.slice(start, start + INSERT_CHUNK);
      const params: unknown[] = [];
      for (const event of chunk) {
        const data = encodeEventData(event);
        params.push(event.session, event.seq, event.ts, event.type, data, eventChecksum(event, data));
      }
      if (chunk.length === INSERT_CHUNK)
        this.db.execute(INSERT_FULL_CHUNK_SQL, params, "events_insert_chunk");
      else if (chunk.length === 1) this.db.execute(insertEventsSql(1), params, "events_insert_one");
      else this.db.execute(insertEventsSql(chunk.length), params);
    }
  }

  /** Last stored seq of each session of the batch whose host lease `node` holds (share-locked). */
  private leasedLastSeqs(events: readonly SessionEvent[], node: string): Map<string, number> {
    const ids = [...new Set(events.map((event) => event.session))];
    const rows = this.db.query<{ id: string; last_seq: number }>(
      "SELECT s.id, s.last_seq FROM sessions s JOIN host_leases l ON l.host_id = s.host " +
        "WHERE s.id = ANY($1::text[]) AND l.node_id = $2 FOR SHARE OF l",
      [textArray(ids), node],
      "append_leased",
    );
    return new Map(rows.map((row) => [row.id, row.last_seq]));
  }

  /** `session:seq` of each session's last stored event, in payloads under NOTIFY's 8000 bytes. */
  private notifyStored(channel: string, totals: ReadonlyMap<string, { lastSeq: number }>): void {
    let payload = "";
    for (const [session, { lastSeq }] of totals) {
      const item = `${session}:${lastSeq}`;
      if (payload.length + item.length + 1 > NOTIFY_PAYLOAD_BYTES) {
        this.db.execute("SELECT pg_notify($1, $2)", [channel, payload], "append_notify");
        payload = "";
      }
      payload = payload ? `${payload},${item}` : item;
    }
    if (payload) this.db.execute("SELECT pg_notify($1, $2)", [channel, payload], "append_notify");
  }

  /** Last stored seq from the cache or the sessions table; undefined for an unknown session. */
  private storedLastSeq(sessionId: string): number | undefined {
    const cached = this.fence ? undefined : this.seqCache.get(sessionId);
    if (cached !== undefined) return cached;
    const row = this.db.query<{ last_seq: number }>(
      "SELECT last_seq FROM sessions WHERE id = $1",
      [sessionId],
      "sessions_last_seq",
    )[0];
    if (!row) return undefined;
    if (!this.fence) this.seqCache.set(sessionId, row.last_seq);
    return row.last_seq;
  }
}

/** Any fixed number: the advisory lock the one hub node on a database holds. */
const SOLE_NODE_LOCK = 7_170_002;

/**
 * How long a starting hub waits for the lock: a hub killed a moment ago still holds it until
 * the server notices its connection is gone.
 */
const SOLE_NODE_WAIT = "5s";

function claimSoleNode(db: PgConnection): void {
  try {
    db.execute(`SET lock_timeout = '${SOLE_NODE_WAIT}'`);
    db.execute("SELECT pg_advisory_lock($1)", [SOLE_NODE_LOCK]);
    db.execute("SET lock_timeout = 0");
    return;
  } catch (err) {
    if (!(err instanceof PostgresError) || err.code !== LOCK_NOT_AVAILABLE) throw err;
    db.execute("SET lock_timeout = 0");
  }
  const [holder] = db.query<{ addr: string | null; started: string | null }>(
    "SELECT a.client_addr::text AS addr, a.backend_start::text AS started FROM pg_locks l " +
      "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.objid = $1 AND l.granted " +
      "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    [SOLE_NODE_LOCK],
  );
  const who = holder ? ` (connected from ${holder.addr ?? "a local socket"} since ${holder.started})` : "";
  throw new DispatchError(
    "conflict",
    `another hub already uses this PostgreSQL database${who}; run one hub per database, or run every hub as a cluster node (DISPATCH_NODE=NAME, docs/ARCHITECTURE.md "Cluster")`,
  );
}

/** A cluster node holds the lock shared: nodes join each other, a sole hub is kept out. */
function joinCluster(db: PgConnection): void {
  try {
    db.execute(`SET lock_timeout = '${SOLE_NODE_WAIT}'`);
    db.execute("SELECT pg_advisory_lock_shared($1)", [SOLE_NODE_LOCK]);
  } catch (err) {
    if (!(err instanceof PostgresError) || err.code !== LOCK_NOT_AVAILABLE) throw err;
    throw new DispatchError(
      "conflict",
      "a hub that is not a cluster node (no DISPATCH_NODE) already uses this PostgreSQL database; stop it, or start it as a cluster node too",
    );
  } finally {
    db.execute("SET lock_timeout = 0");
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
