/**
 * Starts the hub: data directory, access key, plug-ins, store, the hub's parts, the local host link and
 * the HTTP/WebSocket app. `dispatch serve` calls this; it only wires.
 */
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { VERSION } from "../core/version.js";
import { Hub } from "../hub/Hub.js";
import type { SessionKind } from "../kinds/kind.js";
import { loadPlugins } from "../kinds/plugins.js";
import { registerKind } from "../kinds/registry.js";
import { ensureHome } from "../platform/home.js";
import { createFileLogger } from "../platform/logger.js";
import { openStore } from "../store/openStore.js";
import { isStorageError } from "../store/storageErrors.js";
import { buildApp, type TlsFiles } from "./app.js";
import { Authenticator, loadAccessKey } from "./auth.js";
import { startAutoGc } from "./autoGc.js";
import { HostTokens } from "./HostTokens.js";
import { HostNames } from "./hostNames.js";
import { hostSettings } from "./hostServices.js";
import { writeHubFiles } from "./hubFiles.js";
import { hubSettings, splitList } from "./hubSettings.js";
import { linkLocalHost } from "./localHostLink.js";
import { HubMetrics } from "./metrics.js";
import { oidcFromEnv } from "./oidc.js";
import { PeriodicBackup } from "./PeriodicBackup.js";
import { holdPort, release } from "./portHold.js";

export interface HubServerOptions {
  home: string;
  port: number;
  host: string;
  allowRemote: boolean;
  /** Serve HTTPS with these PEM files (cookies then get `Secure`). */
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  /** A TLS proxy sits in front: trust its X-Forwarded-* headers, cookies get `Secure`. */
  trustProxy?: boolean | undefined;
  /** Extra names the Host header may carry (DNS-rebinding check). */
  allowedHosts?: readonly string[] | undefined;
  /** `postgres://…` to use a PostgreSQL store; unset: `DISPATCH_STORE`, else the SQLite file. */
  store?: string | undefined;
}

export interface HubServer {
  url: string;
  port: number;
  /** Where the access key lives, or `DISPATCH_KEY` when it came from the environment. */
  keySource: string;
  /**
   * Whether an error thrown outside any request (a timer's write) is the storage's weather: if
   * so it is reported as failing storage and the hub keeps running; otherwise it is a bug.
   */
  absorb(err: unknown): boolean;
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
  /** Epoch ms of start-up's steps, logged with "hub listening" (the restart bench reads them). */
  const marks: Record<string, number> = { process: Math.round(performance.timeOrigin), main: Date.now() };
  const holding = Date.now();
  const heldPort = await holdPort(options);
  const paths = ensureHome(options.home);
  const logger = createFileLogger({ file: paths.hubLog, name: "hub" });
  const { key, source } = loadAccessKey(paths.key, process.env.DISPATCH_KEY);
  // Nothing the hub starts may inherit the key.
  delete process.env.DISPATCH_KEY;
  if (!isLoopback(options.host) && !options.tlsCert && !options.trustProxy) {
    logger.warn({ host: options.host }, "listening beyond loopback without TLS");
  }

  for (const plugin of await loadPlugins(process.env)) {
    if (isSessionKind(plugin.kind)) registerKind(plugin.kind);
  }
  const storeSpec = options.store ?? process.env.DISPATCH_STORE;
  const nodeName = process.env.DISPATCH_NODE?.trim() || undefined;
  const { store, recovery } = await openStore(storeSpec, paths.db, { cluster: nodeName !== undefined });
  // The URL may hold a password: nothing the hub starts inherits it.
  delete process.env.DISPATCH_STORE;
  if (recovery) {
    logger.error(
      { damagedFile: recovery.damagedFile, reportFile: recovery.reportFile },
      "the database was damaged: moved aside and recovered into a new file",
    );
    process.stderr.write(`dispatch: ${recovery.report}`);
  }
  marks.store = Date.now();
  const settings = hubSettings(process.env);
  let hubRef: Hub | undefined;
  let listeningUrl = "";
  // Imported only on a cluster node: a hub on SQLite never evaluates the cluster's code.
  const cluster =
    nodeName !== undefined
      ? (await import("./clusterSettings.js")).joinCluster(logger, {
          node: nodeName,
          store,
          databaseUrl: storeSpec ?? "",
          key,
          url: () => process.env.DISPATCH_ADVERTISE_URL || listeningUrl,
          clients: () => metrics.clients(),
        })
      : undefined;
  const metrics = new HubMetrics({
    sessions: () => hubRef?.sessions.list() ?? [],
    hosts: () => hubRef?.hosts.list() ?? [],
    searchWorker: () => hubRef?.search.workerRunning ?? false,
    screenWorker: () => hubRef?.screenWorkerRunning ?? false,
  });
  const hub = new Hub({
    store: metrics.timed(store),
    logger,
    hubInfoFile: paths.hubInfo,
    ...settings,
    ...hostSettings(process.env),
    cluster,
  });
  hubRef = hub;
  marks.hub = Date.now();
  hub.bus.on("stored", (_session, entries) => metrics.stored(entries.length));
  const auth = new Authenticator(key, hub.tokens, hub.people, hub.bus);
  const tls = tlsFiles(options);
  const oidc = await oidcFromEnv(process.env, { people: hub.people, logger, ownerKey: key });
  const hosts = {
    monitor: hub.hosts,
    commands: hub.hostCommands,
    tokens: new HostTokens(
      hub.tokens,
      store,
      {
        expect: (name) => hub.hosts.expect(name),
        // A revoked host is cut off wherever it is linked.
        cutOff: (name, reason) => hub.cluster?.cutOff(name, reason) ?? hub.hosts.cutOff(name, reason),
      },
      hub.bus,
    ),
  };
  // The local host (already running after a hub restart) links while the app is built.
  const { launcher, linked } = linkLocalHost(hub, {
    paths,
    logger,
    cluster: cluster !== undefined,
    onLinked: () => {
      marks.hostLinked = Date.now();
    },
  });

