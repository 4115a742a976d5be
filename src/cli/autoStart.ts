/**
 * Commands that need the hub start it when none answers, as tmux starts its server: the same
 * background hub `dispatch start` runs (on `DISPATCH_PORT`, else 7777), announced on stderr so
 * stdout stays the command's own. Not inside a session (`DISPATCH_URL` names the hub to use,
 * perhaps on another machine), and not for the commands that manage or inspect the hub itself.
 */
import { dataHome, ensureHome } from "../platform/home.js";
import { DEFAULT_BIND_HOST } from "./commands/serve.js";
import { findRunningHub, launchHub } from "./commands/start.js";
import { HubClient, resolvePort } from "./HubClient.js";

/** Top-level commands that work without a hub, or whose point is the hub's own state. */
const WITHOUT_HUB = new Set([
  "serve",
  "start",
  "stop",
  "status",
  "doctor",
  "backup",
  "restore",
  "host",
  "config",
  "help",
  "init",
  "use",
]);

/** Whether `command` (a top-level command's name) should start a hub that is not running. */
export function startsHub(command: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return !WITHOUT_HUB.has(command) && !env.DISPATCH_URL;
}

/** Starts the hub when it does not answer; says so on stderr. */
export async function ensureHub(command: string): Promise<void> {
  if (!startsHub(command)) return;
  if (await HubClient.locate().health()) return;
  const port = resolvePort(undefined);
  const paths = ensureHome(dataHome());
  if (await findRunningHub(paths, port)) return;
  await launchHub({ paths, port, flags: { host: DEFAULT_BIND_HOST } });
  console.error(`dispatch: started the hub (log: ${paths.hubLog})`);
}
