/**
 * The `tokens` table (access tokens, host tokens and share links, each stored as its hash
 * only) and writing the `audit` trail. Reading the trail back is `PeopleRecords`'.
 */
import Database from "better-sqlite3";
import { DispatchError } from "../../core/errors.js";
import { type AuditWhere, type NewToken, type TokenRecord, type TokenValues, tokenValues } from "../Store.js";
import type { LockWait } from "./lockWait.js";

export class TokenRecords {
  private readonly stmt;

  constructor(
    db: Database.Database,
    private readonly lock: LockWait,
  ) {
    this.stmt = {
      insertToken: db.prepare<TokenValues>(
        "INSERT INTO tokens (id, kind, name, hash, scope, created_at, expires_at, label) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      ),
      findToken: db.prepare<[string, number], TokenRecord>(
        "SELECT id, kind, name, hash, scope, created_at AS createdAt, revoked_at AS revokedAt, " +
          "expires_at AS expiresAt, label FROM tokens WHERE hash = ? AND revoked_at IS NULL " +
          "AND (expires_at IS NULL OR expires_at > ?)",
      ),
      findTokensInRange: db.prepare<[string, string, number], TokenRecord>(
        "SELECT id, kind, name, hash, scope, created_at AS createdAt, revoked_at AS revokedAt, " +
          "expires_at AS expiresAt, label FROM tokens WHERE hash >= ? AND hash < ? AND revoked_at IS NULL " +
          "AND (expires_at IS NULL OR expires_at > ?)",
      ),
      findRevokedInRange: db.prepare<[string, string], TokenRecord>(
        "SELECT id, kind, name, hash, scope, created_at AS createdAt, revoked_at AS revokedAt, " +
          "expires_at AS expiresAt, label FROM tokens WHERE hash >= ? AND hash < ? AND revoked_at IS NOT NULL",
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

  /** Stores a token (its hash only); throws `conflict` if the hash is already stored. */
  insert(token: NewToken): void {
    try {
      this.lock.write(() => this.stmt.insertToken.run(...tokenValues(token)));
    } catch (err) {
      if (err instanceof Database.SqliteError && err.code.startsWith("SQLITE_CONSTRAINT")) {
        throw new DispatchError("conflict", "token already exists", { cause: err });
      }
      throw err;
    }
  }

  /** The unrevoked token with this hash, if any. */
  findByHash(hash: string, now: number): TokenRecord | undefined {
    return this.stmt.findToken.get(hash, now);
  }

  /**
   * The live tokens whose hash begins with `prefix` (hex), by a range on the hash's index:
   * hashes are lower-case hex, and `g` sorts after every hex digit.
   */
  findByHashPrefix(prefix: string, now: number): TokenRecord[] {
    return this.stmt.findTokensInRange.all(prefix, `${prefix}g`, now);
  }

  /** The revoked tokens whose hash begins with `prefix`, by the same range. */
  findRevokedByHashPrefix(prefix: string): TokenRecord[] {
    return this.stmt.findRevokedInRange.all(prefix, `${prefix}g`);
  }

  /** Revokes every live token of this kind and name; returns how many. */
  revoke(kind: string, name: string): number {
    return this.lock.write(() => this.stmt.revokeTokens.run(Date.now(), kind, name).changes);
  }

  /** Revokes the live token with this hash; returns whether there was one. */
  revokeByHash(hash: string): boolean {
    return this.lock.write(() => this.stmt.revokeTokenByHash.run(Date.now(), hash).changes > 0);
  }

  /** Records who did what (detail is stored as JSON), from where and on which session. */
  audit(actor: string, action: string, detail: Record<string, unknown>, where: AuditWhere): void {
    this.lock.write(() =>
      this.stmt.audit.run(
        where.at ?? Date.now(),
        actor,
        action,
        JSON.stringify(detail),
        where.address ?? null,
        where.session ?? null,
      ),
    );
  }
}
