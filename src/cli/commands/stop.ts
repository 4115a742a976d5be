/**
 * `dispatch stop`: stops the hub; sessions keep running in the host.
 * `dispatch stop --all`: also stops the host, which ends its sessions.
 */
import { rmSync } from "node:fs";
import type { Command } from "commander";
import { DispatchError } from "../../core/errors.js";
import { dataHome, type HomePaths, homePaths } from "../../platform/home.js";
import {
  isDispatchProcess,
  readHubInfo,
  readPidFile,
  runningHostPid,
  runningHubPid,
  waitForExit,
} from "../hubFiles.js";
import { SUPERVISOR_MARKER, supervisorPidFile } from "../Supervisor.js";

/** The hub flushes its store and closes sockets; the host gives PTYs a moment for SIGHUP. */
const STOP_TIMEOUT_MS = 10_000;
const KILL_TIMEOUT_MS = 3_000;
/** How often a stopping process is checked for: a `kill(pid, 0)`, while the person waits. */
const EXIT_POLL_MS = 5;

export function registerStop(program: Command): void {
  program
    .command("stop")
    .description("stop the hub (sessions keep running in the host)")
    .option("--all", "also stop the host and every session it runs")
    .action(stop);
}

async function stop(options: { all?: boolean }): Promise<void> {
  const paths = homePaths(dataHome());
  const hubPid = runningHubPid(paths);
  const supervisorPid = readPidFile(supervisorPidFile(paths));
  const hostPid = options.all ? runningHostPid(paths) : undefined;
  // The host is signalled with the hub, and both are waited for together: it closes the hub's
  // link saying it stops on purpose, and the hub, stopping too, starts no new one
  // (`HOST_STOPPING_CLOSE_CODE`).
  const host = hostPid === undefined ? undefined : terminate(hostPid, "host");
  // Awaited below; a failure meanwhile is not left unhandled.
  host?.catch(() => undefined);
  // The supervisor rather than the hub, or it would restart the hub: it stops the hub and
  // waits for it. The hub is signalled itself only when no supervisor did it.
  if (supervisorPid !== undefined && isDispatchProcess(supervisorPid, SUPERVISOR_MARKER)) {
    await terminate(supervisorPid, "hub supervisor");
  }
  if (hubPid === undefined) {
    console.log("the hub is not running");
  } else {
    await terminate(hubPid, "hub");
    console.log(`stopped the hub (pid ${hubPid})`);
  }
  await host;
  removeStale(paths);
  if (!options.all) return;
  // A host the hub started anyway as it stopped (its reconnect already due) ends here too.
  const late = runningHostPid(paths);
  if (late !== undefined && late !== hostPid) await terminate(late, "host");
  if (hostPid === undefined && late === undefined) {
    console.log("the host is not running");
    return;
  }
  console.log(`stopped the host (pid ${hostPid ?? late}) and its sessions`);
  removeStale(paths);
}

/** SIGTERM, wait (bounded), then SIGKILL. */
async function terminate(pid: number, what: string): Promise<void> {
  if (!signal(pid, "SIGTERM")) return;
  if (await waitForExit(pid, STOP_TIMEOUT_MS, EXIT_POLL_MS)) return;
  console.error(
    `dispatch: the ${what} (pid ${pid}) did not stop within ${STOP_TIMEOUT_MS / 1000}s; killing it`,
  );
  if (!signal(pid, "SIGKILL")) return;
  if (!(await waitForExit(pid, KILL_TIMEOUT_MS, EXIT_POLL_MS))) {
    throw new DispatchError("internal", `could not stop the ${what} (pid ${pid})`);
  }
}

/** Sends a signal; false when the process is already gone. */
function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw new DispatchError("forbidden", `cannot signal pid ${pid}: ${(err as Error).message}`);
  }
}

/** Pid files of processes that are gone (killed, crashed) would mislead `status` and `start`. */
function removeStale(paths: HomePaths): void {
  if (runningHubPid(paths) === undefined && (readHubInfo(paths) || readPidFile(paths.hubPid))) {
    rmSync(paths.hubInfo, { force: true });
    rmSync(paths.hubPid, { force: true });
  }
  if (runningHostPid(paths) === undefined && readPidFile(paths.hostPid))
    rmSync(paths.hostPid, { force: true });
}
