/**
 * Every host the hub knows and the one link serving each: who it is (the hub decides: `local`,
 * or the name its token was issued for, whatever the host claims), what it reported in its
 * hello, connection status and health from heartbeats, and when it was last seen. Each
 * transition is recorded in the audit table and pushed to listeners (clients get a `host`
 * message; `HostTransitions`). It is the only owner of host links: the rest of the hub finds
 * them here (`HostLinks`).
 *
 * It sits between each link and the rest of the hub, enforcing one identity per link, one
 * hello, and that a host speaks only of its own sessions; a host that breaks these is dropped,
 * alone. What passes is announced on the hub's bus (`host-hello`, `host-event`). What changes
 * with no message from a host (reconnect grace, orphan TTL) is `HostSweep`'s.
 */
import type { Logger } from "pino";
import { DispatchError } from "../core/errors.js";
import { unknownNameMessage } from "../core/names.js";
import { type HostInfo, type HostSessionState, LEASE_HELD_CLOSE_CODE } from "../protocol/host.js";
import type { HostView } from "../protocol/hosts.js";
import type { Store } from "../store/Store.js";
import type { AuditTrail } from "./AuditTrail.js";
import type { Heartbeat } from "./Heartbeat.js";
import type { HostLink, HostLinkEvents } from "./HostLink.js";
import { HostSweep } from "./HostSweep.js";
import { HostTransitions } from "./HostTransitions.js";
import type { HubEvents } from "./HubEvents.js";
import type { HostAdmission } from "./hostAdmission.js";
import { hostKind } from "./hostKinds.js";
import { reconcileSessions } from "./hostSessions.js";
import {
  type HostLinkIdentity,
  type HostState,
  hostView,
  NO_BEAT,
  newHostState,
  notConnectedError,
  restoredStatus,
} from "./hostState.js";
import { startLinkHeartbeat } from "./linkHeartbeat.js";
import type { SessionDirectory } from "./SessionDirectory.js";

export type { HostLinkIdentity } from "./hostState.js";

/** How the rest of the hub reaches a host: the open link, or an error a person can act on. */
export interface HostLinks {
  link(id: string): HostLink | undefined;
  require(id: string): HostLink;
}

export interface HostMonitorOptions {
  directory: SessionDirectory;
  store: Store;
  /** Where the hub records sessions it orphans (`hostSessions.ts`). */
  audit: AuditTrail;
  bus: HubEvents;
  logger: Logger;
  heartbeatMs: number;
  /** How long a host linked here has to answer a quick request; `HostConnection`'s default if absent. */
  requestTimeoutMs?: number | undefined;
  orphanTtlMs: number;
  /** Cluster nodes: a hello is accepted only with the host's intake lease (`cluster/HostLeases`). */
  admission?: HostAdmission | undefined;
}

export class HostMonitor implements HostLinks {
  private readonly states = new Map<string, HostState>();
  /** Status and health changes: logged, audited, pushed to listeners. */
  private readonly transitions: HostTransitions;
  /** Reconnect grace, orphan TTL and last-seen times: what changes with time alone. */
  private readonly sweep: HostSweep;
  /** Set by `closeAll`: links closing now are the hub's own shutdown, not the hosts'. */
  private closing = false;

  constructor(private readonly options: HostMonitorOptions) {
    this.transitions = new HostTransitions({
      directory: options.directory,
      store: options.store,
      logger: options.logger,
      view: (state) => this.view(state),
    });
    const local = options.admission === undefined; // a cluster node has no local host
    for (const row of options.store.hosts.list()) {
      const isLocal = row.id === "local";
      if (isLocal && !local) continue;
      const kind = isLocal ? "local" : "remote";
      const state = this.stateFor({ id: row.id, name: row.name, kind, address: null });
      state.info = row.info as Partial<HostInfo>;
      state.address = typeof row.info.address === "string" ? row.info.address : null;
      state.lastSeen = row.lastSeenAt;
      if (hostKind(kind).dialsBack) state.status = restoredStatus(row.info.lastStatus);
    }
    if (local) this.stateFor({ id: "local", name: "local", kind: "local", address: null });
    this.sweep = new HostSweep({
      hosts: () => this.states.values(),
      directory: options.directory,
      store: options.store,
      audit: options.audit,
      orphanTtlMs: options.orphanTtlMs,
      admission: options.admission,
      setStatus: (state, status, reason) => this.transitions.setStatus(state, status, reason),
    });
  }

  /** For each new link (`HostConnection`): how long its host has to answer a quick request. */
  get requestTimeoutMs(): number | undefined {
    return this.options.requestTimeoutMs;
  }

