/**
 * The hub's parts, wired: the session directory, the host monitor (the one owner of host
 * links), the event intake, the screens, fan-out to clients, and the commands. They talk over
 * one bus of named events (`HubEvents`); none reaches into another's internals. The server
 * uses the parts it needs; this file only wires.
 */
import type { Logger } from "pino";
import { findKind } from "../kinds/registry.js";
import type { Store } from "../store/Store.js";
import { Attachments } from "./Attachments.js";
import { AuditTrail } from "./AuditTrail.js";
import type { ClusterNode } from "./cluster/ClusterNode.js";
import type { ClusterParts } from "./cluster/clusterParts.js";
import { EventIntake } from "./EventIntake.js";
import { HostCommands } from "./HostCommands.js";
import { type HostLinks, HostMonitor } from "./HostMonitor.js";
import { HubEvents } from "./HubEvents.js";
import { KindSnapshots } from "./KindSnapshots.js";
import { People } from "./People.js";
import { SessionClients, type SizeRule } from "./SessionClients.js";
import { SessionCommands } from "./SessionCommands.js";
import { SessionDirectory } from "./SessionDirectory.js";
import { SessionTokens } from "./SessionTokens.js";
import { StorageHealth } from "./StorageHealth.js";
import { ScreenTracker } from "./screen/ScreenTracker.js";
import { OutputSearch } from "./search/OutputSearch.js";
import { Tokens } from "./Tokens.js";

export interface HubOptions {
  store: Store;
  logger: Logger;
  /** `hub.json`, where `dispatch notify` finds the hub again (session tokens point at it). */
  hubInfoFile: string;
  maxSessions?: number | undefined;
  /** Stored output kept per session before older output is compacted behind a snapshot. */
  retentionBytes?: number | undefined;
  /** Output between two stored snapshots of a screen. */
  snapshotEveryBytes?: number | undefined;
  /** How long every screen must be quiet before the screen worker is stopped. */
  screenIdleStopMs?: number | undefined;
  /** How far (output bytes) a client may fall behind before it skips to the latest snapshot. */
  clientLagLimitBytes?: number | undefined;
  heartbeatMs: number;
  /** How long a host has to answer a quick request (`HostConnection`); 10 s by default. */
  requestTimeoutMs?: number | undefined;
  orphanTtlMs: number;
  /** Which attached writer's size a session takes (see `SessionClients`); `latest` by default. */
  sizeRule?: SizeRule | undefined;
  /**
   * Run as one node of a cluster sharing this PostgreSQL store (see `cluster/ClusterNode`); made
   * by the server only on a cluster node (`cluster/clusterParts.ts`).
   */
  cluster?: ClusterParts | undefined;
}

export class Hub {
  readonly sessions: SessionCommands;
  readonly attachments: Attachments;
  readonly hosts: HostMonitor;
  readonly hostCommands: HostCommands;
  readonly sessionTokens: SessionTokens;
  /** Search over all stored output. */
  readonly search: OutputSearch;
  /** Every token the hub issues (web logins, hosts, sessions). */
  readonly tokens: Tokens;
  readonly people: People;
  readonly audit: AuditTrail;
  /** Presence and the multi-client size rule. */
  readonly clients: SessionClients;
  /** Named events between the parts; the server listens for `presence`. */
  readonly bus: HubEvents;
  /** Whether the store can be written (disk full, I/O errors are reported here, not thrown). */
  readonly storage: StorageHealth;
  /** Set on a cluster node. */
  readonly cluster: ClusterNode | undefined;
  private readonly intake: EventIntake;
  private readonly screens: ScreenTracker;
  private readonly stopReconnected: (() => void) | undefined;

  /** Whether the screen worker thread runs now (it is stopped while every screen is idle). */
  get screenWorkerRunning(): boolean {
    return this.screens.workerRunning;
  }

