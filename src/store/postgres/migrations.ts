/**
 * The PostgreSQL store's schema, versioned on its own (its list starts at 1 and is unrelated
 * to SQLite's). The tables are SQLite's, in PostgreSQL types: bytea for event payloads,
 * bigint for seqs and byte counts, double precision for times in ms. Each migration runs in
 * one transaction with its row in `migrations`, under an advisory lock, so hub nodes starting
 * together apply it once. Never edit a released migration: add a new one.
 */
import { DispatchError } from "../../core/errors.js";
import type { PgConnection } from "./PgConnection.js";
import { fillFoldedColumn } from "./pgFolded.js";

export interface PgMigration {
  version: number;
  description: string;
  sql: string;
  /** Runs after `sql`, in its transaction: what SQL cannot compute. */
  after?: (db: PgConnection) => void;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    description:
      "sessions, events, snapshots, hosts, tokens, audit, users, grants, search lines (the SQLite schema at its version 5)",
    sql: `
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        name TEXT UNIQUE NOT NULL,
        kind TEXT NOT NULL,
        host TEXT NOT NULL,
        status TEXT NOT NULL,
        exit_code INTEGER,
        reason TEXT,
        command TEXT NOT NULL DEFAULT '[]',
        cwd TEXT NOT NULL,
        cols INTEGER NOT NULL,
        rows INTEGER NOT NULL,
        pid INTEGER,
        foreground TEXT,
        created_at DOUBLE PRECISION NOT NULL,
        last_activity_at DOUBLE PRECISION NOT NULL,
        last_seq BIGINT NOT NULL DEFAULT 0,
        bytes BIGINT NOT NULL DEFAULT 0,
        preview TEXT NOT NULL DEFAULT '',
        env TEXT NOT NULL DEFAULT '{}',
        meta TEXT NOT NULL DEFAULT '{}',
        project TEXT
      );
      CREATE INDEX sessions_created_at ON sessions (created_at);
      CREATE INDEX sessions_project ON sessions (project);

      CREATE TABLE events (
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        seq BIGINT NOT NULL,
        ts DOUBLE PRECISION NOT NULL,
        type TEXT NOT NULL,
        data BYTEA NOT NULL,
        PRIMARY KEY (session_id, seq)
      );

      CREATE TABLE snapshots (
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        seq BIGINT NOT NULL,
        ts DOUBLE PRECISION NOT NULL,
        cols INTEGER NOT NULL,
        rows INTEGER NOT NULL,
        data TEXT NOT NULL,
        bytes BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (session_id, seq)
      );

      CREATE TABLE hosts (
        id TEXT PRIMARY KEY,
        name TEXT UNIQUE,
        info TEXT NOT NULL DEFAULT '{}',
        created_at DOUBLE PRECISION NOT NULL,
        last_seen_at DOUBLE PRECISION
      );

      CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        hash TEXT UNIQUE NOT NULL,
        scope TEXT NOT NULL,
        created_at DOUBLE PRECISION NOT NULL,
        revoked_at DOUBLE PRECISION,
        expires_at DOUBLE PRECISION
      );
      CREATE INDEX tokens_kind_name ON tokens (kind, name);

      CREATE TABLE audit (
        id BIGSERIAL PRIMARY KEY,
        ts DOUBLE PRECISION NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}',
        address TEXT,
        session_id TEXT
      );
      CREATE INDEX audit_ts ON audit (ts);
      CREATE INDEX audit_session ON audit (session_id, ts);

      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        name TEXT UNIQUE NOT NULL,
        role TEXT NOT NULL,
        email TEXT UNIQUE,
        created_at DOUBLE PRECISION NOT NULL
      );
      CREATE TABLE grants (
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        role TEXT NOT NULL,
        PRIMARY KEY (user_id, session_id)
      );

      -- Search: plain-text lines per output event (matched with ILIKE, no full-text index),
      -- and how far each session's events are indexed.
      CREATE TABLE search_lines (
        id BIGSERIAL PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        seq BIGINT NOT NULL,
        ts DOUBLE PRECISION NOT NULL,
        text TEXT NOT NULL
      );
      CREATE INDEX search_lines_session_seq ON search_lines (session_id, seq);
      CREATE INDEX search_lines_ts ON search_lines (ts);
      CREATE TABLE search_cursor (
        session_id TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
        seq BIGINT NOT NULL,
        carry TEXT NOT NULL DEFAULT ''
      );
    `,
  },
  {
    version: 2,
    description: "cluster: hub nodes with heartbeats, host intake leases, cluster-wide settings",
    sql: `
      CREATE TABLE nodes (
        id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        pid INTEGER,
        started_at DOUBLE PRECISION NOT NULL,
        heartbeat_at DOUBLE PRECISION NOT NULL,
        hosts INTEGER NOT NULL DEFAULT 0,
        clients INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE host_leases (
        host_id TEXT PRIMARY KEY,
        node_id TEXT NOT NULL,
        taken_at DOUBLE PRECISION NOT NULL,
        expires_at DOUBLE PRECISION NOT NULL
      );
      CREATE INDEX host_leases_node ON host_leases (node_id);
      CREATE TABLE cluster_settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    description: "cluster: the holder's view of each host's link (health, round trip), for the other nodes",
    sql: "ALTER TABLE host_leases ADD COLUMN link JSONB;",
  },
  {
    version: 4,
    description:
      "events carry a CRC-32 of what makes them (the SQLite schema at its version 6); older rows stay NULL",
    // bigint: the CRC is unsigned 32-bit, past integer's range.
    sql: "ALTER TABLE events ADD COLUMN checksum BIGINT;",
  },
  {
    version: 5,
    description:
      "search finds words whatever their accents: search lines keep their text folded (lower case, no accents) beside it, filled for the rows already indexed",
    sql: "ALTER TABLE search_lines ADD COLUMN folded TEXT;",
    after: fillFoldedColumn,
  },
  {
    version: 6,
    description:
      "share links carry the label their owner gave them (`share --label`), naming the holder; older links stay NULL (named by their id)",
    sql: "ALTER TABLE tokens ADD COLUMN label TEXT;",
  },
];

/** Any fixed number: the advisory lock every node takes while it migrates. */
const MIGRATION_LOCK = 7_170_001;

/** Applies every migration newer than the database; returns the versions applied. */
export function applyPgMigrations(
  db: PgConnection,
  migrations: readonly PgMigration[] = PG_MIGRATIONS,
): number[] {
  db.execute("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
  try {
    db.execute(
      "CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)",
    );
    const current = pgSchemaVersion(db);
    const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
    if (current > latest) {
      // An older dispatch must not write into a schema it does not know.
      throw new DispatchError(
        "internal",
        `the database is at schema version ${current}, this dispatch knows up to ${latest}; upgrade dispatch`,
      );
    }
    const applied: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= current) continue;
      db.transaction(() => {
        db.execute(migration.sql);
        migration.after?.(db);
        db.execute("INSERT INTO migrations (version, applied_at) VALUES ($1, $2)", [
          migration.version,
          Date.now(),
        ]);
      });
      applied.push(migration.version);
    }
    return applied;
  } finally {
    db.execute("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]);
  }
}

/** The highest applied migration version (0 for an empty database). */
export function pgSchemaVersion(db: PgConnection): number {
  return db.query<{ v: number | null }>("SELECT MAX(version) AS v FROM migrations")[0]?.v ?? 0;
}
