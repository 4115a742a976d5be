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
  type Shrinkable,
  statusText,
  storedBytesOf,
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

/**
 * On a narrow terminal the free-text columns give way first: the last output, then the
 * foreground command, the status, the host and the name (each keeps a readable start).
 */
const SHRINK: readonly Shrinkable[] = [
  { column: 10, min: 11 },
  { column: 5, min: 10 },
  { column: 4, min: 6 },
  { column: 3, min: 4 },
  { column: 1, min: 6 },
];

export function formatVerboseTable(
  sessions: readonly SessionInfo[],
  options: {
    now?: number;
    isUnread?: (session: SessionInfo) => boolean;
    /** The terminal's width: columns are cut to fit it. Unset (a pipe): nothing is cut. */
    width?: number;
  } = {},
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
    formatBytes(storedBytesOf(s)),
    s.preview,
  ]);
  return formatColumns(
    HEADERS,
    rows,
    " ",
    options.width !== undefined ? { width: options.width, shrink: SHRINK } : undefined,
  );
}
