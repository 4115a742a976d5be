/**
 * Every host the hub knows and the state of its link: who it is (the hub decides: `local`, or
 * the name its token was issued for, whatever the host claims), what it reported in its hello,
 * connection status and health from heartbeats, and when it was last seen. Each transition is
 * recorded in the audit table and pushed to listeners (clients get a `host` message).
 *
 * It sits between each `HostConnection` and the `SessionManager` (see `eventsFor`), enforcing
 * on the way what the manager does not: one identity per link, one hello, and that a host
 * speaks only of its own sessions; a host that breaks these is dropped, alone.
 */
import type { Logger } from "pino";
import { DispatchError } from "../core/errors.js";
import { unknownNameMessage } from "../core/names.js";
import type { SessionEvent } from "../protocol/events.js";
import type { HostInfo, HostSessionState } from "../protocol/host.js";
import type { ConnectionHealth, ConnectionStatus, HostView } from "../protocol/hosts.js";
import type { EventStore } from "../store/EventStore.js";
import { Heartbeat, type HeartbeatState } from "./Heartbeat.js";
import type { HostConnection, HostConnectionEvents } from "./HostConnection.js";
import { reconcileRemoteSessions, sessionCounts } from "./hostSessions.js";
import { setHostReachability } from "./SessionDirectory.js";
import type { SessionManager } from "./SessionManager.js";

/** Default time a remote host may stay away before its running sessions count as orphaned. */
export const DEFAULT_ORPHAN_TTL_MS = 24 * 3_600_000;
/**
 * After a hub restart, hosts that were connected are `reconnecting` this long before they count
 * as `disconnected`: twice the remote host's 30 s backoff cap, so one missed dial is forgiven.
 */
const RECONNECT_GRACE_MS = 60_000;
/** Longest pause between sweeps (orphan TTL, reconnect grace, last-seen persistence). */
const MAX_SWEEP_INTERVAL_MS = 30_000;

export interface HostLinkIdentity {
  id: string;
  name: string;
  kind: "local" | "remote";
  /** Peer address, for the record and the logs. */
  address: string | null;
}

export interface HostMonitorOptions {
  manager: SessionManager;
  store: EventStore;
  logger: Logger;
  heartbeatMs: number;
  orphanTtlMs: number;
}

interface HostState {
  id: string;
  name: string;
  kind: "local" | "remote";
  status: ConnectionStatus;
  statusSince: number;
  /** The live heartbeat reading of the current link. */
  beat: () => HeartbeatState;
  info: Partial<HostInfo>;
  address: string | null;
  connectedSince: number | null;
  lastSeen: number | null;
  /** The link currently serving this host, once it said hello. */
  connection: HostConnection | undefined;
  /** Set just before the hub drops the link for cause: the close then counts as `failed`. */
  failure: string | undefined;
}

const NO_BEAT: HeartbeatState = { health: "unknown", rttMs: null, missed: 0 };

export class HostMonitor {
  private readonly states = new Map<string, HostState>();
  private readonly listeners = new Set<(host: HostView) => void>();
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly startedAt = Date.now();

  constructor(private readonly options: HostMonitorOptions) {
    for (const row of options.store.hosts.list()) {
      const state = this.stateFor({
        id: row.id,
        name: row.name,
        kind: row.id === "local" ? "local" : "remote",
        address: null,
      });
      state.info = row.info as Partial<HostInfo>;
      state.address = typeof row.info.address === "string" ? row.info.address : null;
      state.lastSeen = row.lastSeenAt;
      if (state.kind === "remote" && row.info.lastStatus === "connected") state.status = "reconnecting";
    }
    this.stateFor({ id: "local", name: "local", kind: "local", address: null });
    setHostReachability((id) => this.states.get(id)?.status === "connected");
    const sweepMs = Math.max(100, Math.min(MAX_SWEEP_INTERVAL_MS, options.orphanTtlMs / 4));
    this.sweepTimer = setInterval(() => this.sweep(), sweepMs);
    this.sweepTimer.unref();
  }

