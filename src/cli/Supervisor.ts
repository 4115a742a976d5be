/**
 * Keeps the hub running: `dispatch start` runs the hub (`dispatch serve`) under this small
 * process, which restarts it when it crashes or is killed. Sessions live in the host, so they
 * keep running while the hub is away; the restarted hub reconnects and fetches what it missed.
 *
 * - A hub that exits 0 was stopped on purpose (`dispatch stop`): the supervisor exits too.
 * - A hub that dies before it ever listened (a taken port, a broken install) is not restarted:
 *   that would loop forever; the supervisor exits with its code for `dispatch start` to show.
 * - More than `MAX_RESTARTS` within `RESTART_WINDOW_MS` is a crash loop: it gives up.
 * - SIGTERM/SIGINT to the supervisor stop the hub and then the supervisor.
 *
 * The first hub is started by `dispatch start` itself, beside the supervisor rather than by it
 * (one Node boot less before the hub runs on a restart's critical path), and adopted: not
 * its child, so its end is seen by polling its pid, and a hub that removed its `hub.pid` on
 * the way out was stopped on purpose (exit 0), one that left it crashed or was killed.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { backoffDelay } from "../core/backoff.js";
import { flagValue, withoutFlag } from "../core/flagArgs.js";
import { PLUGINS_VARIABLE } from "../kinds/plugins.js";
import type { HomePaths } from "../platform/home.js";
import { leanEnv, leanNodeArgs } from "../platform/leanProcess.js";
import { isAlive } from "../platform/processAlive.js";
import { readHubInfo } from "./hubFiles.js";
import { SERVE_PATH } from "./paths.js";

const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;
/** How often an adopted hub (not a child: no exit event) is checked for life. */
const ADOPTED_POLL_MS = 50;
/** How often once it was told to stop: `dispatch stop` waits for the supervisor's exit. */
const STOPPING_POLL_MS = 5;

/**
 * The supervisor's command line (`superviseMain.ts`): `--adopt PID` (the first hub, which
 * `dispatch start` started itself) and the `serve` flags, the port among them as `--port N` or
 * `--port=N` (as `serve` takes either). Every hub gets the flags, with one port: the one the
 * first hub got, so clients find it again.
 */
export function supervisorArgs(argv: readonly string[]): Pick<SupervisorOptions, "serveArgs" | "adopt"> {
  const adopt = Number(flagValue(argv, "--adopt"));
  const firstPort = Number(flagValue(argv, "--port") ?? 0);
  const rest = withoutFlag(withoutFlag(argv, "--adopt"), "--port");
  return {
    serveArgs: (port) => ["serve", "--port", String(port ?? firstPort), ...rest],
    adopt: Number.isInteger(adopt) && adopt > 0 ? adopt : undefined,
  };
}

export interface SupervisorOptions {
  paths: HomePaths;
  /** `serve` arguments; the port is replaced by the one the first hub got, so clients find it again. */
  serveArgs: (port: number | undefined) => string[];
  /** Pid of the first hub, started by `dispatch start` beside the supervisor. */
  adopt?: number | undefined;
}