  /** The events of one new link, checked here before the rest of the hub hears of them. */
  eventsFor(identity: HostLinkIdentity): HostLinkEvents {
    const { logger, bus, directory } = this.options;
    const state = this.stateFor(identity);
    const kind = hostKind(identity.kind);
    let greeted = false;
    let heartbeat: Heartbeat | undefined;
    return {
      onHello: (link, claimed, sessions) => {
        if (greeted) return link.violation("sent a second hello");
        greeted = true;
        const refusal = this.options.admission?.admit(identity.id);
        if (refusal) return link.close(LEASE_HELD_CLOSE_CODE, refusal);
        const host: HostInfo = { ...claimed, id: identity.id, name: identity.name };
        link.host = host;
        if (kind.namedByToken && claimed.name !== identity.name) {
          logger.info(
            { host: identity.name, claimed: claimed.name },
            "host calls itself otherwise; its token decides",
          );
        }
        const foreign = this.foreignSession(identity.id, sessions);
        if (foreign) return link.violation(foreign);
        if (kind.orphansSessions) reconcileSessions(directory, this.options.audit, identity.id, sessions);
        const previous = state.link;
        state.link = link;
        state.failure = undefined;
        if (previous && previous !== link) previous.close(4000, "replaced by a newer connection");
        bus.emit("host-hello", link, host, sessions);
        const now = Date.now();
        state.info = host;
        state.address = identity.address;
        state.connectedSince = now;
        state.lastSeen = now;
        heartbeat = startLinkHeartbeat({
          state,
          link,
          intervalMs: this.options.heartbeatMs,
          transitions: this.transitions,
          logger,
        });
        const beating = heartbeat;
        state.beat = () => beating.state;
        this.transitions.setStatus(state, "connected", `hello from ${identity.address ?? "local socket"}`);
      },
      onEvent: (link, event, frame) => {
        if (!greeted) return link.violation("sent an event before its hello");
        const record = directory.get(event.session);
        if (record && record.host !== identity.id) {
          return link.violation(
            `sent an event for session ${event.session}, which belongs to host '${record.host}'`,
          );
        }
        state.lastSeen = Date.now();
        // No record: the hub removed the session (cleanup); its last words are dropped.
        if (record) bus.emit("host-event", link, event, frame);
      },
      onReply: (_link, session, deliver) => bus.emit("host-reply", session, deliver),
      onPong: (_link, t) => {
        state.lastSeen = Date.now();
        heartbeat?.pong(t);
      },
      onViolation: (link, message) => {
        logger.warn(
          { host: identity.name, address: identity.address, problem: message },
          "host dropped for breaking the protocol",
        );
        this.options.store.audit(`host:${identity.name}`, "host-violation", { problem: message });
        if (state.link === link) state.failure = `protocol violation: ${message}`;
      },
      onClose: (link, reason) => {
        heartbeat?.dispose();
        if (state.link !== link) return;
        logger.warn({ host: identity.id, reason }, "host disconnected");
        state.link = undefined;
        this.options.admission?.release(identity.id);
        state.connectedSince = null;
        state.beat = () => NO_BEAT;
        const failure = state.failure;
        state.failure = undefined;
        // The hub is stopping: the host is still connected as far as it knows, and its next
        // start shows it reconnecting (not `unknown`) until it dials back in.
        if (this.closing) return;
        this.transitions.setStatus(state, failure ? "failed" : "disconnected", failure ?? reason);
      },
    };
  }

  link(id: string): HostLink | undefined {
    const link = this.states.get(id)?.link;
    return link?.isOpen ? link : undefined;
  }

  require(id: string): HostLink {
    const link = this.link(id);
    if (link) return link;
    const state = this.states.get(id);
    // Never registered (here, or by another cluster node): a typo; `resolve` lists the hosts.
    if (!state && !this.options.store.hosts.get(id)) this.resolve(id);
    throw notConnectedError(state ?? { name: id, kind: "remote", lastSeen: null });
  }

  isConnected(id: string): boolean {
    return this.states.get(id)?.status === "connected";
  }

  /** Every host, local first. */
  list(): HostView[] {
    const states = [...this.states.values()].sort(
      (a, b) => hostKind(a.kind).rank - hostKind(b.kind).rank || a.name.localeCompare(b.name),
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
    const link = state?.link;
    if (!state || !link) return false;
    state.failure = reason;
    this.options.logger.warn({ host: state.name, reason }, "cutting a host off");
    link.terminate(reason);
    return true;
  }

  listen(listener: (host: HostView) => void): () => void {
    return this.transitions.listen(listener);
  }

  /** Closes every link (hub shutdown; hosts and their sessions keep running). */
  closeAll(): void {
    this.closing = true;
    for (const state of this.states.values()) state.link?.close(1001, "hub shutting down");
  }

  dispose(): void {
    this.sweep.dispose();
  }

  private resolve(ref: string): HostState {
    const state = this.states.get(ref) ?? [...this.states.values()].find((s) => s.name === ref);
    if (state) return state;
    const names = [...this.states.values()].map((s) => s.name);
    // Hosts are few: naming them all says what can be given.
    throw new DispatchError(
      "not_found",
      `${unknownNameMessage("host", ref, names)} (hosts: ${names.join(", ")})`,
    );
  }

  private stateFor(identity: HostLinkIdentity): HostState {
    let state = this.states.get(identity.id);
    if (!state) {
      state = newHostState(identity);
      this.states.set(identity.id, state);
    }
    return state;
  }

  /** Why a hello must be refused: it lists a session that belongs to another host. */
  private foreignSession(hostId: string, sessions: HostSessionState[]): string | undefined {
    for (const session of sessions) {
      const owner = this.options.directory.get(session.id)?.host;
      if (owner !== undefined && owner !== hostId)
        return `claims session ${session.id}, which belongs to host '${owner}'`;
    }
    return undefined;
  }

  private view(state: HostState): HostView {
    return hostView(state, this.options.directory.all(), this.options.admission?.remoteLink(state.id));
  }
}