  /** Periodic backups, started once the hub listens; declared here for the status. */
  let backups: PeriodicBackup | undefined;
  let port = options.port;
  const app = await buildApp({
    hub,
    store,
    paths,
    auth,
    logger,
    secureCookies: tls !== undefined || options.trustProxy === true,
    tls,
    trustProxy: options.trustProxy === true,
    hostNames: new HostNames({
      bind: options.host,
      extra: [...(options.allowedHosts ?? []), ...splitList(process.env.DISPATCH_ALLOWED_HOSTS)],
    }),
    oidc,
    hosts,
    metrics,
    peerToken: cluster?.settings.peerToken,
    clientPingMs: settings.clientPingMs,
    maxSocketsPerPerson: settings.maxSocketsPerPerson,
    status: async () => {
      const hostInfo = hub.hosts.link("local")?.host;
      const hostStats = await hub.hostCommands.resources("local").catch(() => undefined);
      return {
        hub: { running: true, pid: process.pid, port, rss: process.memoryUsage.rss() },
        host: {
          running: hostInfo !== undefined,
          pid: hostInfo?.pid ?? null,
          ...(hostStats ? { rss: hostStats.rss } : {}),
        },
        dataDir: paths.home,
        version: VERSION,
        storage: hub.storage.reported,
        store: { engine: store.engine, location: store.location },
        ...(backups ? { backups: backups.status() } : {}),
        ...(hub.cluster ? { cluster: hub.cluster.status() } : {}),
      };
    },
  });
  marks.app = Date.now();
  await linked;
  // Key proofs made before the port was this hub's may have been caught by whatever held it.
  auth.listening(heldPort ? holding : Date.now());
  await release(heldPort);
  await app.listen({ port: options.port, host: options.host });
  const metricsPort = Number(process.env.DISPATCH_METRICS_PORT);
  const metricsServer =
    metricsPort > 0 && Number.isInteger(metricsPort) ? await metrics.listenLoopback(metricsPort) : undefined;
  const gcTimer = startAutoGc(hub.sessions, settings.gcAfterMs, logger);
  // Periodic backups copy the database file; a server's database is backed up by its own tools.
  if (settings.backupEveryMs !== undefined && store.file === undefined) {
    logger.warn(
      { store: store.location },
      "DISPATCH_BACKUP_EVERY ignored: back up a PostgreSQL store with pg_dump",
    );
  }
  backups =
    settings.backupEveryMs === undefined || store.file === undefined
      ? undefined
      : new PeriodicBackup({
          store,
          dir: settings.backupDir ?? paths.backups,
          everyMs: settings.backupEveryMs,
          keep: settings.backupKeep,
          logger,
        });
  const address = app.server.address();
  port = typeof address === "object" && address ? address.port : options.port;
  const urlHost = options.host.includes(":") ? `[${options.host}]` : options.host;
  const url = `${tls ? "https" : "http"}://${urlHost}:${port}`;
  hub.sessionTokens.hubUrl = url;
  listeningUrl = url;
  await hub.cluster?.start();
  oidc?.setRedirectBase(process.env.DISPATCH_PUBLIC_URL ?? url);
  const hubFiles = writeHubFiles(paths, { port, host: options.host, url });
  marks.listening = Date.now();
  // CPU time spent until now: a start-up figure a busy machine moves less than wall time.
  const cpu = process.cpuUsage();
  const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
  logger.info({ url, pid: process.pid, startup: marks, cpuMs }, "hub listening");

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    keySource: source === "env" ? "DISPATCH_KEY" : paths.key,
    absorb(err) {
      if (!isStorageError(err)) return false;
      hub.storage.failed(err, "background write");
      return true;
    },
    close() {
      closing ??= (async () => {
        launcher.stop();
        if (gcTimer) clearInterval(gcTimer);
        await backups?.dispose();
        await app.close();
        metricsServer?.close();
        await hub.close();
        store.close();
        // Only this hub's own: the CLI finds the running hub by them.
        hubFiles.remove();
        logger.info("hub stopped");
        logger.flush();
      })();
      return closing;
    },
  };
}

function tlsFiles(options: HubServerOptions): TlsFiles | undefined {
  const cert = options.tlsCert ?? process.env.DISPATCH_TLS_CERT;
  const key = options.tlsKey ?? process.env.DISPATCH_TLS_KEY;
  if (!cert && !key) return undefined;
  if (!cert || !key) throw new Error("TLS needs both --tls-cert and --tls-key (PEM files)");
  return { cert: readFileSync(cert), key: readFileSync(key) };
}

function isSessionKind(value: unknown): value is SessionKind {
  return (
    typeof value === "object" && value !== null && typeof (value as { name?: unknown }).name === "string"
  );
}
