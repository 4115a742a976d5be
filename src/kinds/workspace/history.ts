/** The evaluation history of a workspace, read back from its events (for `history` and revive). */
import type { SessionEvent } from "../../protocol/events.js";
import type { HistoryEntry } from "../../protocol/workspace/commands.js";
import { EvalEndData, EvalStartData } from "../../protocol/workspace/events.js";

export function historyFromEvents(events: Iterable<SessionEvent>): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  const byId = new Map<string, HistoryEntry>();
  for (const event of events) {
    if (event.type === "eval-start") {
      const start = EvalStartData.safeParse(event.data);
      if (!start.success) continue;
      const entry: HistoryEntry = {
        id: start.data.id,
        seq: event.seq,
        code: start.data.code,
        mode: start.data.mode,
        origin: start.data.origin,
        count: null,
        status: "running",
      };
      entries.push(entry);
      byId.set(entry.id, entry);
    } else if (event.type === "eval-end") {
      const end = EvalEndData.safeParse(event.data);
      const entry = end.success ? byId.get(end.data.id) : undefined;
      if (!entry || !end.success) continue;
      entry.count = end.data.count;
      entry.status = end.data.status;
    } else if (event.type === "revived" || event.type === "exit") {
      // What was still running when the kernel went away never finished.
      for (const entry of byId.values()) if (entry.status === "running") entry.status = "aborted";
    }
  }
  return entries;
}

/**
 * The evaluations a replay re-runs: those sent through dispatch that succeeded, in order (not
 * another client's, and not an earlier replay's copies of them).
 */
export function replayableEvaluations(events: Iterable<SessionEvent>): { code: string; mode: string }[] {
  return historyFromEvents(events)
    .filter((entry) => entry.status === "ok" && entry.origin === "client")
    .map(({ code, mode }) => ({ code, mode }));
}
