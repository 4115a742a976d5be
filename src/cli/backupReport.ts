/**
 * The periodic backups as `dispatch status` and `dispatch doctor` say them: how often and where,
 * how old the newest one is, and a failure with its reason until a later backup succeeds.
 */
import { formatAge } from "../core/duration.js";
import type { BackupStatus } from "../protocol/api.js";

export interface BackupReport {
  ok: boolean;
  /** One line: the schedule and the newest backup, or the failure and its reason. */
  what: string;
  /** For a failure: what is still there and when the hub tries again. */
  detail?: string;
}

export function backupReport(backups: BackupStatus, now: number = Date.now()): BackupReport {
  const newest = backups.last
    ? `last ${formatAge(now - backups.last.at)} ago (${backups.last.file})`
    : "none written yet";
  const next = `next in ${formatAge(backups.nextAt - now)}`;
  if (backups.failure === null) {
    return { ok: true, what: `every ${formatAge(backups.everyMs)} to ${backups.dir}; ${newest}, ${next}` };
  }
  return {
    ok: false,
    what: `FAILING since ${formatAge(now - backups.failure.at)} ago: ${backups.failure.problem}`,
    detail: `${backups.last ? `the newest good backup is ${newest.slice("last ".length)}` : "no backup written yet"}; the hub tries again every ${formatAge(backups.everyMs)} (${next}), or take one now with \`dispatch backup FILE\``,
  };
}
