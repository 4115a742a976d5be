/**
 * Entry of the local host daemon. Wires only: reads its settings, scrubs them from the
 * environment before any session can inherit them, starts the daemon on the Unix socket,
 * and stops every session on SIGTERM. Started detached by the hub (its own process group),
 * so it outlives hub restarts.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { scrubEnvironment } from "../core/secrets.js";
import { ensureHome } from "../platform/home.js";
import { dropLeanEnv } from "../platform/leanProcess.js";
import { createFileLogger, logLevel } from "../platform/logger.js";
import { STARTED_BY_VARIABLE, watchStartingHub } from "../platform/startingHub.js";
import { HostDaemon } from "./HostDaemon.js";
import { DEFAULT_BUFFER_LIMIT_BYTES } from "./HostSessions.js";
import { listenLocal } from "./LocalSocketServer.js";
import { registerPluginRuntimes } from "./plugins.js";

/** How long a host that stopped running sessions waits before exiting (see `onShutdown`). */
const EXIT_AFTER_SESSIONS_MS = 200;

dropLeanEnv();
const home = process.env.DISPATCH_HOME;
if (!home) {
  console.error(
    "dispatch host: DISPATCH_HOME is not set (the hub starts this process; run `dispatch start`)",
  );
  process.exit(2);
}
const level = logLevel();
// Read before the scrub below takes every DISPATCH_* setting out of the environment.
const startedBy = process.env[STARTED_BY_VARIABLE];
const plugins = await registerPluginRuntimes(process.env);
const bufferLimitBytes = Number(process.env.DISPATCH_HOST_BUFFER_BYTES) || DEFAULT_BUFFER_LIMIT_BYTES;
// Sandboxed sessions see an empty directory where the data directory is.
const sandbox = {
  hide: [home],
  ...(process.env.DISPATCH_BWRAP ? { bwrap: process.env.DISPATCH_BWRAP } : {}),
};
const baseEnv = scrubEnvironment(process.env);

const paths = ensureHome(home);
const logger = createFileLogger({ file: paths.hostLog, name: "host", level });

if (otherHostAlive(paths.hostPid)) {
  logger.info("another host is already running; exiting");
  process.exit(0);
}

const daemon = new HostDaemon({
  id: "local",
  name: "local",
  baseEnv,
  sandbox,
  bufferLimitBytes,
  runDir: join(paths.run, "local"),
  savedSessionsFile: join(paths.run, "local.saved-sessions.json"),
  logger,
  onShutdown: ({ running }) => {
    server.close();
    rmSync(paths.hostSocket, { force: true });
    rmSync(paths.hostPid, { force: true });
    // Give PTYs a moment to deliver SIGHUP before the master side closes with the process;
    // with no session running there is none to wait for (`dispatch stop --all` waits on this),
    // only the log's last lines.
    if (running === 0) logger.flush(() => process.exit(0));
    else logger.flush();
    setTimeout(() => process.exit(0), EXIT_AFTER_SESSIONS_MS).unref();
  },
});
// Before the hub can connect: its first hello reports them.
daemon.restoreSaved();
const server = await listenLocal(paths.hostSocket, daemon, logger);
writeFileSync(paths.hostPid, String(process.pid), { mode: 0o600 });
logger.info({ pid: process.pid, socket: paths.hostSocket, plugins }, "host listening");
watchStartingHub({
  startedBy,
  reached: () => daemon.hubReached,
  stop: (hubPid) => {
    // Only a host no hub reached: no session can have been started in it.
    logger.info({ hub: hubPid }, "the hub that started this host ended before connecting; stopping");
    void daemon.shutdown();
  },
});
// Kernels of a host killed outright (this daemon's predecessor) are stopped, their files removed.
daemon.sweepAtStart().catch((err: unknown) => logger.warn({ err }, "orphan sweep at start failed"));

process.on("SIGTERM", () => void daemon.shutdown());
process.on("SIGINT", () => void daemon.shutdown());
// Detached from any terminal; a stray SIGHUP must not take every session down with it.
process.on("SIGHUP", () => logger.info("SIGHUP ignored"));
process.on("uncaughtException", (err) => {
  // Exiting would end every session this host runs; log loudly and keep serving instead.
  logger.fatal({ err }, "uncaught exception in host");
});

function otherHostAlive(pidFile: string): boolean {
  try {
    const pid = Number(readFileSync(pidFile, "utf8"));
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
    process.kill(pid, 0);
    // After a reboot the pid may belong to an unrelated process: check it is a dispatch host.
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("host/main.js");
  } catch {
    return false;
  }
}
