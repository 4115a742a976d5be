/**
 * The SQLite store (the embedded default): session records here; the per-session append-only
 * event log and screen snapshots in `EventLog`, tokens and audit in `TokenRecords`, people,
 * hosts and search in their own records. Synchronous (better-sqlite3): callers batch writes
 * off the hot path and hand them over in one `appendBatch` call, which is one transaction.
 */
import type Database from "better-sqlite3";
import type { SessionEvent } from "../../protocol/events.js";
import type { SessionRecord } from "../rows.js";
import type { AuditWhere, NewToken, SnapshotRecord, Store, TokenRecord, WriteAheadLog } from "../Store.js";
import { injectedFault } from "../storageErrors.js";
import { writeBackup } from "./backupFile.js";
import { attachSearchFile, openConnection } from "./connection.js";
import { createPrivately } from "./databaseFile.js";
import { EventLog } from "./EventLog.js";
import { checkDatabase, type DamagedEvent, dropDamagedEvents } from "./eventIntegrity.js";
import { HostRecords } from "./HostRecords.js";
import { LockWait } from "./lockWait.js";
import { applyMigrations } from "./migrations.js";
import { PeopleRecords } from "./PeopleRecords.js";
import { SearchIndex } from "./SearchIndex.js";
import { SessionRecords } from "./SessionRecords.js";
import { TokenRecords } from "./TokenRecords.js";

export type { SessionRecord } from "../rows.js";
export type { SnapshotRecord, TokenRecord } from "../Store.js";

export class SqliteStore implements Store {
  readonly engine = "sqlite";

  private readonly sessions: SessionRecords;
  private readonly log: EventLog;
  private readonly tokens: TokenRecords;
  private peopleRecords: PeopleRecords | undefined;
  private hostRecords: HostRecords | undefined;
  private searchIndex: SearchIndex | undefined;
  /** Test-only: throws while the fault file exists (see `injectedFault`). */
  private readonly fault = injectedFault();
  /** Shortens the wait for another program's lock while it holds writes off (see `LockWait`). */
  private readonly lock: LockWait;

  private constructor(private readonly db: Database.Database) {
    this.lock = new LockWait(db);
    this.log = new EventLog(db, this.lock);
    this.tokens = new TokenRecords(db, this.lock);
    this.sessions = new SessionRecords(db, this.lock, this.log);
  }

  /** Opens (creating if needed, mode 0600) the database at `path` and applies migrations. */
  static open(path: string): SqliteStore {
    const onDisk = path !== ":memory:" && path !== "";
    if (onDisk) createPrivately(path);
    const db = openConnection(path);
    try {
      applyMigrations(db);
      attachSearchFile(db, onDisk ? path : undefined);
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

  // Session records, the event log, snapshots and tokens, documented on `Store`.
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
    return this.sessions.byName(name);
  }

  listSessions(): SessionRecord[] {
    return this.sessions.list();
  }

  deleteSession(id: string): void {
    this.sessions.remove(id);
  }

  appendBatch(events: readonly SessionEvent[]): SessionEvent[] {
    this.fault?.();
    return this.log.appendBatch(events);
  }

  get lastRejected(): SessionEvent[] {
    return this.log.lastRejected;
  }

  readEvents(sessionId: string, afterSeq: number, limit?: number): SessionEvent[] {
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

  /** Records who did what (detail is stored as JSON), from where and on which session. */
  audit(actor: string, action: string, detail: Record<string, unknown> = {}, where: AuditWhere = {}): void {
    this.fault?.();
    this.tokens.audit(actor, action, detail, where);
  }

  /**
   * Writes one audit row: whether the database accepts writes again after a failure. Throws
   * like any write would (and through the same test fault).
   */
  probeWrite(detail: Record<string, unknown>): void {
    this.audit("hub", "storage-recovered", detail);
  }

  /**
   * A consistent copy of the whole database into `file`, taken online (SQLite's backup API:
   * writers keep going, the copy is of one moment). The copy is 0600; see `writeBackup`.
   */
  backupTo(file: string): Promise<number> {
    return writeBackup(this.db, file);
  }

  /** See `checkDatabase`: the problems found, empty when the database is sound. */
  check(options: { full: boolean; maxErrors?: number }): string[] {
    return checkDatabase(this.db, options);
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
    this.log.forgetLastSeq();
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
}
