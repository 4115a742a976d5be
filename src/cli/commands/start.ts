/** `dispatch start [--port N] [--host H] [--allow-remote]`: the hub, daemonized, once healthy. */
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { DispatchError } from "../../core/errors.js";
import { dataHome, ensureHome, type HomePaths } from "../../platform/home.js";
import { rememberPort } from "../../platform/hubPort.js";
import { leanEnv } from "../../platform/leanProcess.js";
import { isAlive } from "../../platform/processAlive.js";
import { hubAnswers, resolvePort } from "../hubAddress.js";
import {
  type HeldLock,
  HUB_MARKER,
  isDispatchProcess,
  POLL_INTERVAL_MS,
  readHubInfo,
  readPidFile,
  runningHubPid,
  sleep,
  tryPidLock,
  waitForExit,
  waitForHubInfo,
} from "../hubFiles.js";
import { SUPERVISOR_PATH } from "../paths.js";
import { SUPERVISOR_MARKER, spawnHubProcess, supervisorPidFile } from "../Supervisor.js";
import { addHubFlags, type HubFlags, loginHint, serveFlagArgs } from "./serve.js";

/**
 * Start-up is two Node boots (the supervisor, then the hub), the store's check and migrations
 * and the local host's start: seconds, but each boot can take several on a loaded machine.
 */
const START_TIMEOUT_MS = 30_000;
/** How long a hub that failed to start gets to stop on SIGTERM before SIGKILL. */
const STOP_CHILD_TIMEOUT_MS = 3_000;
/** How often `start` looks for the supervisor's pid file once the hub listens (it is usually there). */
const SUPERVISOR_POLL_MS = 10;
/** How long a launch waits for another one (its start-up time, then stopping its hub). */
const LOCK_WAIT_MS = START_TIMEOUT_MS + STOP_CHILD_TIMEOUT_MS + 5_000;
/** Lines of `hub.out` shown when the hub fails to come up. */
const TAIL_LINES = 20;

export function registerStart(program: Command): void {
  addHubFlags(
    program
      .command("start")
      .description("start the hub in the background (restarted if it crashes) and wait until it is healthy"),
  ).action(start);
}

async function start(flags: HubFlags): Promise<void> {
  const port = resolvePort(flags.port);
  const paths = ensureHome(dataHome());

  const running = await findRunningHub(paths);
  if (running) {
    console.log(`the hub is already running at ${running.url} (pid ${running.pid})`);
    return;
  }
  // This data directory has no hub: one answering on the port belongs to another.
  if (port !== 0 && (await hubAnswers(`http://127.0.0.1:${port}`))) {
    throw new DispatchError(
      "conflict",
      `port ${port} is in use by another hub (another data directory than ${paths.home}); pick another port with --port N or DISPATCH_PORT (--port 0: any free one)`,
    );
  }
  const info = await launchHub({ paths, port, flags });
  if (!info.started) {
    console.log(`the hub is already running at ${info.url} (pid ${info.pid})`);
    return;
  }
  console.log(`hub running at ${info.url} (pid ${info.pid})`);
  console.log(loginHint(process.env.DISPATCH_KEY ? "DISPATCH_KEY" : paths.key));
}

/**
 * Starts the hub under its supervisor, detached, and resolves once it answers; on failure its
 * output's tail goes to stderr and the error names the file. Also how commands that need the
 * hub start it when none runs (`autoStart.ts`). One launch at a time per data directory: a
 * second one at once waits, then answers with the first one's hub (`started: false`). The
 * port of a hub that started is remembered: the next start without `--port` uses it too.
 */
export async function launchHub(options: {
  paths: HomePaths;
  port: number;
  flags: HubFlags;
}): Promise<{ url: string; pid: number; started: boolean }> {
  const lock = await waitForLock(startLockFile(options.paths));
  try {
    const running = await findRunningHub(options.paths);
    if (running) return { ...running, started: false };
    const launched = await launch(options);
    rememberPort(options.paths, options.port);
    return { ...launched, started: true };
  } finally {
    lock.release();
  }
}

/**
 * Held while a hub is launched. Without it, of two launches at once the second one's hub is
 * refused (the data directory's lock, `hubLockFile`), but its supervisor takes over the pid
 * file the first launch waits for, and then removes it.
 */
function startLockFile(paths: HomePaths): string {
  return join(paths.home, "start.lock");
}

/** Waits while another launch holds `file`; it is done, or has failed, within its start-up time. */
async function waitForLock(file: string): Promise<HeldLock> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    const lock = tryPidLock(file);
    if (lock) return lock;
    if (Date.now() >= deadline) {
      throw new DispatchError(
        "conflict",
        `another \`dispatch start\` has been starting the hub for ${LOCK_WAIT_MS / 1000}s; see \`dispatch status\``,
      );
    }
    await sleep(POLL_INTERVAL_MS);
  }
}

