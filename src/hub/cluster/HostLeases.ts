/**
 * Which node owns each host's intake, as leases in the database. A host's hello on this node
 * is accepted only once this node holds its lease: taken when free, already ours, expired, or
 * held by a node whose heartbeat stopped (`PgCluster.claim`); a live holder keeps it and the
 * host is told where it is linked. The lease is released when the link closes (another node
 * may take it at once) and renewed by every heartbeat. It also keeps the last view of every
 * node and lease, so the hub can tell which node to ask for a host linked elsewhere.
 */
import type { Logger } from "pino";
import type { LeaseRow, LinkHealth, NodeRow, PgCluster } from "../../store/postgres/PgCluster.js";
import { isStorageError } from "../../store/storageErrors.js";
import type { HostAdmission } from "../hostAdmission.js";

/** A node whose heartbeat is this old is dead; its leases may be taken over. */
export const NODE_DEAD_MS = 5_000;
/** How long a lease lasts without renewal (renewed every beat). */
export const LEASE_MS = 5_000;
/** The channel that tells nodes a lease changed hands (payload: the host id). */
export const LEASE_CHANNEL = "dispatch_leases";

export interface HostLeasesOptions {
  cluster: PgCluster;
  node: string;
  logger: Logger;
}

export class HostLeases implements HostAdmission {
  private readonly held = new Set<string>();
  private nodeRows: NodeRow[] = [];
  private leaseRows = new Map<string, LeaseRow>();

  constructor(private readonly options: HostLeasesOptions) {}

  admit(hostId: string): string | undefined {
    const { cluster, node, logger } = this.options;
    try {
      const claim = cluster.claim({ host: hostId, node, leaseMs: LEASE_MS, deadMs: NODE_DEAD_MS });
      if (claim.taken) {
        this.held.add(hostId);
        cluster.notify(LEASE_CHANNEL, hostId);
        logger.info({ host: hostId }, "took the host's intake lease");
        return undefined;
      }
      logger.info(
        { host: hostId, holder: claim.holder, url: claim.url },
        "host refused: its lease is held by a live node",
      );
      return closeReason(`linked to hub node '${claim.holder}'; dial again once that link ends`);
    } catch (err) {
      if (!isStorageError(err)) throw err;
      logger.warn({ err, host: hostId }, "host refused: its lease cannot be read");
      return closeReason("this hub node cannot reach its database to take the lease; dial again shortly");
    }
  }

  release(hostId: string): void {
    this.held.delete(hostId);
    try {
      this.options.cluster.release(hostId, this.options.node);
      this.options.cluster.notify(LEASE_CHANNEL, hostId);
    } catch (err) {
      // The lease expires by itself; another node takes it then.
      if (!isStorageError(err)) throw err;
    }
  }

  /** Hosts whose lease this node holds. */
  heldHosts(): string[] {
    return [...this.held];
  }

  /** The lease was taken over (found at a heartbeat): this node no longer owns the host. */
  lost(hostId: string): void {
    this.held.delete(hostId);
  }

  /** Re-reads every node and lease; returns hosts whose holder changed since the last read. */
  refresh(): string[] {
    const { cluster } = this.options;
    this.nodeRows = cluster.nodes(NODE_DEAD_MS);
    const next = new Map(cluster.leases(NODE_DEAD_MS).map((row) => [row.host, row]));
    const changed: string[] = [];
    for (const host of new Set([...next.keys(), ...this.leaseRows.keys()])) {
      const a = this.leaseRows.get(host);
      const b = next.get(host);
      if (a?.node !== b?.node || a?.live !== b?.live) changed.push(host);
    }
    this.leaseRows = next;
    return changed;
  }

  /** The live node other than this one holding `hostId`'s lease, if any. */
  holderElsewhere(hostId: string): NodeRow | undefined {
    const lease = this.leaseRows.get(hostId);
    if (!lease?.live || lease.node === this.options.node) return undefined;
    return this.nodeRows.find((row) => row.id === lease.node && row.alive);
  }

  /**
   * The node to hand `hostId`'s messages to: the node other than this one whose lease names it,
   * while that node's process is up, even when its heartbeat is late. A node stalled for a few
   * seconds (a loaded machine) still holds its link to the host and handles what it is sent
   * once it runs again; refusing the input meanwhile told people a host was away that was not.
   * A node that died lets go of its lock at once, and is not sent anything.
   */
  routeTo(hostId: string): NodeRow | undefined {
    const lease = this.leaseRows.get(hostId);
    if (!lease || lease.node === this.options.node) return undefined;
    return this.nodeRows.find((row) => row.id === lease.node && (row.alive || row.connected));
  }

  linkedElsewhere(hostId: string): boolean {
    return this.holderElsewhere(hostId) !== undefined;
  }

  /** How the node holding `hostId` elsewhere saw its link at its last beat; undefined when none does. */
  remoteLink(hostId: string): LinkHealth | undefined {
    if (!this.linkedElsewhere(hostId)) return undefined;
    return this.leaseRows.get(hostId)?.link ?? { health: "unknown", rttMs: null, missedBeats: 0 };
  }

  nodes(): NodeRow[] {
    return this.nodeRows;
  }

  leases(): LeaseRow[] {
    return [...this.leaseRows.values()];
  }
}

/** A WebSocket close reason holds at most 123 bytes. */
function closeReason(text: string): string {
  const bytes = Buffer.from(text);
  return bytes.length <= 123
    ? text
    : bytes
        .subarray(0, 120)
        .toString("utf8")
        .replace(/\uFFFD$/, "") + "...";
}
