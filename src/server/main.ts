/**
 * Starts the hub: data directory, access key, store, session manager, the local host link and
 * the HTTP/WebSocket app. `dispatch serve` calls this; it only wires.
 */
import { rmSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { VERSION } from "../core/version.js";
import { HostConnection } from "../hub/HostConnection.js";
import { LocalHostLauncher } from "../hub/LocalHostLauncher.js";
import { DEFAULT_MAX_SESSIONS, SessionManager } from "../hub/SessionManager.js";
import { EventStore } from "../store/EventStore.js";
import { ensureHome } from "../store/home.js";
import { createFileLogger } from "../store/logger.js";
import { buildApp } from "./app.js";
import { Authenticator, loadAccessKey } from "./auth.js";

/** How long start-up waits for the local host's hello before serving anyway. */
const HOST_HELLO_TIMEOUT_MS = 15_000;

export interface HubServerOptions {
  home: string;
  port: number;
  host: string;
  allowRemote: boolean;
}

export interface HubServer {
  url: string;
  port: number;
  /** Where the access key lives, or `DISPATCH_KEY` when it came from the environment. */
  keySource: string;
  close(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || (isIP(host) === 4 && host.startsWith("127."));
}

export async function startHubServer(options: HubServerOptions): Promise<HubServer> {
  if (!isLoopback(options.host) && !options.allowRemote) {
    throw new Error(
      `refusing to listen on ${options.host}: only loopback is allowed by default; pass --allow-remote to expose the hub (use TLS in front of it)`,
    );
  }
  const paths = ensureHome(options.home);
  const logger = createFileLogger({ file: paths.hubLog, name: "hub" });
  const { key, source } = loadAccessKey(paths.key, process.env.DISPATCH_KEY);
  // Nothing the hub starts may inherit the key.
  delete process.env.DISPATCH_KEY;
  if (!isLoopback(options.host)) logger.warn({ host: options.host }, "listening beyond loopback without TLS");

  const store = EventStore.open(paths.db);
  const manager = new SessionManager({
    store,
    logger,
    maxSessions: Number(process.env.DISPATCH_MAX_SESSIONS) || DEFAULT_MAX_SESSIONS,
  });
  const auth = new Authenticator(key, store);
  const launcher = new LocalHostLauncher({
    paths,
    logger,
    onSocket: (socket) => new HostConnection(socket, manager, logger.child({ host: "local" })),
  });
  await launcher.start();
  await waitFor(() => manager.hostInfo("local") !== undefined, HOST_HELLO_TIMEOUT_MS);

  let port = options.port;
  const app = await buildApp({
    manager,
    auth,
    logger,
    secureCookies: false,
    status: async () => {
      const hostInfo = manager.hostInfo("local");
      const hostStats = await manager.hostStats("local").catch(() => undefined);
      return {
        hub: { running: true, pid: process.pid, port, rss: process.memoryUsage.rss() },
        host: {
          running: hostInfo !== undefined,
          pid: hostInfo?.pid ?? null,
          ...(hostStats ? { rss: hostStats.rss } : {}),
        },
        dataDir: paths.home,
        version: VERSION,
      };
    },
  });
  await app.listen({ port: options.port, host: options.host });
  const address = app.server.address();
  port = typeof address === "object" && address ? address.port : options.port;
  const urlHost = options.host.includes(":") ? `[${options.host}]` : options.host;
  const url = `http://${urlHost}:${port}`;
  writeFileSync(
    paths.hubInfo,
    JSON.stringify({ pid: process.pid, port, host: options.host, url, startedAt: Date.now() }),
    {
      mode: 0o600,
    },
  );
  writeFileSync(paths.hubPid, String(process.pid), { mode: 0o600 });
  logger.info({ url, pid: process.pid }, "hub listening");

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    keySource: source === "env" ? "DISPATCH_KEY" : paths.key,
    close() {
      closing ??= (async () => {
        launcher.stop();
        await app.close();
        manager.closeHosts();
        manager.flush();
        store.close();
        rmSync(paths.hubInfo, { force: true });
        rmSync(paths.hubPid, { force: true });
        logger.info("hub stopped");
        logger.flush();
      })();
      return closing;
    },
  };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}
