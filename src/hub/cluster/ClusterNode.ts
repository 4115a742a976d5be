/**
 * This hub as one node of a cluster on one PostgreSQL database: its row and heartbeat, the
 * intake leases of the hosts linked to it (`HostLeases`), live events of other nodes' hosts
 * for its clients (`RemoteFanOut`), session records other nodes wrote (`RecordSync`), and
 * links to hosts linked elsewhere (`PeerLinks`). Notifications arrive over one LISTEN
 * connection (`ClusterListener`); the heartbeat also re-reads nodes and leases, so a node
 * that died is noticed without any notification.
 */
import type { Logger } from "pino";
import { DispatchError } from "../../core/errors.js";
import type { ClusterStatus } from "../../protocol/api.js";
import type { PeerMessage, PeerReply } from "../../protocol/cluster.js";
import type { HostView } from "../../protocol/hosts.js";
import type { LinkHealth, PgCluster } from "../../store/postgres/PgCluster.js";
import type { Store } from "../../store/Store.js";
import { isStorageError } from "../../store/storageErrors.js";
import type { Attachments } from "../Attachments.js";
import type { HostLink } from "../HostLink.js";
import type { HostMonitor } from "../HostMonitor.js";
import type { HubEvents } from "../HubEvents.js";
import type { SessionDirectory } from "../SessionDirectory.js";
import { ClusterListener } from "./ClusterListener.js";
import { type HostLeases, LEASE_CHANNEL, LEASE_MS } from "./HostLeases.js";
import { PeerLinks } from "./PeerLinks.js";
import { PeerRequests } from "./PeerRequests.js";
import { RECORDS_CHANNEL, RecordSync } from "./RecordSync.js";
import { EVENTS_CHANNEL, RemoteFanOut } from "./RemoteFanOut.js";

/** Tells every node to drop a host's link (its token was revoked); payload: the host id. */
const CUTOFF_CHANNEL = "dispatch_cutoff";
/**
 * Tells every node that some access was taken away (a user removed, a share link revoked), so
 * each re-checks its open connections at once rather than at its next periodic check (30 s);
 * payload: the node that took it.
 */
const ACCESS_CHANNEL = "dispatch_access";

/** How often a node beats (renewing its leases); a node is dead after `NODE_DEAD_MS`. */
const BEAT_MS = 1_000;

/** What a hub needs to run as a cluster node (`DISPATCH_NODE`). */
export interface ClusterSettings {
  /** This node's name, unique in the cluster. */
  node: string;
  /** The database URL, for the LISTEN connection. */
  databaseUrl: string;
  /** The credential nodes present to each other (derived from the shared owner key). */
  peerToken: string;
  /** Where other nodes reach this one (known once it listens). */
  url: () => string;
  /** Clients connected to this node now. */
  clients: () => number;
}

export interface ClusterNodeOptions {
  settings: ClusterSettings;
  cluster: PgCluster;
  leases: HostLeases;
  store: Store;
  directory: SessionDirectory;
  attachments: Attachments;
  hosts: HostMonitor;
  bus: HubEvents;
  logger: Logger;
}

export class ClusterNode {
  private readonly fanOut: RemoteFanOut;
  private readonly records: RecordSync;
  private readonly peers: PeerLinks;
  private readonly requests: PeerRequests;
  private readonly listener: ClusterListener;
  private readonly startedAt = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private refreshQueued = false;
  /** Set while this node re-emits another node's revocation, which it must not send back out. */
  private relayingAccess = false;
  private readonly unlistenAccess: () => void;

  constructor(private readonly options: ClusterNodeOptions) {
    const { settings, cluster, store, directory, attachments, bus, hosts, logger } = options;
    this.fanOut = new RemoteFanOut({ store, attachments, directory, logger });
    this.records = new RecordSync({ cluster, node: settings.node, directory, store, bus });
    this.peers = new PeerLinks({ token: settings.peerToken, logger });
    this.requests = new PeerRequests({ hosts, directory, records: this.records, logger });
    this.listener = new ClusterListener({
      url: settings.databaseUrl,
      channels: [EVENTS_CHANNEL, RECORDS_CHANNEL, LEASE_CHANNEL, CUTOFF_CHANNEL, ACCESS_CHANNEL],
      logger,
      onNotify: (channel, payload) => {
        if (channel === EVENTS_CHANNEL) this.fanOut.notified(payload);
        else if (channel === RECORDS_CHANNEL) this.records.notified(payload);
        else if (channel === CUTOFF_CHANNEL) hosts.cutOff(payload, "token revoked (on another hub node)");
        else if (channel === ACCESS_CHANNEL) this.accessRevokedElsewhere(payload);
        else this.queueRefresh();
      },
      onReconnect: () => {
        this.records.resync();
        this.fanOut.resync();
        this.queueRefresh();
        // A revocation notified meanwhile is lost: check every connection now.
        this.accessRevokedElsewhere("");
      },
    });
    this.unlistenAccess = bus.on("access-revoked", () => {
      if (this.relayingAccess) return;
      try {
        cluster.notify(ACCESS_CHANNEL, settings.node);
      } catch (err) {
        // Without the database the other nodes still catch it at their periodic check.
        if (!isStorageError(err)) throw err;
        logger.warn({ err }, "could not tell the other nodes of a revoked access");
      }
    });
  }