/** A running hub: a child, or the adopted first one. */
interface HubProcess {
  pid: number | undefined;
  kill(signal: NodeJS.Signals): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Part of the supervisor's command line (`node …/superviseMain.js`). */
export const SUPERVISOR_MARKER = "superviseMain.js";

export function supervisorPidFile(paths: HomePaths): string {
  return join(paths.home, "supervisor.pid");
}

export async function runSupervisor(options: SupervisorOptions): Promise<number> {
  const { paths } = options;
  const pidFile = supervisorPidFile(paths);
  writeFileSync(pidFile, String(process.pid), { mode: 0o600 });
  let child: HubProcess | undefined;
  let stopping = false;
  const stop = () => {
    stopping = true;
    child?.kill("SIGTERM");
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  // Detached from any terminal; a stray SIGHUP must not stop the hub.
  process.on("SIGHUP", () => undefined);

  const restarts: number[] = [];
  let port: number | undefined;
  try {
    for (;;) {
      const startedAt = Date.now();
      const adopted = restarts.length === 0 && options.adopt !== undefined ? options.adopt : undefined;
      child = adopted !== undefined ? adoptHub(adopted, paths) : spawnHub(options.serveArgs(port), paths);
      // A stop that came while the supervisor was booting, before it knew the adopted hub.
      if (stopping) child.kill("SIGTERM");
      const { code, signal } = await child.exited;
      const listenedOn = listenedPort(paths, child.pid);
      const listened = listenedOn !== undefined;
      if (listened) port = listenedOn;
      log(paths, `hub (pid ${child.pid}) exited: ${signal ?? `code ${code}`}`);
      if (stopping || code === 0) return 0;
      if (!listened && port === undefined) return code ?? 1;
      const now = Date.now();
      restarts.push(now);
      while (restarts.length > 0 && (restarts[0] as number) < now - RESTART_WINDOW_MS) restarts.shift();
      if (restarts.length > MAX_RESTARTS) {
        log(paths, `hub crashed ${restarts.length} times within a minute; giving up (see hub.out, hub.log)`);
        return 1;
      }
      // A hub that ran a while before crashing is restarted at once; a crash loop backs off.
      const delay = now - startedAt > RESTART_WINDOW_MS ? 0 : backoffDelay(Math.max(0, restarts.length - 1));
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (stopping) return 0;
      log(paths, "restarting the hub");
    }
  } finally {
    rmSync(pidFile, { force: true });
  }
}

/** The port the hub with this pid wrote to hub.json once it listened. */
function listenedPort(paths: HomePaths, pid: number | undefined): number | undefined {
  const info = readHubInfo(paths);
  return info && info.pid === pid ? info.port : undefined;
}

/** `node … dispatchServe.js ARGS`, output appended to hub.out; `detached` for one started by `dispatch start`. */
export function spawnHubProcess(args: string[], paths: HomePaths, detached = false): ChildProcess {
  const out = openSync(join(paths.home, "hub.out"), "a", 0o600);
  const child = spawn(process.execPath, [...leanNodeArgs(process.env), SERVE_PATH, ...args], {
    detached,
    stdio: ["ignore", out, out],
    env: leanEnv(process.env, { tls: hubConnectsOut(process.env, args) }),
    cwd: paths.home,
  });
  closeSync(out);
  return child;
}

/**
 * Whether a hub with these settings makes TLS connections of its own, which may need the
 * operator's extra CA bundle: to a sign-on provider, to PostgreSQL (and, on it, its cluster
 * peers), or from a plug-in kind's code. Every other hub boots without the bundle (`leanEnv`).
 */
export function hubConnectsOut(env: NodeJS.ProcessEnv, serveArgs: string[]): boolean {
  return Boolean(
    env.DISPATCH_OIDC_ISSUER ||
      env.DISPATCH_STORE ||
      env[PLUGINS_VARIABLE] ||
      flagValue(serveArgs, "--store") !== undefined,
  );
}

function spawnHub(args: string[], paths: HomePaths): HubProcess {
  const child = spawnHubProcess(args, paths);
  return { pid: child.pid, kill: (signal) => child.kill(signal), exited: exited(child) };
}

function adoptHub(pid: number, paths: HomePaths): HubProcess {
  let poll: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    poll = () => {
      if (isAlive(pid)) return;
      clearInterval(timer);
      // A hub that stops on purpose removes its pid file last; a crash or SIGKILL leaves it.
      resolve({ code: pidFileNames(paths.hubPid, pid) ? 1 : 0, signal: null });
    };
    timer = setInterval(poll, ADOPTED_POLL_MS);
  });
  return {
    pid,
    kill: (signal) => {
      try {
        process.kill(pid, signal);
      } catch {
        // Already gone.
      }
      clearInterval(timer);
      if (poll) timer = setInterval(poll, STOPPING_POLL_MS);
    },
    exited,
  };
}

function pidFileNames(file: string, pid: number): boolean {
  try {
    return Number(readFileSync(file, "utf8").trim()) === pid;
  } catch {
    // No pid file.
    return false;
  }
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    // Spawning itself failed (no node?): reported as an exit so the loop can decide.
    child.once("error", () => resolve({ code: 1, signal: null }));
  });
}

/** One line to hub.out, where the hub's own crash traces are. */
function log(paths: HomePaths, message: string): void {
  try {
    const fd = openSync(join(paths.home, "hub.out"), "a", 0o600);
    writeFileSync(fd, `${new Date().toISOString()} supervisor: ${message}\n`);
    closeSync(fd);
  } catch {
    // A full disk: the supervisor's notes are the least important thing to keep.
  }
}
