/**
 * What a cluster node adds to a hub: its rows in the shared database, the host leases (a host
 * is linked to one node at a time) and, once the hub's own parts exist, the node itself. The
 * server imports this module only when `DISPATCH_NODE` is set, so a hub on SQLite never
 * evaluates the cluster's or PostgreSQL's code (docs/BENCHMARKS.md, "Memory: idle hub and host").
 */
import type { Logger } from "pino";
import { PgCluster } from "../../store/postgres/PgCluster.js";
import type { PostgresStore } from "../../store/postgres/PostgresStore.js";
import { ClusterNode, type ClusterNodeOptions, type ClusterSettings } from "./ClusterNode.js";
import { HostLeases } from "./HostLeases.js";
import { EVENTS_CHANNEL } from "./RemoteFanOut.js";

export interface ClusterParts {
  readonly settings: ClusterSettings & { store: PostgresStore };
  readonly leases: HostLeases;
  /** The node, joined to the hub's parts. */
  node(parts: Omit<ClusterNodeOptions, "settings" | "cluster" | "leases" | "store">): ClusterNode;
}

export function clusterParts(
  settings: ClusterSettings & { store: PostgresStore },
  logger: Logger,
): ClusterParts {
  const rows = new PgCluster(settings.store.connection);
  const leases = new HostLeases({ cluster: rows, node: settings.node, logger });
  // Before the hub reads or appends anything: only the node holding a session's host appends.
  settings.store.fenceAppends({ node: settings.node, channel: EVENTS_CHANNEL });
  return {
    settings,
    leases,
    node: (parts) => new ClusterNode({ settings, cluster: rows, leases, store: settings.store, ...parts }),
  };
}
