/**
 * A remote host: the same daemon as the local host, dialing out to a hub (`dispatch host`).
 * Wires only: settings, environment scrubbing before any session can inherit it, the daemon,
 * the dialer, and shutdown on SIGTERM/SIGINT (which ends the sessions).
 *
 * A hub that refuses this host's token ends the dialing for good (`HubDialer`), and the host
 * ends with exit code 1 and says why:
 * - refused before any link worked (a mistyped or already revoked token): at once; the hub
 *   started nothing here yet.
 * - refused after a link worked (`dispatch hosts token revoke` on the hub): the host was cut
 *   off on purpose, but its sessions may hold work the hub cannot see (a build, a training
 *   run), which an owner of the hub may not even know is running. So they keep running,
 *   unreachable, and the host stays up without dialing until its operator stops it (SIGTERM,
 *   Ctrl-C: which ends them, as always). Killing them at once would destroy that work for a
 *   token rotation; redialing would only count failed sign-ins against this machine.
 *   When no session runs at the refusal, the host ends at once, as in the first case.
 * - its last session ends after that: nothing is left to keep, and nothing can reach the host
 *   to start another, so it says so and ends by itself, with exit code 0 (the work ran to its
 *   end; under a supervisor that restarts failed hosts, a restart would only be refused).
 */

import { join } from "node:path";
import { DispatchError } from "../core/errors.js";
import { scrubEnvironment } from "../core/secrets.js";
import { dataHome, homePaths } from "../platform/home.js";
import { logLevel } from "../platform/logger.js";
import { stderrLogger } from "../platform/terminalLog.js";
import { HostDaemon } from "./HostDaemon.js";
import { DEFAULT_BUFFER_LIMIT_BYTES } from "./HostSessions.js";
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

/**
 * Long enough never to fire: a timer that only keeps a cut-off host's process alive (after a
 * refusal nothing else may: no dial is pending, and sessions without a process hold no handle).
 */
const IDLE_KEEPALIVE_MS = 2 ** 30;

/** Why the host ends when the hub refused its token, and what to do about it. */
function refusalMessage(name: string, hubUrl: string): string {
  return (
    `the hub ${hubUrl} refused this host's token (revoked or wrong); get a new one with ` +
    `\`dispatch hosts token create ${name}\` on the hub and restart this host with it ` +
    "(or, if the hub runs an older dispatch than this host, upgrade the hub first)"
  );
}

/** Added when the refusal came after a link worked (see the module comment). */
const CUT_OFF_NOTICE =
  "This host has stopped dialing: its sessions keep running here, cut off from the hub, " +
  "until they end (then it exits) or you stop it (Ctrl-C or SIGTERM, which ends them)";

/** Why a cut-off host ends by itself. */
const LAST_SESSION_ENDED =
  "its last session has ended, and nothing can reach this host any more (its token was refused): it exits";

/**
 * Runs until SIGTERM or SIGINT (or a hub's `shutdown`); resolves once sessions are stopped.
 * Rejects (`unauthorized`) when the hub refused this host's token: at once when nothing runs,
 * else once the operator stopped the host; resolves when its last session ended by itself.
 */
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
  const logger = stderrLogger({ name: `host:${options.name}`, level });

  return new Promise((resolve, reject) => {
    let refused: DispatchError | undefined;
    let keepAlive: NodeJS.Timeout | undefined;
    const daemon = new HostDaemon({
      id: options.name,
      name: options.name,
      labels: options.labels,
      baseEnv,
      sandbox,
      bufferLimitBytes,
      // Per host name: a remote host beside the hub's local host (same data home) never meets it.
      runDir: join(homePaths(dataHome(process.env)).run, options.name),
      savedSessionsFile: join(homePaths(dataHome(process.env)).run, `${options.name}.saved-sessions.json`),
      logger,
      onShutdown: () => {
        dialer.stop();
        clearInterval(keepAlive);
        logger.flush();
        // Give PTYs a moment to deliver SIGHUP before the process ends with them.
        const ended = setTimeout(() => (refused ? reject(refused) : resolve()), 200);
        // Refused, the process waits for this to say why it ends (it would end silently first).
        if (!refused) ended.unref();
      },
    });
    const dialer = new HubDialer({
      hubUrls: options.hubUrls,
      token: options.token,
      daemon,
      logger,
      silenceMs,
      events: {
        refused: ({ hubUrl, wasLinked }) => {
          // Rejected with when the host ends; the caller prints it (`dispatch: ...`), exit code 1.
          refused = new DispatchError("unauthorized", refusalMessage(options.name, hubUrl));
          // Should the process end by itself all the same, that is no success either.
          process.exitCode = 1;
          if (!wasLinked || daemon.runningSessions === 0) {
            // Nothing runs here (yet, or any more): end now.
            logger.error({ hub: hubUrl }, refused.message);
            logger.flush();
            return reject(refused);
          }
          const message = `${refused.message}. ${CUT_OFF_NOTICE}`;
          logger.error({ hub: hubUrl }, message);
          logger.flush();
          // A JSON log (no terminal): the operator gets the same words as a plain line.
          if (!process.stderr.isTTY) console.error(`dispatch host '${options.name}': ${message}`);
          keepAlive = setInterval(() => undefined, IDLE_KEEPALIVE_MS);
          daemon.whenNoneRunning(() => {
            logger.info(LAST_SESSION_ENDED);
            logger.flush();
            if (!process.stderr.isTTY)
              console.error(`dispatch host '${options.name}': ${LAST_SESSION_ENDED}`);
            // Its sessions ended as they would have anyway: not a failure of this host.
            refused = undefined;
            process.exitCode = 0;
            void daemon.shutdown();
          });
        },
      },
    });
    logger.info({ hubs: options.hubUrls, pid: process.pid }, "remote host starting");
    // Before the first hello, which reports them.
    daemon.restoreSaved();
    dialer.start();
    daemon.sweepAtStart().catch((err: unknown) => logger.warn({ err }, "orphan sweep at start failed"));
    process.on("SIGTERM", () => void daemon.shutdown());
    process.on("SIGINT", () => void daemon.shutdown());
    process.on("uncaughtException", (err) => {
      // Exiting would end every session this host runs; log loudly and keep serving instead.
      logger.fatal({ err }, "uncaught exception in host");
    });
  });
}
