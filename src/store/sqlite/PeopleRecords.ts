/**
 * People tables: `users` (name, global role, email for single sign-on), `grants` (a user's
 * role on one session), share links (rows of `tokens` of kind `share`, named by the session
 * they open) and reading the `audit` trail back.
 */
import type Database from "better-sqlite3";
import type { AuditFilter, PeopleStore, StoredAudit, StoredShare, StoredUser } from "../Store.js";
import type { LockWait } from "./lockWait.js";

const USER_COLUMNS = "id, name, role, email, created_at AS createdAt";
/** Share links not revoked and not expired at the first parameter (a time). */
const LIVE_SHARES =
  "SELECT id, name AS session, scope AS role, created_at AS createdAt, expires_at AS expiresAt, label " +
  "FROM tokens WHERE kind = 'share' AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)";

export class PeopleRecords implements PeopleStore {
  private readonly stmt;

  constructor(
    private readonly db: Database.Database,
    private readonly lock: LockWait,
  ) {
    this.stmt = {
      users: db.prepare<[], StoredUser>(`SELECT ${USER_COLUMNS} FROM users ORDER BY name`),
      byName: db.prepare<[string], StoredUser>(`SELECT ${USER_COLUMNS} FROM users WHERE name = ?`),
      byId: db.prepare<[string], StoredUser>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`),
      byEmail: db.prepare<[string], StoredUser>(
        `SELECT ${USER_COLUMNS} FROM users WHERE email = ? COLLATE NOCASE`,
      ),
      insert: db.prepare<[string, string, string, string | null, number]>(
        "INSERT INTO users (id, name, role, email, created_at) VALUES (?, ?, ?, ?, ?)",
      ),
      setRole: db.prepare<[string, string]>("UPDATE users SET role = ? WHERE id = ?"),
      remove: db.prepare<[string]>("DELETE FROM users WHERE id = ?"),
      grants: db.prepare<[string], { session_id: string; role: string }>(
        "SELECT session_id, role FROM grants WHERE user_id = ?",
      ),
      grant: db.prepare<[string, string], { role: string }>(
        "SELECT role FROM grants WHERE user_id = ? AND session_id = ?",
      ),
      setGrant: db.prepare<[string, string, string]>(
        "INSERT INTO grants (user_id, session_id, role) VALUES (?, ?, ?) " +
          "ON CONFLICT (user_id, session_id) DO UPDATE SET role = excluded.role",
      ),
      removeGrant: db.prepare<[string, string]>("DELETE FROM grants WHERE user_id = ? AND session_id = ?"),
      shares: db.prepare<[number], StoredShare>(`${LIVE_SHARES} ORDER BY created_at`),
      liveShare: db.prepare<[number, string], StoredShare>(`${LIVE_SHARES} AND id = ?`),
      revokeShare: db.prepare<[number, string]>(
        "UPDATE tokens SET revoked_at = ? WHERE kind = 'share' AND id = ? AND revoked_at IS NULL",
      ),
    };
  }

  users(): StoredUser[] {
    return this.stmt.users.all();
  }

  byName(name: string): StoredUser | undefined {
    return this.stmt.byName.get(name);
  }

  byId(id: string): StoredUser | undefined {
    return this.stmt.byId.get(id);
  }

  byEmail(email: string): StoredUser | undefined {
    return this.stmt.byEmail.get(email);
  }

  insert(user: StoredUser): void {
    this.lock.write(() => this.stmt.insert.run(user.id, user.name, user.role, user.email, user.createdAt));
  }

  setRole(id: string, role: string): void {
    this.lock.write(() => this.stmt.setRole.run(role, id));
  }

  remove(id: string): boolean {
    return this.lock.write(() => this.stmt.remove.run(id).changes > 0);
  }

  grants(userId: string): Record<string, string> {
    return Object.fromEntries(this.stmt.grants.all(userId).map((row) => [row.session_id, row.role]));
  }

  grant(userId: string, sessionId: string): string | undefined {
    return this.stmt.grant.get(userId, sessionId)?.role;
  }

  setGrant(userId: string, sessionId: string, role: string | undefined): void {
    this.lock.write(() => {
      if (role === undefined) this.stmt.removeGrant.run(userId, sessionId);
      else this.stmt.setGrant.run(userId, sessionId, role);
    });
  }

  /** Live (unrevoked, unexpired) share links. */
  shares(now = Date.now()): StoredShare[] {
    return this.stmt.shares.all(now);
  }

  liveShare(id: string, now = Date.now()): StoredShare | undefined {
    return this.stmt.liveShare.get(now, id);
  }

  revokeShare(id: string): boolean {
    return this.lock.write(() => this.stmt.revokeShare.run(Date.now(), id).changes > 0);
  }

  /** Audit entries, oldest first (the newest `limit` of those matching). */
  audit(filter: AuditFilter): StoredAudit[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.session !== undefined) {
      where.push("session_id = ?");
      params.push(filter.session);
    }
    if (filter.since !== undefined) {
      where.push("ts >= ?");
      params.push(filter.since);
    }
    const sql =
      "SELECT id, ts, actor, action, address, session_id AS session, detail FROM audit" +
      (where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "") +
      " ORDER BY id DESC LIMIT ?";
    const rows = this.db.prepare(sql).all(...params, filter.limit) as (Omit<StoredAudit, "detail"> & {
      detail: string;
    })[];
    return rows
      .reverse()
      .map((row) => ({ ...row, detail: JSON.parse(row.detail) as Record<string, unknown> }));
  }
}
