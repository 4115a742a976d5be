/**
 * The PostgreSQL halves of the hosts and people tables (see `sqlite/HostRecords.ts` and
 * `sqlite/PeopleRecords.ts` for what each row means); the same queries in PostgreSQL's dialect.
 */
import type {
  AuditFilter,
  HostStore,
  PeopleStore,
  StoredAudit,
  StoredHost,
  StoredShare,
  StoredUser,
} from "../Store.js";
import type { PgConnection } from "./PgConnection.js";

interface HostRow {
  id: string;
  name: string;
  info: string;
  created_at: number;
  last_seen_at: number | null;
}

const HOST_COLUMNS = "id, name, info, created_at, last_seen_at";

export class PgHostRecords implements HostStore {
  constructor(private readonly db: PgConnection) {}

  list(): StoredHost[] {
    return this.db
      .query<HostRow>(`SELECT ${HOST_COLUMNS} FROM hosts ORDER BY name`, [], "hosts_list")
      .map(toStored);
  }

  get(id: string): StoredHost | undefined {
    const row = this.db.query<HostRow>(
      `SELECT ${HOST_COLUMNS} FROM hosts WHERE id = $1`,
      [id],
      "hosts_get",
    )[0];
    return row ? toStored(row) : undefined;
  }

  ensure(id: string, name: string, now = Date.now()): StoredHost {
    this.db.execute(
      "INSERT INTO hosts (id, name, info, created_at) VALUES ($1, $2, '{}', $3) ON CONFLICT DO NOTHING",
      [id, name, now],
      "hosts_ensure",
    );
    return this.get(id) as StoredHost;
  }

  save(id: string, info: Record<string, unknown>, lastSeenAt: number | null): void {
    this.db.execute(
      "UPDATE hosts SET info = $1, last_seen_at = COALESCE($2::double precision, last_seen_at) WHERE id = $3",
      [JSON.stringify(info), lastSeenAt, id],
      "hosts_save",
    );
  }

  liveTokens(kind: string, name: string): number {
    return (
      this.db.query<{ n: number }>(
        "SELECT COUNT(*) AS n FROM tokens WHERE kind = $1 AND name = $2 AND revoked_at IS NULL",
        [kind, name],
        "hosts_live_tokens",
      )[0]?.n ?? 0
    );
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

const USER_COLUMNS = 'id, name, role, email, created_at AS "createdAt"';
/** Share links not revoked and not expired at $1 (a time). */
const LIVE_SHARES =
  'SELECT id, name AS session, scope AS role, created_at AS "createdAt", expires_at AS "expiresAt", label ' +
  "FROM tokens WHERE kind = 'share' AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $1)";

export class PgPeopleRecords implements PeopleStore {
  constructor(private readonly db: PgConnection) {}

  users(): StoredUser[] {
    return this.db.query<StoredUser>(`SELECT ${USER_COLUMNS} FROM users ORDER BY name`, [], "users_list");
  }

  byName(name: string): StoredUser | undefined {
    return this.db.query<StoredUser>(
      `SELECT ${USER_COLUMNS} FROM users WHERE name = $1`,
      [name],
      "users_by_name",
    )[0];
  }

  byId(id: string): StoredUser | undefined {
    return this.db.query<StoredUser>(
      `SELECT ${USER_COLUMNS} FROM users WHERE id = $1`,
      [id],
      "users_by_id",
    )[0];
  }

  byEmail(email: string): StoredUser | undefined {
    return this.db.query<StoredUser>(
      `SELECT ${USER_COLUMNS} FROM users WHERE lower(email) = lower($1)`,
      [email],
      "users_by_email",
    )[0];
  }

  insert(user: StoredUser): void {
    this.db.execute(
      "INSERT INTO users (id, name, role, email, created_at) VALUES ($1, $2, $3, $4, $5)",
      [user.id, user.name, user.role, user.email, user.createdAt],
      "users_insert",
    );
  }

  setRole(id: string, role: string): void {
    this.db.execute("UPDATE users SET role = $1 WHERE id = $2", [role, id], "users_set_role");
  }

  remove(id: string): boolean {
    return this.db.execute("DELETE FROM users WHERE id = $1", [id], "users_remove") > 0;
  }

  grants(userId: string): Record<string, string> {
    const rows = this.db.query<{ session_id: string; role: string }>(
      "SELECT session_id, role FROM grants WHERE user_id = $1",
      [userId],
      "grants_of_user",
    );
    return Object.fromEntries(rows.map((row) => [row.session_id, row.role]));
  }

  grant(userId: string, sessionId: string): string | undefined {
    return this.db.query<{ role: string }>(
      "SELECT role FROM grants WHERE user_id = $1 AND session_id = $2",
      [userId, sessionId],
      "grants_get",
    )[0]?.role;
  }

  setGrant(userId: string, sessionId: string, role: string | undefined): void {
    if (role === undefined) {
      this.db.execute(
        "DELETE FROM grants WHERE user_id = $1 AND session_id = $2",
        [userId, sessionId],
        "grants_remove",
      );
      return;
    }
    this.db.execute(
      "INSERT INTO grants (user_id, session_id, role) VALUES ($1, $2, $3) " +
        "ON CONFLICT (user_id, session_id) DO UPDATE SET role = EXCLUDED.role",
      [userId, sessionId, role],
      "grants_set",
    );
  }

  shares(now = Date.now()): StoredShare[] {
    return this.db.query<StoredShare>(`${LIVE_SHARES} ORDER BY created_at`, [now], "shares_list");
  }

  liveShare(id: string, now = Date.now()): StoredShare | undefined {
    return this.db.query<StoredShare>(`${LIVE_SHARES} AND id = $2`, [now, id], "shares_live")[0];
  }

  revokeShare(id: string): boolean {
    return (
      this.db.execute(
        "UPDATE tokens SET revoked_at = $1 WHERE kind = 'share' AND id = $2 AND revoked_at IS NULL",
        [Date.now(), id],
        "shares_revoke",
      ) > 0
    );
  }

  audit(filter: AuditFilter): StoredAudit[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.session !== undefined) {
      params.push(filter.session);
      where.push(`session_id = $${params.length}`);
    }
    if (filter.since !== undefined) {
      params.push(filter.since);
      where.push(`ts >= $${params.length}`);
    }
    params.push(filter.limit);
    const sql =
      "SELECT id, ts, actor, action, address, session_id AS session, detail FROM audit" +
      (where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "") +
      ` ORDER BY id DESC LIMIT $${params.length}`;
    const rows = this.db.query<Omit<StoredAudit, "detail"> & { detail: string }>(sql, params);
    return rows
      .reverse()
      .map((row) => ({ ...row, detail: JSON.parse(row.detail) as Record<string, unknown> }));
  }
}
