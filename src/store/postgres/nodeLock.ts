/**
 * The advisory lock that keeps a sole hub and cluster nodes off each other's PostgreSQL
 * database: a sole hub holds it exclusively, cluster nodes shared.
 */
import { DispatchError } from "../../core/errors.js";
import type { PgConnection } from "./PgConnection.js";
import { LOCK_NOT_AVAILABLE, PostgresError } from "./PostgresError.js";

/** Any fixed number: the advisory lock the one hub node on a database holds. */
const SOLE_NODE_LOCK = 7_170_002;

/**
 * How long a starting hub waits for the lock: a hub killed a moment ago still holds it until
 * the server notices its connection is gone.
 */
const SOLE_NODE_WAIT = "5s";

export function claimSoleNode(db: PgConnection): void {
  try {
    db.execute(`SET lock_timeout = '${SOLE_NODE_WAIT}'`);
    db.execute("SELECT pg_advisory_lock($1)", [SOLE_NODE_LOCK]);
    db.execute("SET lock_timeout = 0");
    return;
  } catch (err) {
    if (!(err instanceof PostgresError) || err.code !== LOCK_NOT_AVAILABLE) throw err;
    db.execute("SET lock_timeout = 0");
  }
  const [holder] = db.query<{ addr: string | null; started: string | null }>(
    "SELECT a.client_addr::text AS addr, a.backend_start::text AS started FROM pg_locks l " +
      "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.objid = $1 AND l.granted " +
      "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    [SOLE_NODE_LOCK],
  );
  const who = holder ? ` (connected from ${holder.addr ?? "a local socket"} since ${holder.started})` : "";
  throw new DispatchError(
    "conflict",
    `another hub already uses this PostgreSQL database${who}; run one hub per database, or run every hub as a cluster node (DISPATCH_NODE=NAME, docs/ARCHITECTURE.md "Cluster")`,
  );
}

/** A cluster node holds the lock shared: nodes join each other, a sole hub is kept out. */
export function joinCluster(db: PgConnection): void {
  try {
    db.execute(`SET lock_timeout = '${SOLE_NODE_WAIT}'`);
    db.execute("SELECT pg_advisory_lock_shared($1)", [SOLE_NODE_LOCK]);
  } catch (err) {
    if (!(err instanceof PostgresError) || err.code !== LOCK_NOT_AVAILABLE) throw err;
    throw new DispatchError(
      "conflict",
      "a hub that is not a cluster node (no DISPATCH_NODE) already uses this PostgreSQL database; stop it, or start it as a cluster node too",
    );
  } finally {
    db.execute("SET lock_timeout = 0");
  }
}