  /** The callbacks for one host link: the manager's, behind this monitor's checks. */
  eventsFor(identity: HostLinkIdentity): HostConnectionEvents {
    const { manager, logger } = this.options;
    const state = this.stateFor(identity);
    let greeted = false;
    let heartbeat: Heartbeat | undefined;
    return {
      onHello: (connection, claimed, sessions) => {
        if (greeted) return connection.violation("sent a second hello");
        greeted = true;
        const host: HostInfo = { ...claimed, id: identity.id, name: identity.name };
        connection.host = host;
        if (identity.kind === "remote" && claimed.name !== identity.name) {
          logger.info(
            { host: identity.name, claimed: claimed.name },
            "host calls itself otherwise; its token decides",
          );
        }
        const foreign = this.foreignSession(identity.id, sessions);
        if (foreign) return connection.violation(foreign);
        if (identity.kind === "remote")
          reconcileRemoteSessions(manager, identity.id, sessions, this.options.store);
        state.connection = connection;
        state.failure = undefined;
        manager.onHello(connection, host, sessions);
        const now = Date.now();
        state.info = host;
        state.address = identity.address;
        state.connectedSince = now;
        state.lastSeen = now;
        heartbeat = new Heartbeat({
          intervalMs: this.options.heartbeatMs,
          send: (t) => {
            if (connection.isOpen) connection.send({ type: "ping", t });
          },
          onHealth: (beat) => {
            if (state.connection !== connection) return;
            this.record(state, "host-health", {
              health: beat.health,
              rttMs: beat.rttMs,
              missed: beat.missed,
            });
          },
          onFail: (beat) => {
            if (state.connection === connection)
              state.failure = `stopped answering heartbeats (${beat.missed} missed)`;
            logger.warn(
              { host: identity.name, missed: beat.missed },
              "host stopped answering heartbeats; dropping the link",
            );
            connection.terminate("heartbeat timeout");
          },
        });
        const link = heartbeat;
        state.beat = () => link.state;
        this.setStatus(state, "connected", `hello from ${identity.address ?? "local socket"}`);
        heartbeat.start();
      },
      onEvent: (connection, event: SessionEvent, frame) => {
        if (!greeted) return connection.violation("sent an event before its hello");
        const record = manager.directory.get(event.session);
        if (record && record.host !== identity.id) {
          return connection.violation(
            `sent an event for session ${event.session}, which belongs to host '${record.host}'`,
          );
        }
        state.lastSeen = Date.now();
        // No record: the hub removed the session (cleanup); its last words are dropped.
        if (!record) return;
        manager.onEvent(connection, event, frame);
      },
      onPong: (_connection, t) => {
        state.lastSeen = Date.now();
        heartbeat?.pong(t);
      },
      onViolation: (connection, message) => {
        logger.warn(
          { host: identity.name, address: identity.address, problem: message },
          "host dropped for breaking the protocol",
        );
        this.options.store.audit(`host:${identity.name}`, "host-violation", { problem: message });
        if (state.connection === connection) state.failure = `protocol violation: ${message}`;
      },
      onClose: (connection, reason) => {
        heartbeat?.dispose();
        manager.onClose(connection, reason);
        if (state.connection !== connection) return;
        state.connection = undefined;
        state.connectedSince = null;
        state.beat = () => NO_BEAT;
        const failure = state.failure;
        state.failure = undefined;
        this.setStatus(state, failure ? "failed" : "disconnected", failure ?? reason);
      },
    };
  }

  /** Every host, local first. */
  list(): HostView[] {
    const states = [...this.states.values()].sort((a, b) =>
      a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === "local" ? -1 : 1,
    );
    return states.map((state) => this.view(state));
  }

  /** A host by id or name; `not_found` with a did-you-mean. */
  get(ref: string): HostView {
    return this.view(this.resolve(ref));
  }

  resolveId(ref: string): string {
    return this.resolve(ref).id;
  }

  /** Registers a remote host the hub expects (its token was just issued). */
  expect(name: string): HostView {
    this.options.store.hosts.ensure(name, name);
    return this.view(this.stateFor({ id: name, name, kind: "remote", address: null }));
  }

  /** Drops a host's link at once (token revoked); true when it was connected. */
  cutOff(id: string, reason: string): boolean {
    const state = this.states.get(id);
    const connection = state?.connection;
    if (!state || !connection) return false;
    state.failure = reason;
    this.options.logger.warn({ host: state.name, reason }, "cutting a host off");
    connection.terminate(reason);
    return true;
  }

