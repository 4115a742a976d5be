/**
 * Wires the hub's host services from settings: the monitor (heartbeat `DISPATCH_HEARTBEAT_MS`,
 * default 2000; orphan TTL `DISPATCH_ORPHAN_TTL`, a duration, default 24h), the per-host
 * commands and the host tokens.
 */
import type { Logger } from "pino";
import { parseDuration } from "../core/duration.js";
import { DEFAULT_HEARTBEAT_MS } from "../hub/Heartbeat.js";
import { HostCommands } from "../hub/HostCommands.js";
import { DEFAULT_ORPHAN_TTL_MS, type HostLinkIdentity, HostMonitor } from "../hub/HostMonitor.js";
import type { SessionManager } from "../hub/SessionManager.js";
import type { EventStore } from "../store/EventStore.js";
import { HostTokens } from "./HostTokens.js";
import type { HostRoutesOptions } from "./hostRoutes.js";

/** The identity of the hub's own host link (the Unix socket). */
export const LOCAL_HOST: HostLinkIdentity = { id: "local", name: "local", kind: "local", address: null };

export interface HostServicesOptions {
  manager: SessionManager;
  store: EventStore;
  logger: Logger;
  env: NodeJS.ProcessEnv;
}

export function createHostServices(options: HostServicesOptions): HostRoutesOptions {
  const { manager, store, logger, env } = options;
  const heartbeatMs =
    Number(env.DISPATCH_HEARTBEAT_MS) > 0 ? Number(env.DISPATCH_HEARTBEAT_MS) : DEFAULT_HEARTBEAT_MS;
  const orphanTtlMs = env.DISPATCH_ORPHAN_TTL
    ? parseDuration(env.DISPATCH_ORPHAN_TTL)
    : DEFAULT_ORPHAN_TTL_MS;
  const monitor = new HostMonitor({ manager, store, logger, heartbeatMs, orphanTtlMs });
  return {
    monitor,
    commands: new HostCommands({ manager, monitor, store, logger }),
    tokens: new HostTokens(store, monitor),
  };
}