  constructor(options: HubOptions) {
    const { store, logger } = options;
    const bus = new HubEvents();
    this.storage = new StorageHealth(logger, () => store.reconnecting?.());
    // Reachability is asked only once the monitor exists; until then every host counts as reachable.
    let hosts: HostMonitor | undefined;
    let cluster: ClusterNode | undefined;
    const directory = new SessionDirectory(
      store,
      (host) => (hosts?.isConnected(host) ?? true) || cluster?.linkedElsewhere(host) === true,
      (err) => this.storage.failed(err, "session record"),
    );
    // The store works again: names held in memory are saved, and it is said by name to whoever
    // waits on it (a client's catch-up read).
    this.storage.listen((status) => {
      if (!status.ok) return;
      directory.saveUnsaved();
      bus.emit("storage-healed");
    });
    this.stopReconnected = store.onReconnected?.(() => bus.emit("storage-healed"));
    const { heartbeatMs, requestTimeoutMs, orphanTtlMs } = options;
    const leases = options.cluster?.leases;
    // Before the hosts: a hello may record sessions it orphans.
    this.audit = new AuditTrail(store, (err) => this.storage.failed(err, "audit row"));
    this.storage.listen((status) => {
      if (status.ok) this.audit.writeKept();
    });
    hosts = new HostMonitor({
      directory,
      store,
      audit: this.audit,
      bus,
      logger,
      heartbeatMs,
      requestTimeoutMs,
      orphanTtlMs,
      admission: leases,
    });
    const monitor = hosts;
    // Commands reach a host through this node's link, or through the node holding its lease.
    const anyNode: HostLinks = {
      link: (id) => monitor.link(id) ?? cluster?.peerLink(id),
      require: (id) => monitor.link(id) ?? cluster?.peerLink(id) ?? monitor.require(id),
    };
    this.hosts = hosts;
    this.screens = new ScreenTracker({
      store,
      logger,
      retentionBytes: options.retentionBytes,
      snapshotEveryBytes: options.snapshotEveryBytes,
      stopIdleAfterMs: options.screenIdleStopMs,
      onPreview: (id, line) => this.intake.screenPreview(id, line),
    });
    this.intake = new EventIntake({
      store,
      directory,
      hosts,
      bus,
      logger,
      health: this.storage,
      previewOnScreen: (id) => {
        const record = directory.get(id);
        return (
          record !== undefined && findKind(record.kind)?.screen === true && this.screens.readsPreview(id)
        );
      },
    });
    // First to hear of each stored batch, so clients get it before the screen and search work.
    this.attachments = new Attachments({
      store,
      directory,
      screens: this.screens,
      bus,
      clientLagLimitBytes: options.clientLagLimitBytes,
    });
    bus.on("stored", (id, entries) => {
      const record = directory.get(id);
      if (record && findKind(record.kind)?.screen) this.screens.track(id, record, entries);
    });
    this.search = new OutputSearch({ store, directory, bus, logger });
    new KindSnapshots({ store, directory, bus, logger });
    this.tokens = new Tokens(store);
    this.sessionTokens = new SessionTokens(this.tokens, options.hubInfoFile);
    bus.on("removed", (id) => this.sessionTokens.revoke(id));
    // Also a removal another cluster node made: this node may keep the session's screen.
    bus.on("removed", (id) => this.screens.forget(id));
    this.sessions = new SessionCommands({
      store,
      directory,
      hosts: anyNode,
      intake: this.intake,
      screens: this.screens,
      bus,
      logger,
      maxSessions: options.maxSessions,
      clusterNode: options.cluster !== undefined,
      spawnEnv: (record) => this.sessionTokens.envFor(record),
    });
    this.people = new People(store, this.tokens, bus);
    this.clients = new SessionClients({
      rule: options.sizeRule ?? "latest",
      ruleFor: (id) => {
        const kind = directory.get(id)?.kind;
        return kind !== undefined && findKind(kind)?.smallestSize ? "smallest" : undefined;
      },
      presenceChanged: (id, presence) => bus.emit("presence", id, presence),
      resize: (id, size) => {
        const record = directory.get(id);
        // Only a running session with a size can take one; the next attach will apply it.
        if (record?.status !== "running" || !this.sessions.can(record, "resize")) return;
        this.sessions.resize(id, size.cols, size.rows);
      },
    });
    this.bus = bus;
    this.hostCommands = new HostCommands({
      directory,
      sessions: this.sessions,
      monitor: hosts,
      links: anyNode,
      store,
      logger,
    });
    if (options.cluster) {
      cluster = options.cluster.node({
        directory,
        attachments: this.attachments,
        hosts,
        bus,
        logger,
      });
    }
    this.cluster = cluster;
  }

  /**
   * The last `count` lines of a session's screen as text (`ScreenTracker.lastRows`); undefined
   * for a kind without a screen, or when the hub has none to read.
   */
  screenRows(session: { id: string; kind: string; cols: number; rows: number }, count: number) {
    if (findKind(session.kind)?.screen !== true) return Promise.resolve(undefined);
    return this.screens.lastRows(session.id, session, count);
  }

  /** Closes every host link (hosts and sessions keep running), flushes writes, stops the screens. */
  async close(): Promise<void> {
    await this.cluster?.close();
    this.hosts.closeAll();
    this.hosts.dispose();

    this.intake.dispose();
    this.stopReconnected?.();
    await this.screens.dispose();
    await this.search.dispose();
  }
}