  listen(listener: (host: HostView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dispose(): void {
    clearInterval(this.sweepTimer);
    this.persistAll();
  }

  private resolve(ref: string): HostState {
    const state = this.states.get(ref) ?? [...this.states.values()].find((s) => s.name === ref);
    if (state) return state;
    throw new DispatchError(
      "not_found",
      unknownNameMessage(
        "host",
        ref,
        [...this.states.values()].map((s) => s.name),
      ),
    );
  }

  private stateFor(identity: HostLinkIdentity): HostState {
    let state = this.states.get(identity.id);
    if (!state) {
      state = {
        id: identity.id,
        name: identity.name,
        kind: identity.kind,
        status: "unknown",
        statusSince: Date.now(),
        beat: () => NO_BEAT,
        info: {},
        address: identity.address,
        connectedSince: null,
        lastSeen: null,
        connection: undefined,
        failure: undefined,
      };
      this.states.set(identity.id, state);
    }
    return state;
  }

  /** Why a hello must be refused: it lists a session that belongs to another host. */
  private foreignSession(hostId: string, sessions: HostSessionState[]): string | undefined {
    for (const session of sessions) {
      const owner = this.options.manager.directory.get(session.id)?.host;
      if (owner !== undefined && owner !== hostId) {
        return `claims session ${session.id}, which belongs to host '${owner}'`;
      }
    }
    return undefined;
  }

  private setStatus(state: HostState, status: ConnectionStatus, reason: string): void {
    const from = state.status;
    state.status = status;
    state.statusSince = Date.now();
    this.record(state, "host-status", { from, to: status, reason });
    this.persist(state);
    // Sessions of this host turn reachable or unreachable with it.
    const { directory } = this.options.manager;
    for (const record of directory.all()) if (record.host === state.id) directory.touch(record.id, {}, true);
  }

  private record(state: HostState, action: string, detail: Record<string, unknown>): void {
    this.options.logger.info({ host: state.name, ...detail }, action);
    this.options.store.audit(`host:${state.name}`, action, detail);
    const view = this.view(state);
    for (const listener of this.listeners) listener(view);
  }

  private view(state: HostState): HostView {
    const connected = state.status === "connected";
    const beat = state.beat();
    const health: ConnectionHealth = connected ? beat.health : "unknown";
    return {
      id: state.id,
      name: state.name,
      kind: state.kind,
      status: state.status,
      health,
      rttMs: connected ? beat.rttMs : null,
      missedBeats: connected ? beat.missed : 0,
      statusSince: state.statusSince,
      address: state.address,
      hostname: state.info.hostname ?? null,
      os: state.info.os ?? null,
      arch: state.info.arch ?? null,
      version: state.info.version ?? null,
      capabilities: state.info.capabilities ?? [],
      labels: state.info.labels ?? {},
      connectedSince: state.connectedSince,
      lastSeen: state.lastSeen,
      sessions: sessionCounts(this.options.manager.directory.all(), state.id),
    };
  }

  private persist(state: HostState): void {
    const { hostname, os, arch, version, capabilities, labels } = state.info;
    this.options.store.hosts.ensure(state.id, state.name);
    this.options.store.hosts.save(
      state.id,
      { hostname, os, arch, version, capabilities, labels, address: state.address, lastStatus: state.status },
      state.lastSeen,
    );
  }

  private persistAll(): void {
    for (const state of this.states.values()) if (state.status === "connected") this.persist(state);
  }

  /** Reconnect grace, orphan TTL, and last-seen times to disk. */
  private sweep(now = Date.now()): void {
    this.persistAll();
    for (const state of this.states.values()) {
      if (state.status === "reconnecting" && now - this.startedAt >= RECONNECT_GRACE_MS) {
        this.setStatus(state, "disconnected", "did not dial back in after the hub restarted");
      }
      if (state.kind !== "remote" || state.status === "connected") continue;
      const goneSince = state.lastSeen ?? this.startedAt;
      if (now - goneSince < this.options.orphanTtlMs) continue;
      for (const record of this.options.manager.directory.all()) {
        if (record.host !== state.id || (record.status !== "running" && record.status !== "starting"))
          continue;
        this.options.manager.directory.update(record.id, {
          status: "orphaned",
          reason: "its host has been gone too long",
          foreground: null,
        });
        this.options.store.audit("hub", "orphaned", { session: record.id, host: state.id, why: "ttl" });
      }
    }
  }
}
