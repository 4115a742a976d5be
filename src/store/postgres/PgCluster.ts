/**
 * The cluster's rows in PostgreSQL: hub nodes with their heartbeats, which node holds each
 * host's intake (a lease), and settings every node must agree on. Every time is the server's
 * clock (`clock_timestamp()`), so nodes whose clocks disagree still agree on who is dead.
 * Synchronous, on the store's own connection, like the rest of the store.
 */
import { z } from "zod";
import { DispatchError } from "../../core/errors.js";
import { ConnectionHealth } from "../../protocol/hosts.js";
import type { PgConnection } from "./PgConnection.js";

/** Now in ms by the server's clock (every node compares against the same one). */
const NOW_MS = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)";

/** First key of each node's advisory lock (the second is a hash of its name). */
const NODE_LOCK_CLASS = 7_170_003;

/** The second key of `node`'s lock: a non-negative int4 (pg_locks shows it as an oid). */
const nodeLockKey = (node: string) => `(hashtext(${node}) & 2147483647)`;

/**
 * Whether the node named by SQL expression `node` is alive: its heartbeat is fresher than
 * `$deadParam` ms and its connection still holds its advisory lock. The lock goes the moment
 * a killed node's connection closes, so a crash is seen at once; the heartbeat catches a node
 * that hangs with its connection open.
 */
function aliveSql(node: string, deadParam: string): string {
  return `(EXISTS (SELECT 1 FROM nodes n WHERE n.id = ${node} AND n.heartbeat_at > ${NOW_MS} - ${deadParam}) AND ${lockHeldSql(node)})`;
}

/** Whether the node named by SQL expression `node` still holds its advisory lock (its process and connection are up). */
function lockHeldSql(node: string): string {
  return (
    `EXISTS (SELECT 1 FROM pg_locks k WHERE k.locktype = 'advisory' AND k.granted ` +
    `AND k.classid = ${NODE_LOCK_CLASS} AND k.objid = ${nodeLockKey(node)}::oid AND k.objsubid = 2 ` +
    "AND k.database = (SELECT oid FROM pg_database WHERE datname = current_database()))"
  );
}

export interface NodeRow {
  id: string;
  url: string;
  pid: number | null;
  startedAt: number;
  heartbeatAt: number;
  hosts: number;
  clients: number;
  alive: boolean;
  /**
   * Its connection still holds its lock: the process is up, though perhaps late with its
   * heartbeat (stalled on a loaded machine). False at once when it is killed.
   */
  connected: boolean;
}

/** How the node holding a host's lease sees its link, for the nodes that only list it. */
export const LinkHealth = z.object({
  health: ConnectionHealth,
  rttMs: z.number().nullable(),
  missedBeats: z.number(),
});
export type LinkHealth = z.infer<typeof LinkHealth>;

export interface LeaseRow {
  host: string;
  node: string;
  takenAt: number;
  /** Held by a node that is alive and renewing it. */
  live: boolean;
  /** The holder's view of the link at its last beat; null before its first. */
  link: LinkHealth | null;
}

export interface NodeBeat {
  node: string;
  url: string;
  pid: number;
  startedAt: number;
  /** Hosts linked to this node now: their leases are renewed. */
  hosts: readonly string[];
  /** How this node sees each of those links, written beside the lease. */
  links: Readonly<Record<string, LinkHealth>>;
  clients: number;
  leaseMs: number;
}

/** The result of asking for a host's lease: taken, or held by a live node. */
export type LeaseClaim = { taken: true } | { taken: false; holder: string; url: string | null };

/** A PostgreSQL text[] literal (`{"a","b"}`), for `= ANY($1::text[])`. */
export function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, "\\$&")}"`).join(",")}}`;
}

/** A lease's `link` column as written by its holder; null when absent or not understood. */
function parseLink(text: string | null): LinkHealth | null {
  if (text === null) return null;
  const parsed = LinkHealth.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : null;
}

export class PgCluster {
  constructor(private readonly db: PgConnection) {}

  /**
   * Records `value` for `name` if no node did yet; returns the value every node must use (the
   * first node's). How nodes check they were all given the same owner key.
   */
  agreeOn(name: string, value: string): string {
    this.db.execute(
      "INSERT INTO cluster_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
      [name, value],
    );
    return (
      this.db.query<{ value: string }>("SELECT value FROM cluster_settings WHERE name = $1", [name])[0]
        ?.value ?? value
    );
  }

