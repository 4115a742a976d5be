/**
 * `dispatch ls --verbose`: per session, what it is doing (idle, running a command, exited with
 * code), host, age, last activity, event count, bytes, unread marker, and its last output line.
 */
import { formatAge } from "../core/duration.js";
import type { SessionInfo } from "../protocol/session.js";
import { formatBytes, formatColumns } from "./sessionTable.js";
import { activityText, UNREAD_MARK } from "./tui/pickerView.js";

const HEADERS = [
  "",
  "NAME",
  "KIND",
  "HOST",
  "STATUS",
  "AGE",
  "ACTIVE",
  "EVENTS",
  "BYTES",
  "LAST OUTPUT",
] as const;

export function formatVerboseTable(
  sessions: readonly SessionInfo[],
  options: { now?: number; isUnread?: (session: SessionInfo) => boolean } = {},
): string {
  const now = options.now ?? Date.now();
  const rows = sessions.map((s) => [
    options.isUnread?.(s) ? UNREAD_MARK : " ",
    s.name,
    s.kind,
    s.host,
    activityText(s),
    formatAge(now - s.createdAt),
    `${formatAge(now - s.lastActivityAt)} ago`,
    String(s.lastSeq),
    formatBytes(s.bytes),
    s.preview,
  ]);
  return formatColumns(HEADERS, rows, " ");
}
