/**
 * Every bearer token the hub issues, in one place: web logins, host tokens and session tokens
 * differ only in their kind, name and scope. A token is 32 random bytes, shown once, stored
 * only as its SHA-256 hash (so a database leak reveals none), looked up by that hash and
 * revocable; secrets are compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { newId } from "../platform/ids.js";
import type { Store, TokenRecord } from "../store/Store.js";

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Constant-time equality of two secrets (compared as digests, so lengths may differ). */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}

/** A new random secret (URL-safe). */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

export interface IssueToken {
  /** `web`, `host`, `session`, ... */
  kind: string;
  /** What it is for (a host's name, a session's id). */
  name: string;
  scope: string;
  /** Makes a leaked token recognisable (secret scanners, logs). */
  prefix?: string;
  /** When it stops counting (share links); absent: until revoked. */
  expiresAt?: number | undefined;
  /** What the owner called the holder (share links); absent: no label. */
  label?: string | undefined;
}

export class Tokens {
  constructor(private readonly store: Store) {}

  /** Issues a token: the only time it is ever seen in clear. */
  issue(options: IssueToken): string {
    return this.issueWithId(options).token;
  }

  /** Issues a token and says which row holds it (to list and revoke it by id later). */
  issueWithId({ kind, name, scope, prefix = "", expiresAt, label }: IssueToken): {
    id: string;
    token: string;
  } {
    const token = prefix + randomSecret();
    const id = newId();
    this.store.insertToken({
      id,
      kind,
      name,
      hash: sha256(token),
      scope,
      createdAt: Date.now(),
      expiresAt: expiresAt ?? null,
      label: label ?? null,
    });
    return { id, token };
  }

  /** The live token record whatever its kind (a credential that may be a user's or a link's). */
  lookup(token: string): TokenRecord | undefined {
    return this.byHash(sha256(token));
  }

  /** The live token record with this hash (a credential the hub remembers only by its hash). */
  byHash(hash: string): TokenRecord | undefined {
    return this.store.findTokenByHash(hash);
  }

  /**
   * The live token records whose hash begins with `prefix`: how a key proof, which names its
   * token by that prefix and cannot send it, finds it (`platform/keyProof.ts`). Almost always
   * one or none.
   */
  byHashPrefix(prefix: string): TokenRecord[] {
    return this.store.findTokensByHashPrefix(prefix);
  }

  /** The revoked token records whose hash begins with `prefix`. */
  revokedByHashPrefix(prefix: string): TokenRecord[] {
    return this.store.findRevokedTokensByHashPrefix(prefix);
  }

  /** The live token record of that kind, or undefined (unknown, revoked, or another kind). */
  find(kind: string, token: string): TokenRecord | undefined {
    const row = this.store.findTokenByHash(sha256(token));
    return row?.kind === kind ? row : undefined;
  }

  /** Revokes every live token of that kind and name; how many there were. */
  revoke(kind: string, name: string): number {
    return this.store.revokeTokens(kind, name);
  }

  revokeToken(token: string): boolean {
    return this.store.revokeTokenByHash(sha256(token));
  }

  /** Live tokens of that kind and name. */
  live(kind: string, name: string): number {
    return this.store.hosts.liveTokens(kind, name);
  }
}
