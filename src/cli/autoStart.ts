/**
 * Commands that need the hub start it when none runs, as tmux starts its server: the same
 * background hub `dispatch start` runs (on `DISPATCH_PORT`, else the port it last ran on, else
 * 7777), announced on stderr so stdout stays the command's own. Not inside a session
 * (`DISPATCH_URL` names the hub to use, perhaps on another machine), and not for the commands
 * that manage or inspect the hub itself.
 */
import { dataHome, ensureHome, homePaths } from "../platform/home.js";
import { DEFAULT_BIND_HOST } from "./commands/serve.js";
import { launchHub } from "./commands/start.js";
import { HubClient } from "./HubClient.js";
import { resolvePort } from "./hubAddress.js";
import { startsHub } from "./hubCommands.js";
import { isDispatchProcess, readHubInfo, readPidFile, runningHubPid, waitForHubInfo } from "./hubFiles.js";
import { SUPERVISOR_MARKER, supervisorPidFile } from "./Supervisor.js";

/** How long a command waits for a supervisor to bring a crashed hub back (its backoff, then start-up). */
const RESTART_WAIT_MS = 30_000;

/**
 * Starts the hub when none runs; says so on stderr. A hub process of this data directory (or
 * its supervisor, restarting one) counts as running even when it is too busy to answer at
 * once: the command then waits on it or reports it, and never starts a second hub beside it.
 */
export async function ensureHub(command: string): Promise<void> {
  if (!startsHub(command)) return;
  const paths = homePaths(dataHome());
  if (runningHubPid(paths) !== undefined) return;
  const supervisor = readPidFile(supervisorPidFile(paths));
  if (supervisor !== undefined && isDispatchProcess(supervisor, SUPERVISOR_MARKER)) {
    // Its hub crashed and is being restarted (or is too busy to have written its files yet):
    // a command typed right after the crash waits for it rather than fail.
    if (await HubClient.locate().health()) return;
    console.error(`dispatch: the hub is restarting (its supervisor is pid ${supervisor}); waiting for it`);
    const crashed = readHubInfo(paths);
    await waitForHubInfo(paths, { since: (crashed?.startedAt ?? 0) + 1, timeoutMs: RESTART_WAIT_MS });
    return;
  }
  const port = resolvePort(undefined);
  // Another data directory's hub on the port, or one started by hand: use it as it is. Port 0
  // (any free one) names no port to look at.
  if (port !== 0 && (await HubClient.locate().answers())) return;
  await launchHub({ paths: ensureHome(paths.home), port, flags: { host: DEFAULT_BIND_HOST } });
  console.error(`dispatch: started the hub (log: ${paths.hubLog})`);
}
