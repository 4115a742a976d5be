/**
 * Stops a session and, unless its history is to be kept, removes it: a hang-up first, a
 * kill for a process that ignores it, then the removal (which `kill` does to an ended
 * session). Shared by `up` (restarts, undeclared sessions) and `down`. A session whose removal
 * would lose work (an editor's unsaved edits) is left as it is, with an error saying what to do.
 */
import { DispatchError } from "../../core/errors.js";
import { isLiveStatus } from "../../core/liveness.js";
import type { SessionInfo } from "../../protocol/session.js";
import type { HubClient, KillSignal } from "../HubClient.js";
import type { LeftBehind } from "../kinds/cliKind.js";
import { leftBehind, unsavedWork } from "../kinds/registry.js";

const SIGNALS: readonly KillSignal[] = ["SIGHUP", "SIGTERM", "SIGKILL"];

export async function stopSession(
  hub: HubClient,
  session: SessionInfo,
  options: { keepHistory: boolean },
): Promise<SessionInfo> {
  // Kept history keeps the edits too (a revive saves them); a removal would drop them.
  const unsaved = options.keepHistory ? undefined : unsavedWork(session);
  if (unsaved) throw new DispatchError("conflict", `${unsaved}; it was left as it is`);
  let current = session;
  for (const signal of SIGNALS) {
    if (!isLiveStatus(current.status)) break;
    current = await hub.killSession(session.id, signal);
  }
  if (isLiveStatus(current.status)) return current;
  if (!options.keepHistory) await hub.killSession(session.id);
  return current;
}

/**
 * Stops a session the project does not want any more (`down`, or `up` for one no longer
 * declared) and what it leaves on disk (an agent's worktree and branch): kept with its history,
 * else said, or removed with `removeWorktrees` when that loses nothing.
 */
export async function stopProjectSession(
  hub: HubClient,
  session: SessionInfo,
  options: { keepHistory: boolean; removeWorktrees: boolean },
): Promise<{ after: SessionInfo; left?: LeftBehind }> {
  const after = await stopSession(hub, session, options);
  // A kept session keeps what it works in; a removed one's leftovers are said (or removed).
  const left = options.keepHistory ? undefined : leftBehind(session, { remove: options.removeWorktrees });
  return { after, ...(left ? { left } : {}) };
}

/**
 * Says, a line each, what stopped sessions left behind (`NAME: kept its worktree PATH and
 * branch B ...`), a refused removal as an error; true when one was refused.
 */
export function sayLeftBehind(rows: readonly { name: string; left?: LeftBehind }[]): boolean {
  let refused = false;
  for (const { name, left } of rows) {
    if (!left) continue;
    if (left.ok) console.log(`${name}: ${left.said}`);
    else console.error(`dispatch: ${name}: ${left.said}`);
    refused ||= !left.ok;
  }
  return refused;
}
