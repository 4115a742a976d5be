/**
 * Host settings from the environment: heartbeat `DISPATCH_HEARTBEAT_MS` (default 2000), how long
 * a host has to answer a quick request `DISPATCH_HOST_REQUEST_TIMEOUT_MS` (default 10000) and
 * orphan TTL `DISPATCH_ORPHAN_TTL` (a duration, default 24h); and the identity of the hub's
 * own host link (the Unix socket).
 */
import { parseDuration } from "../core/duration.js";
import { DEFAULT_HEARTBEAT_MS } from "../hub/Heartbeat.js";
import { DEFAULT_REQUEST_TIMEOUT_MS } from "../hub/HostConnection.js";
import type { HostLinkIdentity } from "../hub/HostMonitor.js";
import { DEFAULT_ORPHAN_TTL_MS } from "../hub/HostSweep.js";
import { HUB_HOST_ID } from "../protocol/hosts.js";

/** The identity of the hub's own host link (the Unix socket). */
export const LOCAL_HOST: HostLinkIdentity = {
  id: HUB_HOST_ID,
  name: HUB_HOST_ID,
  kind: "local",
  address: null,
};

export function hostSettings(env: NodeJS.ProcessEnv): {
  heartbeatMs: number;
  requestTimeoutMs: number;
  orphanTtlMs: number;
} {
  const heartbeatMs =
    Number(env.DISPATCH_HEARTBEAT_MS) > 0 ? Number(env.DISPATCH_HEARTBEAT_MS) : DEFAULT_HEARTBEAT_MS;
  const requestTimeoutMs =
    Number(env.DISPATCH_HOST_REQUEST_TIMEOUT_MS) > 0
      ? Number(env.DISPATCH_HOST_REQUEST_TIMEOUT_MS)
      : DEFAULT_REQUEST_TIMEOUT_MS;
  const orphanTtlMs = env.DISPATCH_ORPHAN_TTL
    ? parseDuration(env.DISPATCH_ORPHAN_TTL)
    : DEFAULT_ORPHAN_TTL_MS;
  return { heartbeatMs, requestTimeoutMs, orphanTtlMs };
}
