/**
 * The advisory lock that keeps a sole hub and cluster nodes off each other's PostgreSQL
 * database: a sole hub holds it exclusively, cluster nodes shared.
 */
import { DispatchError } from "../../core/errors.js";
import type { PgConnection } from "./PgConnection.js";
import { CONNECTION_FAILURE, LOCK_NOT_AVAILABLE, PostgresError } from "./PostgresError.js";

/** Any fixed number: the advisory lock the one hub node on a database holds. */
const SOLE_NODE_LOCK = 7_170_002;

/**
 * How long a starting hub waits for the lock: a hub killed a moment ago still holds it until
 * the server notices its connection is gone.
 */
const SOLE_NODE_WAIT = "5s";

/** SQLSTATE of a function the role may not call on that target (ending another role's backend). */
const INSUFFICIENT_PRIVILEGE = "42501";

/** The backend that holds a lock for a hub: its pid and start time (a pid alone may be reused). */
interface Backend {
  pid: number;
  started: string;
}

/**
 * A sole hub's claim of the lock on each connection it opens. The first waits a little (see
 * `SOLE_NODE_WAIT`). A reconnect does not wait, for the hub serves meanwhile: the lock is
 * usually still held by this hub's own connection from before the link dropped, which the
 * server has not noticed is gone (a partition sends it no reset). That backend is ended and
 * the lock taken; if it may not be ended, the reconnect fails saying so, as a storage problem
 * the hub retries, not as "another hub". Only once that backend is gone and the lock is still
 * held does another hub hold it.
 */
export function soleNodeClaim(): (db: PgConnection) => void {
  let holder: Backend | undefined;
  return (db) => {
    if (holder) reclaimSoleNode(db, holder);
    else claimSoleNode(db);
    holder = ownBackend(db);
  };
}

function ownBackend(db: PgConnection): Backend | undefined {
  return db.query<Backend>(
    "SELECT pid, backend_start::text AS started FROM pg_stat_activity WHERE pid = pg_backend_pid()",
  )[0];
}

function reclaimSoleNode(db: PgConnection, previous: Backend): void {
  if (tryLock(db)) return;
  const [stale] = db.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE pid = $1 AND backend_start::text = $2",
    [previous.pid, previous.started],
  );
  // Its connection from before is gone, yet the lock is held: another hub took it meanwhile.
  if (!stale) return claimSoleNode(db);
  const ended = endBackend(db, stale.pid);
  if (ended) {
    // Ended: it lets go of the lock as it exits, within moments.
    try {
      db.execute(`SET lock_timeout = '${SOLE_NODE_WAIT}'`);
      db.execute("SELECT pg_advisory_lock($1)", [SOLE_NODE_LOCK]);
      return;
    } catch (err) {
      if (!(err instanceof PostgresError) || err.code !== LOCK_NOT_AVAILABLE) throw err;
    } finally {
      db.execute("SET lock_timeout = 0");
    }
  }
  throw new PostgresError(
    "the link to PostgreSQL came back, but this hub's node lock is still held by its own connection " +
      `from before (server process ${previous.pid}), which the server has not noticed is gone` +
      (ended ? "" : " and this hub may not end (grant its role pg_signal_backend)") +
      "; retrying until the server lets go of it",
    CONNECTION_FAILURE,
  );
}

/** Ends a server process of this hub's; false when its role may not (it is not a superuser's). */
function endBackend(db: PgConnection, pid: number): boolean {
  try {
    return db.query<{ ended: boolean }>("SELECT pg_terminate_backend($1) AS ended", [pid])[0]?.ended === true;
  } catch (err) {
    if (err instanceof PostgresError && err.code === INSUFFICIENT_PRIVILEGE) return false;
    throw err;
  }
}

function tryLock(db: PgConnection): boolean {
  return (
    db.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [SOLE_NODE_LOCK])[0]
      ?.locked === true
  );
}

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
