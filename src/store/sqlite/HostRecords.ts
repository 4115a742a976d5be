/**
 * The `hosts` table: one row per remote host the hub knows (created with its first token) and
 * the local host, holding the facts it last reported and when it was last seen. Status and
 * health are live state and live in the hub; only their last value is kept here so a
 * restarted hub knows which hosts to expect back.
 */
import type Database from "better-sqlite3";
import type { HostStore, StoredHost } from "../Store.js";
import type { LockWait } from "./lockWait.js";

export type { StoredHost } from "../Store.js";

interface HostRow {
  id: string;
  name: string;
  info: string;
  created_at: number;
  last_seen_at: number | null;
}

export class HostRecords implements HostStore {
  private readonly stmt;

  constructor(
    db: Database.Database,
    private readonly lock: LockWait,
  ) {
    this.stmt = {
      list: db.prepare<[], HostRow>(
        "SELECT id, name, info, created_at, last_seen_at FROM hosts ORDER BY name",
      ),
      get: db.prepare<[string], HostRow>(
        "SELECT id, name, info, created_at, last_seen_at FROM hosts WHERE id = ?",
      ),
      ensure: db.prepare<[string, string, number]>(
        "INSERT OR IGNORE INTO hosts (id, name, info, created_at) VALUES (?, ?, '{}', ?)",
      ),
      save: db.prepare<[string, number | null, string]>(
        "UPDATE hosts SET info = ?, last_seen_at = COALESCE(?, last_seen_at) WHERE id = ?",
      ),
      liveTokens: db.prepare<[string, string], { n: number }>(
        "SELECT COUNT(*) AS n FROM tokens WHERE kind = ? AND name = ? AND revoked_at IS NULL",
      ),
    };
  }

  list(): StoredHost[] {
    return this.stmt.list.all().map(toStored);
  }

  get(id: string): StoredHost | undefined {
    const row = this.stmt.get.get(id);
    return row ? toStored(row) : undefined;
  }

  /** Creates the row if it does not exist yet (the id is fixed from then on). */
  ensure(id: string, name: string, now = Date.now()): StoredHost {
    this.lock.write(() => this.stmt.ensure.run(id, name, now));
    return this.get(id) as StoredHost;
  }

  save(id: string, info: Record<string, unknown>, lastSeenAt: number | null): void {
    this.lock.write(() => this.stmt.save.run(JSON.stringify(info), lastSeenAt, id));
  }

  /** How many unrevoked tokens of this kind carry this name. */
  liveTokens(kind: string, name: string): number {
    return this.stmt.liveTokens.get(kind, name)?.n ?? 0;
  }
}

function toStored(row: HostRow): StoredHost {
  let info: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(row.info) as unknown;
    if (parsed && typeof parsed === "object") info = parsed as Record<string, unknown>;
  } catch {
    // A row written by hand or by a broken run: its facts are lost, the host itself is not.
  }
  return { id: row.id, name: row.name, info, createdAt: row.created_at, lastSeenAt: row.last_seen_at };
}
