/**
 * What the hub holds about one host: identity, the facts from its hello, the link serving it
 * and its status; how that looks to clients (`HostView`) and what of it is kept on disk.
 */
import { formatAge } from "../core/duration.js";
import { DispatchError } from "../core/errors.js";
import type { HostInfo } from "../protocol/host.js";
import type { ConnectionHealth, ConnectionStatus, HostView } from "../protocol/hosts.js";
import type { SessionRecord } from "../protocol/session.js";
import type { Store } from "../store/Store.js";
import type { HeartbeatState } from "./Heartbeat.js";
import type { HostLink } from "./HostLink.js";
import type { HostKindName } from "./hostKinds.js";
import { sessionCounts } from "./hostSessions.js";

export interface HostLinkIdentity {
  id: string;
  name: string;
  kind: HostKindName;
  /** Peer address, for the record and the logs. */
  address: string | null;
}

export interface HostState {
  id: string;
  name: string;
  kind: HostKindName;
  status: ConnectionStatus;
  statusSince: number;
  /** The live heartbeat reading of the current link. */
  beat: () => HeartbeatState;
  info: Partial<HostInfo>;
  address: string | null;
  connectedSince: number | null;
  lastSeen: number | null;
  /** The link currently serving this host, once it said hello. */
  link: HostLink | undefined;
  /** Set just before the hub drops the link for cause: the close then counts as `failed`. */
  failure: string | undefined;
}

export const NO_BEAT: HeartbeatState = { health: "unknown", rttMs: null, missed: 0 };

export function newHostState(identity: HostLinkIdentity): HostState {
  return {
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
    link: undefined,
    failure: undefined,
  };
}

/** The link's health as seen by the cluster node that holds it (the host is linked there). */
export interface RemoteLinkHealth {
  health: ConnectionHealth;
  rttMs: number | null;
  missedBeats: number;
}

export function hostView(
  state: HostState,
  records: readonly SessionRecord[],
  remote?: RemoteLinkHealth | undefined,
): HostView {
  // Linked to another cluster node: connected there, with that node's view of the link.
  const status = remote ? "connected" : state.status;
  const connected = status === "connected";
  const beat = remote
    ? { health: remote.health, rttMs: remote.rttMs, missed: remote.missedBeats }
    : state.beat();
  const health: ConnectionHealth = connected ? beat.health : "unknown";
  return {
    id: state.id,
    name: state.name,
    kind: state.kind,
    status,
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
    sessions: sessionCounts(records, state.id),
  };
}

export function persistHost(store: Store, state: HostState): void {
  const { hostname, os, arch, version, capabilities, labels } = state.info;
  store.hosts.ensure(state.id, state.name);
  store.hosts.save(
    state.id,
    { hostname, os, arch, version, capabilities, labels, address: state.address, lastStatus: state.status },
    state.lastSeen,
  );
}

/** A host away this long is likely not coming back by itself: say what the user can do. */
const LONG_AWAY_MS = 15_000;

/**
 * Why a command for a host's session cannot go through. A host that dropped a moment ago
 * (a hub restart, a blip) is worth another try; a remote host away longer may be down for
 * good, and its sessions stay listed as running until it dials back in or they are cleaned up.
 */
export function notConnectedError(
  state: Pick<HostState, "name" | "kind" | "lastSeen">,
  now: number = Date.now(),
): DispatchError {
  const away = state.lastSeen === null ? null : now - state.lastSeen;
  if (state.kind !== "remote" || away === null || away < LONG_AWAY_MS) {
    return new DispatchError(
      "host_unavailable",
      `host '${state.name}' is not connected right now; try again shortly`,
    );
  }
  return new DispatchError(
    "host_unavailable",
    `host '${state.name}' is not connected (last seen ${formatAge(away)} ago); its sessions wait for it to dial back in: ` +
      `start it again on its machine (dispatch host --hub …), or forget its sessions with \`dispatch hosts cleanup ${state.name} --force\``,
  );
}

/**
 * A remote host's status when the hub starts, from the last one it stored: one that was
 * connected is `reconnecting` (it dials back in by itself); one already away stays
 * `disconnected` or `failed` rather than turning `unknown` by a restart.
 */
export function restoredStatus(lastStatus: unknown): ConnectionStatus {
  if (lastStatus === "connected") return "reconnecting";
  return lastStatus === "disconnected" || lastStatus === "failed" ? lastStatus : "unknown";
}
