/**
 * Versioned schema migrations, applied in order when the store opens. Each one runs in its own
 * transaction together with its row in `migrations`, so a crash mid-migration leaves the
 * database at the previous version rather than half-changed. Never edit a released migration:
 * add a new one.
 */
import type { Database } from "better-sqlite3";
import { DispatchError } from "../../core/errors.js";
import { createSearchSchema, dropSearchTables } from "./searchSchema.js";

export interface Migration {
  version: number;
  description: string;
  up: (db: Database) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "sessions, events, snapshots, hosts, tokens, audit",
    up: (db) => {
      db.exec(`
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
          created_at REAL NOT NULL,
          last_activity_at REAL NOT NULL,
          last_seq INTEGER NOT NULL DEFAULT 0,
          bytes INTEGER NOT NULL DEFAULT 0,
          preview TEXT NOT NULL DEFAULT '',
          env TEXT NOT NULL DEFAULT '{}',
          meta TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX sessions_created_at ON sessions (created_at);

        -- WITHOUT ROWID: the (session_id, seq) key is the clustering order, so reading
        -- "everything after seq N" is one contiguous range scan.
        CREATE TABLE events (
          session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
          seq INTEGER NOT NULL,
          ts REAL NOT NULL,
          type TEXT NOT NULL,
          data BLOB NOT NULL,
          PRIMARY KEY (session_id, seq)
        ) WITHOUT ROWID;

        CREATE TABLE snapshots (
          session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
          seq INTEGER NOT NULL,
          ts REAL NOT NULL,
          cols INTEGER NOT NULL,
          rows INTEGER NOT NULL,
          data TEXT NOT NULL,
          PRIMARY KEY (session_id, seq)
        );

        CREATE TABLE hosts (
          id TEXT PRIMARY KEY,
          name TEXT UNIQUE,
          info TEXT NOT NULL DEFAULT '{}',
          created_at REAL NOT NULL,
          last_seen_at REAL
        );

        CREATE TABLE tokens (
          id TEXT PRIMARY KEY,
          kind TEXT NOT NULL,
          name TEXT NOT NULL,
          hash TEXT UNIQUE NOT NULL,
          scope TEXT NOT NULL,
          created_at REAL NOT NULL,
          revoked_at REAL
        );
        CREATE INDEX tokens_kind_name ON tokens (kind, name);

        CREATE TABLE audit (
          id INTEGER PRIMARY KEY,
          ts REAL NOT NULL,
          actor TEXT NOT NULL,
          action TEXT NOT NULL,
          detail TEXT NOT NULL DEFAULT '{}'
        );
      `);
    },
  },
  {
    version: 2,
    description: "snapshots record the session's total output bytes at their seq (retention)",
    up: (db) => {
      db.exec("ALTER TABLE snapshots ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0");
    },
  },
  {
    version: 3,
    description:
      "search index of stored output: plain-text lines per output event, FTS5, a cursor per session",
    up: (db) => {
      createSearchSchema(db);
    },
  },
  {
    version: 4,
    description:
      "people: users, per-session grants, expiring tokens (share links), audit address and session",
    up: (db) => {
      db.exec(`
        CREATE TABLE users (
          id TEXT PRIMARY KEY,
          name TEXT UNIQUE NOT NULL,
          role TEXT NOT NULL,
          email TEXT UNIQUE,
          created_at REAL NOT NULL
        );
        -- A grant is a user's role on one session, over their global role.
        CREATE TABLE grants (
          user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
          session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
          role TEXT NOT NULL,
          PRIMARY KEY (user_id, session_id)
        );
        ALTER TABLE tokens ADD COLUMN expires_at REAL;
        ALTER TABLE audit ADD COLUMN address TEXT;
        ALTER TABLE audit ADD COLUMN session_id TEXT;
        CREATE INDEX audit_ts ON audit (ts);
        CREATE INDEX audit_session ON audit (session_id, ts);
      `);
    },
  },
  {
    version: 5,
    description: "sessions carry the project they were declared in (`dispatch up`)",
    up: (db) => {
      db.exec("ALTER TABLE sessions ADD COLUMN project TEXT");
      db.exec("CREATE INDEX sessions_project ON sessions (project)");
    },
  },
  {
    version: 6,
    description:
      "events carry a CRC-32 of what makes them (eventChecksum), checked by recovery; older rows stay NULL (unchecked)",
    up: (db) => {
      db.exec("ALTER TABLE events ADD COLUMN checksum INTEGER");
    },
  },
  {
    version: 7,
    description:
      "the search index moves to a file of its own (searchFile.ts): indexing no longer holds the event log's write lock; it is rebuilt there from the events",
    up: (db) => {
      dropSearchTables(db, "main");
    },
  },
  {
    version: 8,
    description:
      "share links carry the label their owner gave them (`share --label`), naming the holder; older links stay NULL (named by their id)",
    up: (db) => {
      db.exec("ALTER TABLE tokens ADD COLUMN label TEXT");
    },
  },
];

/** Applies every migration newer than the database; returns the versions applied. */
export function applyMigrations(db: Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.exec("CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, applied_at REAL NOT NULL)");
  const current = schemaVersion(db);
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  if (current > latest) {
    // An older dispatch must not write into a schema it does not know.
    throw new DispatchError(
      "internal",
      `the database is at schema version ${current}, this dispatch knows up to ${latest}; upgrade dispatch`,
    );
  }
  const record = db.prepare("INSERT INTO migrations (version, applied_at) VALUES (?, ?)");
  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      migration.up(db);
      record.run(migration.version, Date.now());
    })();
    applied.push(migration.version);
  }
  return applied;
}

/** The highest applied migration version (0 for an empty database). */
export function schemaVersion(db: Database): number {
  const row = db.prepare("SELECT MAX(version) AS v FROM migrations").get() as { v: number | null };
  return row.v ?? 0;
}
