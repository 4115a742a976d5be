/**
 * Whether a session is live: `starting` or `running` sessions take input, resizes and
 * commands; every other status (exited, failed, orphaned, or one a newer hub invents) does
 * not. One definition for the hub, the CLI and the web.
 */
export function isLiveStatus(status: string): boolean {
  return status === "starting" || status === "running";
}
