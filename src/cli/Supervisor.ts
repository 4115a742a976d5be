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
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { backoffDelay } from "../core/backoff.js";
import type { HomePaths } from "../platform/home.js";
import { leanEnv, leanNodeArgs } from "../platform/leanProcess.js";
import { SERVE_PATH } from "./paths.js";

const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

export interface SupervisorOptions {
  paths: HomePaths;
  /** `serve` arguments; the port is replaced by the one the first hub got, so clients find it again. */
  serveArgs: (port: number | undefined) => string[];
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
  let child: ChildProcess | undefined;
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
      child = spawnHub(options.serveArgs(port), paths);
      const { code, signal } = await exited(child);
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

/**
 * The port the hub with this pid wrote to hub.json once it listened. Read here without the CLI's
 * zod schema (`hubFiles.ts`): the supervisor boots before every hub, and zod costs a tenth of a
 * second of that boot on a loaded machine.
 */
function listenedPort(paths: HomePaths, pid: number | undefined): number | undefined {
  try {
    const info = JSON.parse(readFileSync(paths.hubInfo, "utf8")) as { pid?: unknown; port?: unknown };
    return info.pid === pid && typeof info.port === "number" ? info.port : undefined;
  } catch {
    // Missing or half-written: that hub never listened.
    return undefined;
  }
}

function spawnHub(args: string[], paths: HomePaths): ChildProcess {
  const out = openSync(join(paths.home, "hub.out"), "a", 0o600);
  const child = spawn(process.execPath, [...leanNodeArgs(process.env), SERVE_PATH, ...args], {
    stdio: ["ignore", out, out],
    env: leanEnv(process.env),
    cwd: paths.home,
  });
  closeSync(out);
  return child;
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
