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
