/**
 * `dispatch ls --verbose`: `ls`'s columns (the same STATUS and FOREGROUND, so the two always
 * agree) plus host, event count, unread marker and its last output line.
 */
import { formatAge } from "../core/duration.js";
import type { SessionInfo } from "../protocol/session.js";
import {
  clip,
  foregroundText,
  formatBytes,
  formatColumns,
  MAX_STATUS_CHARS,
  statusText,
} from "./sessionTable.js";
import { UNREAD_MARK } from "./tui/pickerView.js";

const HEADERS = [
  "",
  "NAME",
  "KIND",
  "HOST",
  "STATUS",
  "FOREGROUND",
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
    clip(statusText(s), MAX_STATUS_CHARS),
    foregroundText(s),
    formatAge(now - s.createdAt),
    `${formatAge(now - s.lastActivityAt)} ago`,
    String(s.lastSeq),
    formatBytes(s.bytes),
    s.preview,
  ]);
  return formatColumns(HEADERS, rows, " ");
}
