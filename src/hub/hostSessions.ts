/**
 * A host's sessions as the host services see them: counts by state, and what becomes of them
 * when a host that orphans sessions (remote) dials back in without some of them (orphaned:
 * their process is gone with the host's restart), with sessions the hub had given up on (they
 * come back), or stays away longer than the orphan TTL.
 */
import { isLiveStatus } from "../core/liveness.js";
import type { HostSessionState } from "../protocol/host.js";
import type { SessionRecord } from "../protocol/session.js";
import type { AuditTrail } from "./AuditTrail.js";
import type { SessionDirectory } from "./SessionDirectory.js";

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
 * Before the intake syncs the host: live sessions it no longer runs become `orphaned`, and
 * orphaned ones it still runs are live again.
 */
export function reconcileSessions(
  directory: SessionDirectory,
  audit: AuditTrail,
  hostId: string,
  sessions: readonly HostSessionState[],
): void {
  const known = new Map(sessions.map((s) => [s.id, s]));
  for (const record of directory.all()) {
    if (record.host !== hostId) continue;
    const state = known.get(record.id);
    if (!state && isLiveStatus(record.status)) {
      directory.update(record.id, {
        status: "orphaned",
        reason: "its host no longer knows it",
        foreground: null,
      });
      audit.byHub("orphaned", { session: record.id, host: hostId, why: "unknown to its host" });
    } else if (state && record.status === "orphaned") {
      directory.update(record.id, {
        status: state.running ? "running" : "exited",
        exitCode: state.exitCode,
        reason: null,
        pid: state.pid,
      });
    }
  }
}

/** The host has been away longer than the orphan TTL: its running sessions are orphaned. */
export function orphanSessionsOf(directory: SessionDirectory, audit: AuditTrail, hostId: string): void {
  for (const record of directory.all()) {
    if (record.host !== hostId || !isLiveStatus(record.status)) continue;
    directory.update(record.id, {
      status: "orphaned",
      reason: "its host has been gone too long",
      foreground: null,
    });
    audit.byHub("orphaned", { session: record.id, host: hostId, why: "ttl" });
  }
}
