/** How an agent session's state reads in the UI (pure: unit-tested without a browser). */
import type { SessionInfo } from "../../../src/protocol/session.js";

/** Whether `next` is a new "needs you" moment compared with `previous` (same session). */
export function becameWaiting(previous: SessionInfo | undefined, next: SessionInfo): boolean {
  if (next.agent?.state !== "waiting") return false;
  const before = previous?.agent;
  return before?.state !== "waiting" || before.at !== next.agent.at;
}

/** Short label of an agent's state for lists: `needs you`, with `?` when it is a guess. */
export function needsYouLabel(session: SessionInfo): string | null {
  if (session.agent?.state !== "waiting") return null;
  return session.agent.source === "guess" ? "needs you?" : "needs you";
}
