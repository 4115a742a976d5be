/**
 * A host's sessions as the host commands see them: counts by state, and what becomes of them
 * when a remote host dials back in without some of them (they are orphaned: their process is
 * gone with the host's restart) or with sessions the hub had given up on (they come back).
 */
import type { HostSessionState } from "../protocol/host.js";
import type { SessionStatus } from "../protocol/session.js";
import type { EventStore, SessionRecord } from "../store/EventStore.js";
import type { SessionManager } from "./SessionManager.js";

export const isLiveStatus = (status: SessionStatus): boolean => status === "starting" || status === "running";

export function sessionCounts(
  records: readonly SessionRecord[],
  host: string,
): { total: number; running: number; exited: number; orphaned: number } {
  const counts = { total: 0, running: 0, exited: 0, orphaned: 0 };
  for (const record of records) {
    if (record.host !== host) continue;
    counts.total++;
    if (isLiveStatus(record.status)) counts.running++;
    else if (record.status === "orphaned") counts.orphaned++;
    else counts.exited++;
  }
  return counts;
}

/**
 * Before the manager syncs a remote host: live sessions it no longer runs become `orphaned`
 * (the local host's are marked `exited (host lost)` by the manager instead), and orphaned ones
 * it still runs are live again.
 */
export function reconcileRemoteSessions(
  manager: SessionManager,
  hostId: string,
  sessions: readonly HostSessionState[],
  store: EventStore,
): void {
  const known = new Map(sessions.map((s) => [s.id, s]));
  for (const record of manager.directory.all()) {
    if (record.host !== hostId) continue;
    const state = known.get(record.id);
    if (!state && isLiveStatus(record.status)) {
      manager.directory.update(record.id, {
        status: "orphaned",
        reason: "its host no longer knows it",
        foreground: null,
      });
      store.audit("hub", "orphaned", { session: record.id, host: hostId, why: "unknown to its host" });
    } else if (state && record.status === "orphaned") {
      manager.directory.update(record.id, {
        status: state.running ? "running" : "exited",
        exitCode: state.exitCode,
        reason: null,
        pid: state.pid,
      });
    }
  }
}
