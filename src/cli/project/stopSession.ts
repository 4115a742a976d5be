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
import { unsavedWork } from "../kinds/registry.js";

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
