/**
 * `dispatch ls --verbose`: per session, what it is doing (idle, running a command, exited with
 * code), host, age, last activity, event count, bytes, unread marker, and its last output line.
 */
import { formatAge } from "../core/duration.js";
import type { SessionInfo } from "../protocol/session.js";
import { formatBytes } from "./sessionTable.js";
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
  const table = [[...HEADERS], ...rows];
  const widths = HEADERS.map((_, column) => Math.max(...table.map((row) => (row[column] as string).length)));
  return table
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] as number)))
        .join(" ")
        .trimEnd(),
    )
    .join("\n");
}
