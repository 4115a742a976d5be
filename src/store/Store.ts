/**
 * What the hub needs from its store, whatever the engine: session records, the per-session
 * append-only event log, snapshots, tokens, hosts, people, audit and the output search index.
 * Two engines implement it: SQLite (`sqlite/SqliteStore.ts`, the embedded default) and
 * PostgreSQL (`postgres/PostgresStore.ts`, for several hub nodes on one database).
 *
 * The interface is synchronous on purpose: seq assignment, batch ordering and the attach rule
 * ("everything after seq N") rely on a read seeing every append that returned before it, and
 * on nothing interleaving inside a batch. The PostgreSQL engine keeps that with libpq's
 * blocking calls (pg-native) on one connection.
 */
import type { SessionEvent } from "../protocol/events.js";
import type { SessionRecord } from "./rows.js";

export type { SessionRecord } from "./rows.js";

/** Which engine a store runs on (`dispatch status`, metrics, engine-only features). */
export type StoreEngine = "sqlite" | "postgres";

export interface SnapshotRecord {
  session: string;
  /** The last event seq the snapshot includes. */
  seq: number;
  ts: number;
  cols: number;
  rows: number;
  /** Serialized screen (escape sequences that redraw it). */
  data: string;
  /** The session's total output bytes at `seq` (retention measures history from here). */
  bytes?: number;
}

export interface TokenRecord {
  id: string;
  kind: string;
  name: string;
  hash: string;
  scope: string;
  createdAt: number;
  revokedAt: number | null;
  /** Past this time the token no longer counts (share links); null: until revoked. */
  expiresAt: number | null;
  /** What the owner called a share link's holder (`share --label`); null: none given. */
  label: string | null;
}

/** A token to store: a new one is live, so no `revokedAt`; expiry and label are optional. */
export type NewToken = Omit<TokenRecord, "revokedAt" | "expiresAt" | "label"> & {
  expiresAt?: number | null;
  label?: string | null;
};

/** The `tokens` columns an insert fills, in order (both engines' statements name them so). */
export type TokenValues = [string, string, string, string, string, number, number | null, string | null];

/** A new token's values for `INSERT INTO tokens (id, kind, name, hash, scope, created_at, expires_at, label)`. */
export function tokenValues(token: NewToken): TokenValues {
  const { id, kind, name, hash, scope, createdAt } = token;
  return [id, kind, name, hash, scope, createdAt, token.expiresAt ?? null, token.label ?? null];
}

/** Where and when an audited action happened. */
export interface AuditWhere {
  address?: string | undefined;
  session?: string | undefined;
  /** When it happened (ms since the epoch); now when absent (a row written late keeps its time). */
  at?: number | undefined;
}

export interface StoredHost {
  id: string;
  name: string;
  /** JSON facts: hostname, os, arch, version, capabilities, labels, address, lastStatus. */
  info: Record<string, unknown>;
  createdAt: number;
  lastSeenAt: number | null;
}

export interface StoredUser {
  id: string;
  name: string;
  role: string;
  email: string | null;
  createdAt: number;
}

export interface StoredShare {
  id: string;
  session: string;
  role: string;
  createdAt: number;
  expiresAt: number | null;
  label: string | null;
}

export interface StoredAudit {
  id: number;
  ts: number;
  actor: string;
  action: string;
  address: string | null;
  session: string | null;
  detail: Record<string, unknown>;
}

export interface AuditFilter {
  session?: string | undefined;
  since?: number | undefined;
  limit: number;
}

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
  /**
   * Only lines of sessions this accepts (the asker may watch them), tested before the limit
   * counts a line: a person gets their `limit` lines however many others' sessions match.
   */
  visible?: ((session: string) => boolean) | undefined;
  limit: number;
}