async function launch(options: {
  paths: HomePaths;
  port: number;
  flags: HubFlags;
}): Promise<{ url: string; pid: number }> {
  const { paths, port, flags } = options;
  const outFile = join(paths.home, "hub.out");
  const launchedAt = Date.now();
  // The first hub starts at once, its supervisor beside it (`Supervisor.ts` adopts it and
  // restarts it after a crash): a hub restart waits on one Node boot less. Both detached.
  const serveArgs = ["serve", "--port", String(port), "--host", flags.host, ...serveFlagArgs(flags)];
  const child = spawnHubProcess(serveArgs, paths, true);
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) => {
    child.on("exit", (code, signal) => {
      exitCode = code ?? (signal ? 128 : 1);
      resolve();
    });
    // Spawning itself failed (no node?).
    child.on("error", () => {
      exitCode = 1;
      resolve();
    });
  });
  child.unref();
  let supervisor: ReturnType<typeof spawn> | undefined;
  if (child.pid !== undefined) {
    const out = openSync(outFile, "a", 0o600);
    supervisor = spawn(
      process.execPath,
      [SUPERVISOR_PATH, "--adopt", String(child.pid), ...serveArgs.slice(1)],
      // The hub must not hold the caller's directory (an unmount, a deleted checkout). The
      // supervisor connects nowhere: it boots without the extra CA bundle, as a lean daemon.
      {
        detached: true,
        stdio: ["ignore", out, out],
        env: leanEnv(process.env, { tls: false }),
        cwd: paths.home,
      },
    );
    closeSync(out);
    supervisor.unref();
  }

  // Ready when this launch's hub wrote hub.json, which it does once it listens.
  const info = await waitForHubInfo(paths, { since: launchedAt, timeoutMs: START_TIMEOUT_MS, until: exited });
  // Returned only once the supervisor is up too (its boot ran beside the hub's, so it is by
  // now): a `dispatch start` after a crash waits on it instead of starting a second hub.
  if (info && (await supervisorUp(paths, supervisor, launchedAt + START_TIMEOUT_MS)))
    return { url: info.url, pid: info.pid };
  const why =
    exitCode !== undefined
      ? `exited (code ${exitCode})`
      : info
        ? "started, but its supervisor did not"
        : `did not become healthy within ${START_TIMEOUT_MS / 1000}s`;
  // A hub that missed its start-up window must not come up later behind the caller's back.
  if (exitCode === undefined && child.pid !== undefined) await stopChild(child.pid);
  console.error(tail(outFile));
  throw new DispatchError("internal", `the hub ${why}; its output is above and in ${outFile}`);
}

/** Whether the supervisor wrote its pid file before `deadline`; false when it ended instead. */
async function supervisorUp(
  paths: HomePaths,
  supervisor: ReturnType<typeof spawn> | undefined,
  deadline: number,
): Promise<boolean> {
  const file = supervisorPidFile(paths);
  while (supervisor?.pid !== undefined && Date.now() < deadline && supervisor.exitCode === null) {
    if (readPidFile(file) === supervisor.pid) return true;
    await sleep(SUPERVISOR_POLL_MS);
  }
  return false;
}

/** A hub of this data directory that answers, waiting for one that is starting. */
export async function findRunningHub(paths: HomePaths): Promise<{ url: string; pid: number } | undefined> {
  const info = readHubInfo(paths);
  if (info && isAlive(info.pid)) {
    if (await hubAnswers(info.url)) return { url: info.url, pid: info.pid };
  }
  // A hub process is there but not answering yet (still starting), or its supervisor is about
  // to restart one after a crash: give it the start-up time. A second supervisor here would
  // race it for the port and the database.
  const pid = runningHubPid(paths);
  const supervisor = readPidFile(supervisorPidFile(paths));
  const waitOn = [pid, supervisor].filter(
    (p, i): p is number => p !== undefined && isDispatchProcess(p, i === 0 ? HUB_MARKER : SUPERVISOR_MARKER),
  );
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (waitOn.length > 0 && Date.now() < deadline && waitOn.some((p) => isAlive(p))) {
    const current = readHubInfo(paths);
    if (current && (await hubAnswers(current.url))) {
      return { url: current.url, pid: current.pid };
    }
    await sleep(POLL_INTERVAL_MS);
  }
  return undefined;
}

async function stopChild(pid: number): Promise<void> {
  try {
    process.kill(pid, "SIGTERM");
    if (!(await waitForExit(pid, STOP_CHILD_TIMEOUT_MS))) process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-TAIL_LINES).join("\n");
  } catch {
    // No output file: nothing to show beyond the error itself.
    return "";
  }
}
