/**
 * `dispatch ls --verbose`: `ls`'s columns (the same STATUS and FOREGROUND, so the two always
 * agree) plus host, event count, unread marker and its last output line.
 */
import { formatAge } from "../core/duration.js";
import type { SessionInfo } from "../protocol/session.js";
import {
  bytesText,
  clip,
  foregroundText,
  formatColumns,
  MAX_STATUS_CHARS,
  minimumWidth,
  type Shrinkable,
  statusText,
  type TableOptions,
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
 * On a narrow terminal the free-text columns give way first (the last output, then the
 * foreground command), then long names and statuses a step at a time, the host last; each
 * keeps a readable start (`running` whole as long as it can).
 */
const SHRINK: readonly Shrinkable[] = [
  { column: 10, min: 11 },
  { column: 5, min: 10 },
  { column: 1, min: 16 },
  { column: 4, min: 12 },
  { column: 1, min: 10 },
  { column: 3, min: 5 },
  { column: 4, min: 7 },
  { column: 1, min: 6 },
  { column: 3, min: 4 },
];
/** The first steps of `SHRINK`, which leave names and statuses readable. */
const READABLE_STEPS = 4;

export function formatVerboseTable(
  sessions: readonly SessionInfo[],
  options: TableOptions & {
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
    bytesText(s, options),
    s.preview,
  ]);
  const width = options.width;
  if (width === undefined) return formatColumns(HEADERS, rows, " ");
  if (minimumWidth(HEADERS, rows, { gap: " ", shrink: SHRINK.slice(0, READABLE_STEPS) }) <= width)
    return formatColumns(HEADERS, rows, " ", { width, shrink: SHRINK });
  // Too narrow to keep names and statuses readable with it: LAST OUTPUT goes instead.
  const last = HEADERS.length - 1;
  return formatColumns(
    HEADERS.slice(0, last),
    rows.map((row) => row.slice(0, last)),
    " ",
    { width, shrink: SHRINK.filter((s) => s.column !== last) },
  );
}