/** The `hosts` table: remote hosts the hub knows and the facts they last reported. */
export interface HostStore {
  list(): StoredHost[];
  get(id: string): StoredHost | undefined;
  /** Creates the row if it does not exist yet (the id is fixed from then on). */
  ensure(id: string, name: string, now?: number): StoredHost;
  save(id: string, info: Record<string, unknown>, lastSeenAt: number | null): void;
  /** How many unrevoked tokens of this kind carry this name. */
  liveTokens(kind: string, name: string): number;
}

/** Users, grants, share links and reading the audit trail back. */
export interface PeopleStore {
  users(): StoredUser[];
  byName(name: string): StoredUser | undefined;
  byId(id: string): StoredUser | undefined;
  byEmail(email: string): StoredUser | undefined;
  insert(user: StoredUser): void;
  setRole(id: string, role: string): void;
  remove(id: string): boolean;
  grants(userId: string): Record<string, string>;
  grant(userId: string, sessionId: string): string | undefined;
  setGrant(userId: string, sessionId: string, role: string | undefined): void;
  /** Live (unrevoked, unexpired) share links. */
  shares(now?: number): StoredShare[];
  /** The share link with this id, if it is live (an open connection's link is checked again). */
  liveShare(id: string, now?: number): StoredShare | undefined;
  revokeShare(id: string): boolean;
  /** Audit entries, oldest first (the newest `limit` of those matching). */
  audit(filter: AuditFilter): StoredAudit[];
}

/** The index of stored output: follows the event log with a cursor per session. */
export interface SearchStore {
  /** Indexes stored output not yet indexed, about `maxEvents` events at most; whether more is left. */
  catchUp(maxEvents: number): boolean;
  /** The newest `limit` lines holding every word, returned oldest first. */
  search(request: SearchRequest): SearchHit[];
}

/** The store's write-ahead log, when its engine lets the hub choose when to checkpoint it. */
export interface WriteAheadLog {
  /** From now on this connection's commits leave checkpoints to `checkpoint()`. */
  checkpointOnlyOnRequest(): void;
  /** Copies the log into the database as far as readers allow, without waiting for them. */
  checkpoint(): void;
}

export interface Store {
  readonly engine: StoreEngine;
  /** Undefined when the engine checkpoints by itself (PostgreSQL). */
  readonly wal?: WriteAheadLog | undefined;
  /**
   * A database file a second connection may open (the search index worker); undefined when
   * the store lives in memory or on a server.
   */
  readonly file: string | undefined;
  /** Where the data lives, for people: the file's path, or the server's URL without its password. */
  readonly location: string;
  /** Events from the last `appendBatch` that were refused: seq jumps and unknown sessions. */
  readonly lastRejected: SessionEvent[];
  readonly people: PeopleStore;
  readonly hosts: HostStore;
  readonly search: SearchStore;

  /**
   * While the store's connection to its server is being opened again (PostgreSQL): why, and
   * since when (ms since the epoch). Absent, or undefined, while it serves.
   */
  reconnecting?(): { problem: string; since: number } | undefined;
  /**
   * Calls `listener` each time the store's connection to its server is open again after a loss
   * (PostgreSQL): what failed meanwhile can be written now. Returns its removal.
   */
  onReconnected?(listener: () => void): () => void;

  /** Closes the store; safe to call more than once. */
  close(): void;
  [Symbol.dispose](): void;

  /** Inserts a new session; throws `conflict` when its name or id is taken. */
  insertSession(rec: SessionRecord): void;
  /** Updates only the given fields; throws `conflict` on a taken name, `not_found` on an unknown id. */
  updateSession(id: string, patch: Partial<Omit<SessionRecord, "id">>): void;
  getSession(id: string): SessionRecord | undefined;
  getSessionByName(name: string): SessionRecord | undefined;
  /** Every session, oldest first. */
  listSessions(): SessionRecord[];
  /** Deletes a session with its events, snapshots and search index rows, in one transaction. */
  deleteSession(id: string): void;

