/** The tables `up`, `down` and `ps` print, and the one-line health of a project's session. */
import { formatAge } from "../../core/duration.js";
import { isLiveStatus } from "../../core/liveness.js";
import type { SessionInfo } from "../../protocol/session.js";
import { formatColumns, statusText } from "../sessionTable.js";
import type { UpRow } from "./bringUp.js";

/** `ok`, `unreachable` (its host is away), `down`, `failed`, `orphaned`. */
export function health(session: SessionInfo): string {
  if (isLiveStatus(session.status)) return session.reachable === false ? "unreachable" : "ok";
  if (session.status === "exited") return "down";
  return session.status;
}

export function formatUpTable(rows: readonly UpRow[]): string {
  return formatColumns(
    ["NAME", "KIND", "HOST", "DID", "STATUS"],
    rows.map((r) => [r.name, r.kind, r.host, r.did, rowStatus(r)]),
    "  ",
  );
}

function rowStatus(row: UpRow): string {
  if (row.did === "taken") return "name used by a session outside the project";
  return row.session ? statusText(row.session) : "-";
}

/** "3 created, 1 unchanged, 1 failed". */
export function summarize(rows: readonly { did: string }[]): string {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.did, (counts.get(row.did) ?? 0) + 1);
  return [...counts].map(([did, n]) => `${n} ${did}`).join(", ") || "nothing declared";
}

export function formatPsTable(sessions: readonly SessionInfo[], now: number = Date.now()): string {
  return formatColumns(
    ["NAME", "KIND", "HOST", "HEALTH", "STATUS", "ACTIVE"],
    sessions.map((s) => [
      s.name,
      s.kind,
      s.host,
      health(s),
      statusText(s),
      `${formatAge(now - s.lastActivityAt)} ago`,
    ]),
    "  ",
  );
}
