/** `dispatch start [--port N] [--host H] [--allow-remote]`: the hub, daemonized, once healthy. */
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { DispatchError } from "../../core/errors.js";
import { dataHome, ensureHome, type HomePaths } from "../../platform/home.js";
import { isAlive } from "../../platform/processAlive.js";
import { hubAnswers, resolvePort } from "../hubAddress.js";
import {
  HUB_MARKER,
  isDispatchProcess,
  POLL_INTERVAL_MS,
  readHubInfo,
  readPidFile,
  runningHubPid,
  sleep,
  waitForExit,
  waitForHubInfo,
} from "../hubFiles.js";
import { SUPERVISOR_PATH } from "../paths.js";
import { SUPERVISOR_MARKER, supervisorPidFile } from "../Supervisor.js";
import { addHubFlags, type HubFlags, loginHint, serveFlagArgs } from "./serve.js";

/**
 * Start-up is two Node boots (the supervisor, then the hub), the store's check and migrations
 * and the local host's start: seconds, but each boot can take several on a loaded machine.
 */
const START_TIMEOUT_MS = 30_000;
/** How long a hub that failed to start gets to stop on SIGTERM before SIGKILL. */
const STOP_CHILD_TIMEOUT_MS = 3_000;
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

  const running = await findRunningHub(paths, port);
  if (running) {
    console.log(`the hub is already running at ${running.url}${running.pid ? ` (pid ${running.pid})` : ""}`);
    return;
  }
  const info = await launchHub({ paths, port, flags });
  console.log(`hub running at ${info.url} (pid ${info.pid})`);
  console.log(loginHint(process.env.DISPATCH_KEY ? "DISPATCH_KEY" : paths.key));
}

/**
 * Starts the hub under its supervisor, detached, and resolves once it answers; on failure its
 * output's tail goes to stderr and the error names the file. Also how commands that need the
 * hub start it when none runs (`autoStart.ts`).
 */
export async function launchHub(options: {
  paths: HomePaths;
  port: number;
  flags: HubFlags;
}): Promise<{ url: string; pid: number }> {
  const { paths, port, flags } = options;
  const outFile = join(paths.home, "hub.out");
  const out = openSync(outFile, "a", 0o600);
  // The hub runs under a supervisor that restarts it after a crash (`Supervisor.ts`); it passes
  // the serve flags on to every hub it starts.
  const args = [SUPERVISOR_PATH, "--port", String(port), "--host", flags.host, ...serveFlagArgs(flags)];
  const launchedAt = Date.now();
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ["ignore", out, out],
    env: process.env,
    // The hub must not hold the caller's directory (an unmount, a deleted checkout).
    cwd: paths.home,
  });
  closeSync(out);
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) => {
    child.on("exit", (code, signal) => {
      exitCode = code ?? (signal ? 128 : 1);
      resolve();
    });
  });
  child.unref();

  // Ready when this launch's hub wrote hub.json, which it does once it listens.
  const info = await waitForHubInfo(paths, { since: launchedAt, timeoutMs: START_TIMEOUT_MS, until: exited });
  if (info) return { url: info.url, pid: info.pid };
  const why =
    exitCode === undefined
      ? `did not become healthy within ${START_TIMEOUT_MS / 1000}s`
      : `exited (code ${exitCode})`;
  // A hub that missed its start-up window must not come up later behind the caller's back.
  if (exitCode === undefined && child.pid !== undefined) await stopChild(child.pid);
  console.error(tail(outFile));
  throw new DispatchError("internal", `the hub ${why}; its output is above and in ${outFile}`);
}

/** A hub of this data directory that answers, or one already answering on the fixed port. */
export async function findRunningHub(
  paths: HomePaths,
  port: number,
): Promise<{ url: string; pid?: number } | undefined> {
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
  if (port !== 0) {
    const url = `http://127.0.0.1:${port}`;
    if (await hubAnswers(url)) return { url };
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
