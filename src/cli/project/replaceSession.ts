/**
 * `dispatch up`'s restart of a session whose declaration changed (or that must start afresh):
 * the old one is stopped first (the new one usually wants what it holds: a port, a file, a
 * kernel), but kept, under a name aside, until the hub has accepted the new one. Whatever
 * refuses the new one (a bad option, the host gone, a command not found) puts the old one back
 * under its name, started again if it was running, and the error says so.
 */
import { DispatchError } from "../../core/errors.js";
import { isLiveStatus } from "../../core/liveness.js";
import { freeName } from "../../core/names.js";
import type { SessionInfo } from "../../protocol/session.js";
import type { HubClient } from "../HubClient.js";
import { unsavedWork } from "../kinds/registry.js";
import { stopSession } from "./stopSession.js";

export async function replaceSession(
  hub: HubClient,
  old: SessionInfo,
  create: () => Promise<unknown>,
): Promise<void> {
  // Asked first: after a successful create the old one is removed, which would drop the edits.
  const unsaved = unsavedWork(old);
  if (unsaved) throw new DispatchError("conflict", `${unsaved}; it was left as it is`);
  const wasLive = isLiveStatus(old.status);
  const left = await stopSession(hub, old, { keepHistory: true });
  if (isLiveStatus(left.status))
    throw new DispatchError("conflict", `'${old.name}' did not stop, so it was not restarted`);
  const taken = new Set((await hub.listSessions()).map((s) => s.name));
  const aside = freeName(`${old.name.slice(0, 23)}-replaced`, (n) => taken.has(n));
  await hub.renameSession(old.id, aside);
  try {
    await create();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const { code, field } =
      err instanceof DispatchError ? err : { code: "internal" as const, field: undefined };
    let back: string;
    try {
      back = await putBack(hub, old, wasLive);
    } catch (restoreErr) {
      const how = restoreErr instanceof Error ? restoreErr.message : String(restoreErr);
      back = `the old one could not be put back (${how}); it is kept, ended, as '${aside}' (\`dispatch rename ${aside} ${old.name}\`, then \`dispatch revive ${old.name}\`)`;
    }
    throw new DispatchError(code, `${why}; '${old.name}' was not restarted: ${back}`, { field });
  }
  // Accepted: the old one goes, history and all, as a restart always did.
  await hub.killSession(old.id);
}

/** The old session under its name again, running again if it ran; says what was done. */
async function putBack(hub: HubClient, old: SessionInfo, wasLive: boolean): Promise<string> {
  // A create the host refused may still leave a session under the name (a terminal whose
  // program was not found stays `failed`): it goes, so the old one can have its name back.
  const leftover = await hub.getSession(old.name).catch(() => undefined);
  if (leftover && leftover.id !== old.id) {
    if (isLiveStatus(leftover.status))
      throw new Error(`a session named '${old.name}' is running now (${leftover.status})`);
    await hub.killSession(leftover.id);
  }
  await hub.renameSession(old.id, old.name);
  if (!wasLive) return "the old one is kept as it was";
  await hub.reviveSession(old.id);
  return "the old one was started again as it was declared before";
}
