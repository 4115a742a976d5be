/**
 * A failure reported by the PostgreSQL server or by libpq, with the server's SQLSTATE as
 * `code` (libpq's own failures, such as a lost connection, get class 08 codes), so callers
 * can tell a taken name from a server that went away.
 */
export class PostgresError extends Error {
  constructor(
    message: string,
    readonly code: string,
    /** The constraint a violation names (e.g. `sessions_name_key`). */
    readonly constraint?: string,
  ) {
    super(message);
    this.name = "PostgresError";
  }
}

/** SQLSTATE classes that say "the server or its disk", not "this query": the hub retries these. */
export function isPostgresStorageCode(code: string): boolean {
  return (
    code.startsWith("08") || // connection exception
    code.startsWith("53") || // insufficient resources (53100 disk full)
    code.startsWith("57P") || // admin shutdown, crash shutdown, cannot connect now
    code.startsWith("58") || // system error (58030 I/O error)
    code === "57014" || // statement_timeout: the server is too slow (see pgTimeouts.ts)
    code === "25006" // read-only transaction (a standby)
  );
}

export const UNIQUE_VIOLATION = "23505";
export const LOCK_NOT_AVAILABLE = "55P03";
/** libpq lost or could not open the connection (no server answer to carry a SQLSTATE). */
export const CONNECTION_FAILURE = "08006";

/** libpq's multi-line messages on one line (logs, `dispatch status`). */
export function oneLine(message: string): string {
  return message.trim().replace(/\s*\n\s*/g, " ");
}

/** The URL without its password, for messages and logs. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, "//$1:***@");
}

export function cannotConnect(url: string, err: unknown): PostgresError {
  const reason = err instanceof Error ? err.message : String(err);
  return new PostgresError(
    `cannot connect to PostgreSQL at ${redact(url)}: ${oneLine(reason)}`,
    CONNECTION_FAILURE,
  );
}

/** The server did not answer within `ms`; `what` names the bound (a setting, or the check). */
export function silentServer(url: string, ms: number, what: string): PostgresError {
  return new PostgresError(
    `PostgreSQL at ${redact(url)} did not answer within ${Math.round(ms / 1000)} s (${what}): ` +
      "check that the server is up and the network to it works",
    CONNECTION_FAILURE,
  );
}

export function lostConnection(url: string, message: string): PostgresError {
  return new PostgresError(
    `lost the connection to PostgreSQL at ${redact(url)} (${oneLine(message)}); ` +
      "reconnecting: check that the server is up if this goes on",
    CONNECTION_FAILURE,
  );
}
