/**
 * The `tokens` table (access tokens, host tokens and share links, each stored as its hash
 * only) and writing the `audit` trail, on PostgreSQL. Reading the trail back is
 * `PgPeopleRecords`'.
 */
import { DispatchError } from "../../core/errors.js";
import { type AuditWhere, type NewToken, type TokenRecord, tokenValues } from "../Store.js";
import type { PgConnection } from "./PgConnection.js";
import { PostgresError, UNIQUE_VIOLATION } from "./PostgresError.js";

export class PgTokenRecords {
  constructor(private readonly db: PgConnection) {}

  insert(token: NewToken): void {
    try {
      this.db.execute(
        "INSERT INTO tokens (id, kind, name, hash, scope, created_at, expires_at, label) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        tokenValues(token),
        "tokens_insert",
      );
    } catch (err) {
      if (err instanceof PostgresError && err.code === UNIQUE_VIOLATION)
        throw new DispatchError("conflict", "token already exists", { cause: err });
      throw err;
    }
  }

  findByHash(hash: string, now: number): TokenRecord | undefined {
    return this.db.query<TokenRecord>(
      'SELECT id, kind, name, hash, scope, created_at AS "createdAt", revoked_at AS "revokedAt", ' +
        'expires_at AS "expiresAt", label FROM tokens WHERE hash = $1 AND revoked_at IS NULL ' +
        "AND (expires_at IS NULL OR expires_at > $2)",
      [hash, now],
      "tokens_find",
    )[0];
  }

  /**
   * The live tokens whose hash begins with `prefix` (hex), by a range on the hash's index:
   * hashes are lower-case hex, and `g` sorts after every hex digit in the C order and in any
   * locale's.
   */
  findByHashPrefix(prefix: string, now: number): TokenRecord[] {
    return this.db.query<TokenRecord>(
      'SELECT id, kind, name, hash, scope, created_at AS "createdAt", revoked_at AS "revokedAt", ' +
        'expires_at AS "expiresAt", label FROM tokens WHERE hash >= $1 AND hash < $2 AND revoked_at IS NULL ' +
        "AND (expires_at IS NULL OR expires_at > $3)",
      [prefix, `${prefix}g`, now],
      "tokens_find_prefix",
    );
  }

  /** The revoked tokens whose hash begins with `prefix`, by the same range. */
  findRevokedByHashPrefix(prefix: string): TokenRecord[] {
    return this.db.query<TokenRecord>(
      'SELECT id, kind, name, hash, scope, created_at AS "createdAt", revoked_at AS "revokedAt", ' +
        'expires_at AS "expiresAt", label FROM tokens WHERE hash >= $1 AND hash < $2 AND revoked_at IS NOT NULL',
      [prefix, `${prefix}g`],
      "tokens_find_revoked_prefix",
    );
  }

  revoke(kind: string, name: string): number {
    return this.db.execute(
      "UPDATE tokens SET revoked_at = $1 WHERE kind = $2 AND name = $3 AND revoked_at IS NULL",
      [Date.now(), kind, name],
      "tokens_revoke",
    );
  }

  revokeByHash(hash: string): boolean {
    return (
      this.db.execute(
        "UPDATE tokens SET revoked_at = $1 WHERE hash = $2 AND revoked_at IS NULL",
        [Date.now(), hash],
        "tokens_revoke_hash",
      ) > 0
    );
  }

  audit(actor: string, action: string, detail: Record<string, unknown>, where: AuditWhere): void {
    this.db.execute(
      "INSERT INTO audit (ts, actor, action, detail, address, session_id) VALUES ($1, $2, $3, $4, $5, $6)",
      [
        where.at ?? Date.now(),
        actor,
        action,
        JSON.stringify(detail),
        where.address ?? null,
        where.session ?? null,
      ],
      "audit_insert",
    );
  }
}
