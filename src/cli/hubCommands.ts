/**
 * Which top-level commands start a hub when none runs (`autoStart.ts`). Apart from it so a
 * command that never does (`stop`, `status`) decides so without loading the REST client.
 */

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
