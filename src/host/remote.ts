/**
 * A remote host: the same daemon as the local host, dialing out to a hub (`dispatch host`).
 * Wires only: settings, environment scrubbing before any session can inherit it, the daemon,
 * the dialer, and shutdown on SIGTERM/SIGINT (which ends the sessions).
 */

import { join } from "node:path";
import { pino } from "pino";
import { scrubEnvironment } from "../core/secrets.js";
import { dataHome, homePaths } from "../platform/home.js";
import { logLevel } from "../platform/logger.js";
import { DEFAULT_BUFFER_LIMIT_BYTES, HostDaemon } from "./HostDaemon.js";
import { HubDialer } from "./HubDialer.js";
import { registerPluginRuntimes } from "./plugins.js";

export interface RemoteHostOptions {
  /** One hub, or every node of a cluster (the host dials one and moves on when it drops). */
  hubUrls: readonly string[];
  token: string;
  /** What the host calls itself; the hub names it after its token. */
  name: string;
  labels: Record<string, string>;
}

/** Runs until SIGTERM or SIGINT (or a hub's `shutdown`); resolves once sessions are stopped. */
export async function runRemoteHost(options: RemoteHostOptions): Promise<void> {
  const level = logLevel();
  await registerPluginRuntimes(process.env);
  const bufferLimitBytes = Number(process.env.DISPATCH_HOST_BUFFER_BYTES) || DEFAULT_BUFFER_LIMIT_BYTES;
  const silenceMs = Number(process.env.DISPATCH_HUB_SILENCE_MS) || undefined;
  // Sandboxed sessions see an empty directory where this host's data directory is.
  const sandbox = {
    hide: [dataHome(process.env)],
    ...(process.env.DISPATCH_BWRAP ? { bwrap: process.env.DISPATCH_BWRAP } : {}),
  };
  const baseEnv = scrubEnvironment(process.env);
  // A foreground daemon: logs go to stderr for whoever supervises it (systemd, a container).
  const logger = pino({ name: `host:${options.name}`, level }, pino.destination(2));

  return new Promise((resolve) => {
    const daemon = new HostDaemon({
      id: options.name,
      name: options.name,
      labels: options.labels,
      baseEnv,
      sandbox,
      bufferLimitBytes,
      // Per host name: a remote host beside the hub's local host (same data home) never meets it.
      runDir: join(homePaths(dataHome(process.env)).run, options.name),
      logger,
      onShutdown: () => {
        dialer.stop();
        logger.flush();
        // Give PTYs a moment to deliver SIGHUP before the process ends with them.
        setTimeout(resolve, 200).unref();
      },
    });
    const dialer = new HubDialer({
      hubUrls: options.hubUrls,
      token: options.token,
      daemon,
      logger,
      silenceMs,
    });
    logger.info({ hubs: options.hubUrls, name: options.name, pid: process.pid }, "remote host starting");
    dialer.start();
    daemon.sweepAtStart().catch((err: unknown) => logger.warn({ err }, "orphan sweep at start failed"));
    process.on("SIGTERM", () => daemon.shutdown());
    process.on("SIGINT", () => daemon.shutdown());
    process.on("uncaughtException", (err) => {
      // Exiting would end every session this host runs; log loudly and keep serving instead.
      logger.fatal({ err }, "uncaught exception in host");
    });
  });
}
