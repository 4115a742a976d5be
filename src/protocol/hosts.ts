/**
 * Hosts as the hub reports them (REST `/api/hosts`, the client protocol's `host` message,
 * `dispatch hosts --json`): identity, the facts the host told in its hello, and the hub's
 * view of the link (status, health, round-trip time). Field names are stable.
 *
 *   GET    /api/hosts                         {hosts: HostView[]}
 *   GET    /api/hosts/:name                   {host: HostView}
 *   GET    /api/hosts/:name/sessions[?includeOrphaned=true]   SessionList (protocol/api.ts)
 *   GET    /api/hosts/:name/stats             {stats: HostStats}
 *   POST   /api/hosts/:name/cleanup           CleanupRequest -> CleanupResult
 *   GET    /api/hosts/:name/orphans           OrphanReport (what runtimes left behind, see host.ts)
 *   POST   /api/hosts/:name/orphans/cleanup   OrphanReport of what was stopped and removed
 *   POST   /api/hosts/:name/token             {name, token}  (the token is shown once)
 *   DELETE /api/hosts/:name/token             {revoked, disconnected}
 */
import { z } from "zod";
import { UnknownFields } from "./session.js";

/**
 * `connected`: the link is up. `reconnecting`: the hub restarted and expects this host to dial
 * back in. `disconnected`: the link is down. `failed`: the hub dropped the host (it stopped
 * answering heartbeats, broke the protocol, or its token was revoked). `unknown`: not seen since
 * the hub started.
 */
export const ConnectionStatus = z.enum(["connected", "reconnecting", "disconnected", "failed", "unknown"]);
export type ConnectionStatus = z.infer<typeof ConnectionStatus>;

/** From round-trip time and missed heartbeats; `unknown` while not connected or not yet measured. */
export const ConnectionHealth = z.enum(["healthy", "warning", "critical", "unknown"]);
export type ConnectionHealth = z.infer<typeof ConnectionHealth>;

export const HostSessionCounts = z.object({
  total: z.number().int(),
  running: z.number().int(),
  exited: z.number().int(),
  orphaned: z.number().int(),
});

/** The id (and name) of the hub's own host, started beside it: the one host known to share its machine. */
export const HUB_HOST_ID = "local";

export const HostView = z.object({
  /** Stable id; `local` for the hub's own host, the token's name for a remote host. */
  id: z.string(),
  name: z.string(),
  kind: z.enum(["local", "remote"]),
  status: ConnectionStatus,
  health: ConnectionHealth,
  /** Round-trip time of the last answered heartbeat. */
  rttMs: z.number().nullable(),
  /** Heartbeats sent since the last answer. */
  missedBeats: z.number().int(),
  /** When `status` last changed. */
  statusSince: z.number(),
  /** Peer address of the current (or last) link. */
  address: z.string().nullable(),
  hostname: z.string().nullable(),
  os: z.string().nullable(),
  arch: z.string().nullable(),
  version: z.string().nullable(),
  capabilities: z.array(z.string()),
  labels: z.record(z.string(), z.string()),
  connectedSince: z.number().nullable(),
  lastSeen: z.number().nullable(),
  sessions: HostSessionCounts,
});
export type HostView = z.infer<typeof HostView>;

export const HostStats = HostSessionCounts.extend({
  host: z.string(),
  /** Output bytes held in the store for this host's sessions (after retention); unless `unknown`. */
  storedBytes: z.number().int().optional(),
  unknown: UnknownFields.optional(),
  /** Newest output of any of its sessions; null when it has none. */
  lastActivityAt: z.number().nullable(),
});
export type HostStats = z.infer<typeof HostStats>;

export const CleanupRequest = z.object({
  /** Select orphaned sessions. Neither flag: both orphaned and ended sessions. */
  orphaned: z.boolean().default(false),
  /** Select ended sessions (exited, failed). */
  exited: z.boolean().default(false),
  /** Only sessions whose last activity is older than this (a duration such as `2h`, `7d`). */
  olderThan: z.string().max(32).optional(),
  /** Also stop and remove running sessions (otherwise they are kept). */
  force: z.boolean().default(false),
});
export type CleanupRequest = z.input<typeof CleanupRequest>;

export const CleanupResult = z.object({
  removed: z.array(z.object({ id: z.string(), name: z.string(), status: z.string() })),
  kept: z.array(z.object({ id: z.string(), name: z.string(), status: z.string(), why: z.string() })),
});
export type CleanupResult = z.infer<typeof CleanupResult>;

export const HostSessionsQuery = z.object({
  includeOrphaned: z
    .enum(["true", "false", "1", "0"])
    .optional()
    .transform((v) => v === "true" || v === "1"),
});

export const TokenCreated = z.object({ name: z.string(), token: z.string() });
export const TokenRevoked = z.object({ revoked: z.number().int(), disconnected: z.boolean() });
