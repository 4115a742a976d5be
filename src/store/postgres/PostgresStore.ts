/**
 * The PostgreSQL store: the same records, log and rules as the SQLite store (`Store.ts`), on
 * a server several hub nodes can share. One synchronous libpq connection per store (see
 * `PgConnection`); a batch is one transaction with its events inserted in multi-row
 * statements, so a batch costs a few round trips rather than one per event.
 */
import { DispatchError } from "../../core/errors.js";
import type { SessionEvent } from "../../protocol/events.js";
import type { SessionRecord } from "../rows.js";
import type { AuditWhere, NewToken, SnapshotRecord, Store, TokenRecord } from "../Store.js";
import { injectedFault } from "../storageErrors.js";
import { applyPgMigrations } from "./migrations.js";
import { joinCluster, soleNodeClaim } from "./nodeLock.js";
import { PgConnection } from "./PgConnection.js";
import { PgEventLog } from "./PgEventLog.js";
import { PgHostRecords, PgPeopleRecords } from "./PgRecords.js";
import { PgSearchIndex } from "./PgSearchIndex.js";
import { PgSessionRecords } from "./PgSessionRecords.js";
import { PgTokenRecords } from "./PgTokenRecords.js";
import { redact } from "./PostgresError.js";
import { checkPgStore } from "./pgCheck.js";

export class PostgresStore implements Store {
  readonly engine = "postgres";
  readonly file = undefined;
  readonly people: PgPeopleRecords;
  readonly hosts: PgHostRecords;
  readonly search: PgSearchIndex;
  private closed = false;
  private readonly log: PgEventLog;
  private readonly tokens: PgTokenRecords;
  private readonly sessions: PgSessionRecords;
  /**
   * Test-only: appends, the recovery probe and event reads throw while the fault file exists
   * (see `injectedFault`); reads too, so a test can fail one cluster node's reads while the
   * server is up for the others.
   */
  private readonly fault = injectedFault();

  private constructor(
    private readonly db: PgConnection,
    /** The server's URL without its password. */
    readonly location: string,
  ) {
    this.people = new PgPeopleRecords(db);
    this.hosts = new PgHostRecords(db);
    this.search = new PgSearchIndex(db);
    this.log = new PgEventLog(db);
    this.tokens = new PgTokenRecords(db);
    this.sessions = new PgSessionRecords(db, this.log);
  }

  /**
   * Connects to `url` (`postgres://…`) and applies migrations. `sole` (one hub on the database,
   * with its local host) holds an advisory lock exclusively for the connection's lifetime;
   * `cluster` (a hub node) holds it shared. So a sole hub refuses to start beside cluster nodes
   * or another sole hub (each would believe it owns every session), while nodes join freely.
   */
  static open(url: string, options: { node?: "sole" | "cluster" } = {}): PostgresStore {
    const claim =
      options.node === "sole" ? soleNodeClaim() : options.node === "cluster" ? joinCluster : undefined;
    const db = new PgConnection(url, claim);
    try {
      applyPgMigrations(db);
      db.bound();
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
    this.log.fenceAppends(options);
  }

  reconnecting(): { problem: string; since: number } | undefined {
    return this.db.reconnecting();
  }

  onReconnected(listener: () => void): () => void {
    return this.db.onReopen(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  // Sessions, the event log, snapshots and tokens, documented on `Store`.
  insertSession(rec: SessionRecord): void {
    this.sessions.insert(rec);
  }

  updateSession(id: string, patch: Partial<Omit<SessionRecord, "id">>): void {
    this.sessions.update(id, patch);
  }

  getSession(id: string): SessionRecord | undefined {
    return this.sessions.get(id);
  }

  getSessionByName(name: string): SessionRecord | undefined {
    return this.sessions.getByName(name);
  }

  listSessions(): SessionRecord[] {
    return this.sessions.list();
  }

  deleteSession(id: string): void {
    this.sessions.delete(id);
  }

  appendBatch(events: readonly SessionEvent[]): SessionEvent[] {
    this.fault?.();
    return this.log.appendBatch(events);
  }

  get lastRejected(): SessionEvent[] {
    return this.log.lastRejected;
  }

  readEvents(sessionId: string, afterSeq: number, limit?: number): SessionEvent[] {
    this.fault?.();
    return this.log.readEvents(sessionId, afterSeq, limit);
  }

  countEvents(sessionId: string): number {
    return this.log.countEvents(sessionId);
  }

  lastSeq(sessionId: string): number {
    return this.log.lastSeq(sessionId);
  }

  firstSeq(sessionId: string): number {
    return this.log.firstSeq(sessionId);
  }

  putSnapshot(snapshot: SnapshotRecord): void {
    this.log.putSnapshot(snapshot);
  }

  snapshotPositions(sessionId: string): { seq: number; bytes: number }[] {
    return this.log.snapshotPositions(sessionId);
  }

  latestSnapshot(sessionId: string, atOrBeforeSeq?: number): SnapshotRecord | undefined {
    return this.log.latestSnapshot(sessionId, atOrBeforeSeq);
  }

  compactThrough(sessionId: string, seq: number): void {
    this.log.compactThrough(sessionId, seq);
  }

  seqBeforeTailBytes(sessionId: string, bytes: number): number {
    return this.log.seqBeforeTailBytes(sessionId, bytes);
  }

  outputBytesAfter(sessionId: string, seq: number): number {
    return this.log.outputBytesAfter(sessionId, seq);
  }

  storedOutputBytes(sessionId: string): number {
    return this.log.storedOutputBytes(sessionId);
  }

  insertToken(token: NewToken): void {
    this.tokens.insert(token);
  }

  findTokenByHash(hash: string, now = Date.now()): TokenRecord | undefined {
    return this.tokens.findByHash(hash, now);
  }

  findTokensByHashPrefix(prefix: string, now = Date.now()): TokenRecord[] {
    return this.tokens.findByHashPrefix(prefix, now);
  }

  findRevokedTokensByHashPrefix(prefix: string): TokenRecord[] {
    return this.tokens.findRevokedByHashPrefix(prefix);
  }

  revokeTokens(kind: string, name: string): number {
    return this.tokens.revoke(kind, name);
  }

  revokeTokenByHash(hash: string): boolean {
    return this.tokens.revokeByHash(hash);
  }

  audit(actor: string, action: string, detail: Record<string, unknown> = {}, where: AuditWhere = {}): void {
    this.tokens.audit(actor, action, detail, where);
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
   * What dispatch can check from one connection (see `checkPgStore`); page-level checks belong
   * to the server (amcheck, data checksums).
   */
  check(options: { full: boolean; maxErrors?: number }): string[] {
    return checkPgStore(this.db, options);
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
}