  /** Another node took an access away: this node's connections check theirs now. */
  private accessRevokedElsewhere(node: string): void {
    if (node === this.node) return;
    this.relayingAccess = true;
    try {
      this.options.bus.emit("access-revoked");
    } finally {
      this.relayingAccess = false;
    }
  }

  get node(): string {
    return this.options.settings.node;
  }

  /** Joins: first beat, LISTEN, then a beat every second. */
  async start(): Promise<void> {
    this.beat({ first: true });
    await this.listener.start();
    // Records written between this hub loading them and LISTEN starting.
    this.records.resync();
    this.timer = setInterval(() => this.beat({ first: false }), BEAT_MS);
    this.timer.unref();
  }

  /** A link to `host` when another node holds its lease (`HostLeases.routeTo`: also one late with its beat). */
  peerLink(host: string): HostLink | undefined {
    const holder = this.options.leases.routeTo(host);
    return holder ? this.peers.link(holder.url, host) : undefined;
  }

  /** Whether `host` is linked to another live node. */
  linkedElsewhere(host: string): boolean {
    return this.options.leases.linkedElsewhere(host);
  }

  /** Drops `host`'s link here, or tells the node it is linked to; true when it was linked. */
  cutOff(host: string, reason: string): boolean {
    if (this.options.hosts.cutOff(host, reason)) return true;
    if (!this.linkedElsewhere(host)) return false;
    this.options.cluster.notify(CUTOFF_CHANNEL, host);
    return true;
  }

  /** A host message another node forwarded to this one. */
  handlePeer(message: PeerMessage): Promise<PeerReply | undefined> {
    return this.requests.handle(message);
  }

  status(): ClusterStatus {
    const { leases } = this.options;
    const rows = leases.leases();
    return {
      node: this.node,
      nodes: leases.nodes().map((row) => ({
        id: row.id,
        url: row.url,
        alive: row.alive,
        heartbeatAt: row.heartbeatAt,
        clients: row.clients,
        hosts: rows.filter((lease) => lease.node === row.id && lease.live).map((lease) => lease.host),
      })),
    };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.unlistenAccess();
    this.fanOut.dispose();
    this.records.dispose();
    this.peers.dispose();
    await this.listener.close();
    try {
      this.options.cluster.leave(this.node);
    } catch (err) {
      // Its row goes stale and the others count it dead; its leases expire.
      if (!isStorageError(err)) throw err;
    }
  }

  /** The first beat's failure stops the start (the name is taken); later ones are logged. */
  private beat({ first }: { first: boolean }): void {
    const { cluster, leases, hosts, settings, logger } = this.options;
    try {
      const held = leases.heldHosts();
      const lost = cluster.beat({
        node: settings.node,
        url: settings.url(),
        pid: process.pid,
        startedAt: this.startedAt,
        hosts: held,
        links: Object.fromEntries(held.map((host) => [host, linkHealth(hosts.get(host))])),
        clients: settings.clients(),
        leaseMs: LEASE_MS,
      });
      for (const host of lost) {
        leases.lost(host);
        logger.warn({ host }, "another node took this host's intake lease; dropping its link here");
        hosts.cutOff(host, "its intake lease was taken over by another hub node");
      }
      this.refresh();
    } catch (err) {
      if (first || !(isStorageError(err) || err instanceof DispatchError)) throw err;
      logger.warn({ err }, "cluster heartbeat failed; leases expire unless the next one succeeds");
    }
  }

  private queueRefresh(): void {
    if (this.refreshQueued) return;
    this.refreshQueued = true;
    setImmediate(() => {
      this.refreshQueued = false;
      try {
        this.refresh();
      } catch (err) {
        if (!isStorageError(err)) throw err;
      }
    });
  }

  /** Re-reads nodes and leases; sessions of hosts that moved or died turn (un)reachable for clients. */
  private refresh(): void {
    const { leases, directory, hosts } = this.options;
    const changed = new Set(leases.refresh());
    if (changed.size === 0) return;
    // Requests waiting on a node that no longer holds the host get no answer from it (one
    // merely late with its beat still answers them).
    for (const host of changed) this.peers.leaseMoved(host, leases.routeTo(host)?.url);
    // A host whose token another node issued after this one started: list it here too.
    for (const host of changed) if (leases.linkedElsewhere(host) && !knows(hosts, host)) hosts.expect(host);
    for (const record of directory.all()) if (changed.has(record.host)) directory.touch(record.id, {}, true);
  }
}

function knows(hosts: HostMonitor, id: string): boolean {
  try {
    hosts.get(id);
    return true;
  } catch {
    return false; // not_found: this node has not heard of it.
  }
}

/** What the other nodes show of a host linked here. */
function linkHealth(view: HostView): LinkHealth {
  return { health: view.health, rttMs: view.rttMs, missedBeats: view.missedBeats };
}
