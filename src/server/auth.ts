/**
 * Authentication: the access key (generated on first start, stored 0600, or DISPATCH_KEY),
 * web login cookies (random tokens, stored hashed), and a rate limit on failed attempts.
 * Every secret comparison is constant-time.
 */
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { randomSecret, secretsEqual, type Tokens } from "../hub/Tokens.js";

/** Tokens-table kind of web login tokens. */
const WEB_TOKEN_KIND = "web";
/** Name of the HttpOnly cookie holding a web login token. */
export const SESSION_COOKIE = "dispatch_session";
/** Failed attempts allowed per client address within the window before it is refused. */
const MAX_FAILURES = 10;
const FAILURE_WINDOW_MS = 60_000;

/** Reads the access key from `DISPATCH_KEY` or the key file, creating the file if needed. */
export function loadAccessKey(
  keyFile: string,
  fromEnv: string | undefined,
): { key: string; source: "env" | "file" | "new" } {
  if (fromEnv && fromEnv.length > 0) return { key: fromEnv, source: "env" };
  try {
    const key = readFileSync(keyFile, "utf8").trim();
    if (key.length > 0) return { key, source: "file" };
  } catch {
    // No key yet: first start generates one below.
  }
  const key = randomSecret(24);
  writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  return { key, source: "new" };
}

/** Counts failed logins per address; refuses an address after too many in a window. */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  isBlocked(address: string, now = Date.now()): boolean {
    return this.recent(address, now).length >= MAX_FAILURES;
  }

  recordFailure(address: string, now = Date.now()): void {
    const recent = this.recent(address, now);
    recent.push(now);
    this.failures.set(address, recent);
  }

  private recent(address: string, now: number): number[] {
    const list = (this.failures.get(address) ?? []).filter((t) => now - t < FAILURE_WINDOW_MS);
    if (list.length === 0) this.failures.delete(address);
    return list;
  }
}

/** Checks bearer keys and login cookies; issues and revokes web login tokens. */
export class Authenticator {
  readonly limiter = new FailureLimiter();

  constructor(
    private readonly accessKey: string,
    private readonly tokens: Tokens,
  ) {}

  checkKey(candidate: string): boolean {
    return secretsEqual(candidate, this.accessKey);
  }

  /** A new login token for a browser; only its hash is stored. */
  issueWebToken(): string {
    return this.tokens.issue({ kind: WEB_TOKEN_KIND, name: "browser", scope: "owner" });
  }

  checkWebToken(token: string): boolean {
    return this.tokens.find(WEB_TOKEN_KIND, token) !== undefined;
  }

  revokeWebToken(token: string): void {
    this.tokens.revokeToken(token);
  }

  /** Authenticates request headers: `Authorization: Bearer KEY` or the login cookie. */
  check(headers: { authorization?: string | undefined; cookie?: string | undefined }): boolean {
    const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? "")?.[1]?.trim();
    if (bearer && this.checkKey(bearer)) return true;
    const token = readCookie(headers.cookie, SESSION_COOKIE);
    return token !== undefined && this.checkWebToken(token);
  }
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

export function sessionCookie(token: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=2592000${secure ? "; Secure" : ""}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;
}