  /**
   * Appends events in one transaction and returns those actually appended, in order (the same
   * objects). Per session: seq <= last is a replay and skipped; seq == last+1 is appended; a
   * `gap` with `data.fromSeq == last+1` may jump to its own seq; anything else, and events for
   * unknown sessions, are refused and listed in `lastRejected`.
   */
  appendBatch(events: readonly SessionEvent[]): SessionEvent[];
  /** Events with seq > afterSeq, in seq order, at most `limit` of them. */
  readEvents(sessionId: string, afterSeq: number, limit?: number): SessionEvent[];
  countEvents(sessionId: string): number;
  /** Seq of the session's last stored event; 0 when there is none or no such session. */
  lastSeq(sessionId: string): number;
  /** Seq of the oldest stored event (0 when none). */
  firstSeq(sessionId: string): number;

  /** Stores a screen snapshot (replacing one at the same seq). */
  putSnapshot(snapshot: SnapshotRecord): void;
  /** Seq and total output bytes of every snapshot of a session, oldest first (no data). */
  snapshotPositions(sessionId: string): { seq: number; bytes: number }[];
  /** The newest snapshot at or before `atOrBeforeSeq` (default: the newest of all). */
  latestSnapshot(sessionId: string, atOrBeforeSeq?: number): SnapshotRecord | undefined;
  /**
   * Retention: drops a session's events up to and including `seq`, their search rows and the
   * snapshots before it, in one transaction; the snapshot at `seq` stays.
   */
  compactThrough(sessionId: string, seq: number): void;
  /** The seq after which the newest `bytes` of stored output begin (0 when the history is smaller). */
  seqBeforeTailBytes(sessionId: string, bytes: number): number;
  /** Output bytes stored after `seq` (how far behind a reader at `seq` is). */
  outputBytesAfter(sessionId: string, seq: number): number;
  /** Output bytes currently stored for a session (after retention). */
  storedOutputBytes(sessionId: string): number;

  /** Stores a token (its hash only); throws `conflict` if the hash is already stored. */
  insertToken(token: NewToken): void;
  /** The unrevoked, unexpired token with this hash, if any. */
  findTokenByHash(hash: string, now?: number): TokenRecord | undefined;
  /**
   * The live tokens whose hash begins with `prefix` (lower-case hex): a key proof names its
   * token by such a prefix (`platform/keyProof.ts`). A range on the hash's index, not a scan.
   */
  findTokensByHashPrefix(prefix: string, now?: number): TokenRecord[];
  /**
   * The revoked tokens whose hash begins with `prefix`: the hub's refusal of a revoked host
   * token proves the hub knew it (`server/hostEndpoint.ts`), which tells it from a stranger.
   */
  findRevokedTokensByHashPrefix(prefix: string): TokenRecord[];
  /** Revokes every live token of this kind and name; returns how many. */
  revokeTokens(kind: string, name: string): number;
  /** Revokes the live token with this hash; returns whether there was one. */
  revokeTokenByHash(hash: string): boolean;

  /** Records who did what (detail is stored as JSON), from where, on which session and when. */
  audit(actor: string, action: string, detail?: Record<string, unknown>, where?: AuditWhere): void;
  /** Writes one audit row: whether the store accepts writes again after a failure. */
  probeWrite(detail: Record<string, unknown>): void;

  /** A consistent copy of the whole database into `file` (0600); its size in bytes. */
  backupTo(file: string): Promise<number>;
  /** Problems found by the engine's own consistency check; empty when sound. */
  check(options: { full: boolean; maxErrors?: number }): string[];
  /** Size of the stored data in bytes. */
  sizeBytes(): number;
}

/** Events per read when a session's whole log is read (revive, a kind's export). */
const LOG_PAGE_EVENTS = 1000;

/** Every stored event of a session, oldest first, read page by page as it is consumed. */
export function* readWholeLog(store: Store, sessionId: string): Generator<SessionEvent> {
  for (let after = 0; ; ) {
    const page = store.readEvents(sessionId, after, LOG_PAGE_EVENTS);
    const last = page[page.length - 1];
    if (!last) return;
    yield* page;
    after = last.seq;
  }
}