  /** This node is alive; renews the leases of its hosts and returns those it no longer holds. */
  beat(beat: NodeBeat): string[] {
    // Outside the transaction: a session-level lock, taken once per connection (a reconnect
    // loses it), held until the connection closes. Held by another connection: the name is taken.
    const [lock] = this.db.query<{ got: boolean }>(
      `SELECT pg_try_advisory_lock(${NODE_LOCK_CLASS}, ${nodeLockKey("$1")}) AS got WHERE NOT EXISTS (SELECT 1 ` +
        `FROM pg_locks k WHERE k.locktype = 'advisory' AND k.pid = pg_backend_pid() AND k.classid = ${NODE_LOCK_CLASS} ` +
        `AND k.objid = ${nodeLockKey("$1")}::oid AND k.objsubid = 2)`,
      [beat.node],
      "cluster_node_lock",
    );
    if (lock && !lock.got) {
      throw new DispatchError(
        "conflict",
        `another running hub is cluster node '${beat.node}' on this database; give each node its own DISPATCH_NODE`,
      );
    }
    return this.db.transaction(() => {
      this.db.execute(
        "INSERT INTO nodes (id, url, pid, started_at, heartbeat_at, hosts, clients) " +
          `VALUES ($1, $2, $3, $4, ${NOW_MS}, $5, $6) ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url, ` +
          "pid = EXCLUDED.pid, started_at = EXCLUDED.started_at, heartbeat_at = EXCLUDED.heartbeat_at, " +
          "hosts = EXCLUDED.hosts, clients = EXCLUDED.clients",
        [beat.node, beat.url, beat.pid, beat.startedAt, beat.hosts.length, beat.clients],
        "cluster_beat",
      );
      const renewed = this.db.query<{ host_id: string }>(
        `UPDATE host_leases SET expires_at = ${NOW_MS} + $3, link = $4::jsonb -> host_id ` +
          "WHERE node_id = $1 AND host_id = ANY($2::text[]) RETURNING host_id",
        [beat.node, textArray(beat.hosts), beat.leaseMs, JSON.stringify(beat.links)],
        "cluster_renew",
      );
      // Leases this node holds for hosts no longer linked here (a link closed without release).
      this.db.execute(
        "DELETE FROM host_leases WHERE node_id = $1 AND NOT (host_id = ANY($2::text[]))",
        [beat.node, textArray(beat.hosts)],
        "cluster_drop_stale",
      );
      const held = new Set(renewed.map((r) => r.host_id));
      return beat.hosts.filter((host) => !held.has(host));
    });
  }

  /**
   * Takes `host`'s lease for `node` when it is free, already this node's, expired, or held by a
   * node whose heartbeat stopped; otherwise names the live holder. The row lock this takes
   * waits for any append that holds the old lease (`FOR SHARE` in the append transaction).
   */
  claim(options: { host: string; node: string; leaseMs: number; deadMs: number }): LeaseClaim {
    const { host, node, leaseMs, deadMs } = options;
    const taken = this.db.query<{ node_id: string }>(
      `INSERT INTO host_leases (host_id, node_id, taken_at, expires_at) VALUES ($1, $2, ${NOW_MS}, ${NOW_MS} + $3) ` +
        "ON CONFLICT (host_id) DO UPDATE SET node_id = EXCLUDED.node_id, taken_at = EXCLUDED.taken_at, " +
        "expires_at = EXCLUDED.expires_at, link = NULL WHERE host_leases.node_id = EXCLUDED.node_id " +
        `OR host_leases.expires_at < ${NOW_MS} OR NOT ${aliveSql("host_leases.node_id", "$4")} RETURNING node_id`,
      [host, node, leaseMs, deadMs],
      "cluster_claim",
    );
    if (taken.length > 0) return { taken: true };
    const holder = this.db.query<{ node_id: string; url: string | null }>(
      "SELECT l.node_id, n.url FROM host_leases l LEFT JOIN nodes n ON n.id = l.node_id WHERE l.host_id = $1",
      [host],
      "cluster_holder",
    )[0];
    // Released between the two statements: the next dial takes it.
    return { taken: false, holder: holder?.node_id ?? "another node", url: holder?.url ?? null };
  }

  /** Gives a host's lease up (its link closed): another node may take it at once. */
  release(host: string, node: string): void {
    this.db.execute(
      "DELETE FROM host_leases WHERE host_id = $1 AND node_id = $2",
      [host, node],
      "cluster_release",
    );
  }

  /** A node leaving cleanly: its leases freed, its row gone. */
  leave(node: string): void {
    this.db.transaction(() => {
      this.db.execute("DELETE FROM host_leases WHERE node_id = $1", [node]);
      this.db.execute("DELETE FROM nodes WHERE id = $1", [node]);
    });
  }

  nodes(deadMs: number): NodeRow[] {
    return this.db.query<NodeRow>(
      'SELECT id, url, pid, started_at AS "startedAt", heartbeat_at AS "heartbeatAt", hosts, clients, ' +
        `${aliveSql("nodes.id", "$1")} AS alive, ${lockHeldSql("nodes.id")} AS connected FROM nodes ORDER BY id`,
      [deadMs],
      "cluster_nodes",
    );
  }

  leases(deadMs: number): LeaseRow[] {
    const rows = this.db.query<Omit<LeaseRow, "link"> & { link: string | null }>(
      'SELECT l.host_id AS host, l.node_id AS node, l.taken_at AS "takenAt", l.link::text AS link, ' +
        `(l.expires_at > ${NOW_MS} AND ${aliveSql("l.node_id", "$1")}) AS live FROM host_leases l ORDER BY l.host_id`,
      [deadMs],
      "cluster_leases",
    );
    return rows.map((row) => ({ ...row, link: parseLink(row.link) }));
  }

  /** Sends a notification (delivered to listeners when the current transaction commits). */
  notify(channel: string, payload: string): void {
    this.db.execute("SELECT pg_notify($1, $2)", [channel, payload], "cluster_notify");
  }
}
