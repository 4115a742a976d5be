/** The table `dispatch ls` prints: one row per session, columns padded to fit. */
import { formatAge } from "../core/duration.js";
import type { SessionInfo } from "../protocol/session.js";

const HEADERS = ["NAME", "KIND", "STATUS", "FOREGROUND", "AGE", "ACTIVE", "BYTES"] as const;
/**
 * A failed session's reason can be a whole error message: cut it here so one session does
 * not push every other column off the screen (`ls --json` has the full reason).
 */
export const MAX_STATUS_CHARS = 32;

/**
 * The table, with a HOST column after KIND when the sessions run on more than one host: with
 * one host it would repeat one name down the page, with several it is where a session lives.
 * A PROJECT column (`-` for none) after NAME likewise, when they are not all of one project
 * (`dispatch up` declared them; `ls --project P` lists one).
 */
export function formatSessionTable(sessions: readonly SessionInfo[], options: TableOptions = {}): string {
  const now = options.now ?? Date.now();
  const { withHost, withProject } = telling(sessions);
  const rows = sessions.map((s) => {
    const row = [
      s.name,
      s.kind,
      clip(statusText(s), MAX_STATUS_CHARS),
      foregroundText(s),
      formatAge(now - s.createdAt),
      `${formatAge(now - s.lastActivityAt)} ago`,
      bytesText(s, options),
    ];
    if (withHost) row.splice(2, 0, s.host);
    if (withProject) row.splice(1, 0, s.project ?? "-");
    return row;
  });
  const headers: string[] = [...HEADERS];
  if (withHost) headers.splice(2, 0, "HOST");
  if (withProject) headers.splice(1, 0, "PROJECT");
  return formatColumns(headers, rows, "  ");
}

/**
 * Which of the columns shown only when they tell sessions apart do: HOST with more than one
 * host among them, PROJECT when they are not all of one project (or of none).
 */
export function telling(sessions: readonly SessionInfo[]): { withHost: boolean; withProject: boolean } {
  return {
    withHost: new Set(sessions.map((s) => s.host)).size > 1,
    withProject: new Set(sessions.map((s) => s.project ?? null)).size > 1,
  };
}

/** `text`, or its start and `…` when it is longer than `max` characters. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** What both tables take besides the sessions. */
export interface TableOptions {
  now?: number;
  /** The hub could not read the bytes the logs hold (its store unavailable): BYTES shows `?`. */
  bytesUnknown?: boolean;
}

/** What BYTES shows: the output the log holds now, or (from an older hub) all it produced. */
export function storedBytesOf(session: SessionInfo): number {
  return session.storedBytes ?? session.bytes;
}

/** BYTES as shown; `?` when the hub could not read it (not all the session produced: its log may hold less). */
export function bytesText(session: SessionInfo, options: TableOptions): string {
  return options.bytesUnknown ? "?" : formatBytes(storedBytesOf(session));
}

/** A column that may be cut to fit a width, down to `min` characters. */
export interface Shrinkable {
  column: number;
  min: number;
}

export interface FitOptions {
  /** The line width to fit (a terminal's columns). */
  width: number;
  /** Columns to cut, first the first, each down to its `min` before the next is cut. */
  shrink: readonly Shrinkable[];
}

/**
 * Rows under headers, each column padded to its widest cell (the last one left ragged). With
 * `fit`, columns are cut (ending in `…`) in the order given until every line fits the width.
 */
export function formatColumns(
  headers: readonly string[],
  rows: readonly string[][],
  gap: string,
  fit?: FitOptions,
): string {
  const table = [[...headers], ...rows];
  const widths = headers.map((_, column) => Math.max(...table.map((row) => length(row[column] as string))));
  if (fit) shrinkWidths(widths, { gap: gap.length, headers, fit });
  return (
    table
      .map((row) =>
        row
          .map((cell, column) => {
            const width = widths[column] as number;
            const cut = length(cell) > width ? clipChars(cell, width) : cell;
            return column === row.length - 1 ? cut : cut + " ".repeat(width - length(cut));
          })
          .join(gap)
          .trimEnd(),
      )
      // Still too wide at every column's minimum: cut the line rather than let it wrap.
      .map((line) => (fit ? clipChars(line, fit.width) : line))
      .join("\n")
  );
}

/** The narrowest line `formatColumns` can make with `shrink` (every shrinkable column at its floor). */
export function minimumWidth(
  headers: readonly string[],
  rows: readonly string[][],
  options: { gap: string; shrink: readonly Shrinkable[] },
): number {
  const widths = headers.map((_, column) =>
    Math.max(...[headers, ...rows].map((row) => length((row[column] as string | undefined) ?? ""))),
  );
  shrinkWidths(widths, { gap: options.gap.length, headers, fit: { width: 0, shrink: options.shrink } });
  return widths.reduce((sum, w) => sum + w, 0) + options.gap.length * (widths.length - 1);
}

/** Narrows the shrinkable columns in order; a header is never cut. */
function shrinkWidths(
  widths: number[],
  { gap, headers, fit }: { gap: number; headers: readonly string[]; fit: FitOptions },
): void {
  const total = () => widths.reduce((sum, w) => sum + w, 0) + gap * (widths.length - 1);
  for (const { column, min } of fit.shrink) {
    const over = total() - fit.width;
    if (over <= 0) return;
    const width = widths[column] as number;
    const floor = Math.min(width, Math.max(min, length(headers[column] ?? "")));
    widths[column] = Math.max(floor, width - over);
  }
}

/** Length in characters (code points), as a terminal counts most of them. */
function length(text: string): number {
  return [...text].length;
}

function clipChars(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return max <= 0 ? "" : `${chars.slice(0, max - 1).join("")}…`;
}

/**
 * `running`, `running (host away)`, `exited (0)`, `exited (host lost)`, `failed (reason)`; agents add their state,
 * `running, waiting (needs you)`, with `?` when it is guessed from the screen.
 */
export function statusText(session: SessionInfo): string {
  const base = processStatusText(session);
  const agent = session.agent;
  if (!agent || session.status !== "running") return base;
  const guessed = agent.source === "guess" ? "?" : "";
  return agent.state === "waiting"
    ? `${base}, waiting${guessed} (needs you)`
    : `${base}, ${agent.state}${guessed}`;
}

function processStatusText(session: SessionInfo): string {
  if (session.status === "exited") {
    if (session.exitCode !== null) return `exited (${session.exitCode})`;
    return session.reason ? `exited (${session.reason})` : "exited";
  }
  if ((session.status === "failed" || session.status === "orphaned") && session.reason) {
    return `${session.status} (${session.reason})`;
  }
  // Last heard running; its host is away, so nothing typed reaches it until the host is back.
  if (session.status === "running" && session.reachable === false) return "running (host away)";
  return session.status;
}

/** What runs in the foreground: `idle` for a waiting shell, `-` once the session has ended. */
export function foregroundText(session: SessionInfo): string {
  if (session.status !== "running") return "-";
  return session.foreground ?? "idle";
}

/** `512B`, `1.5K`, `12M`, `3.1G`. */
export function formatBytes(bytes: number): string {
  const units = ["B", "K", "M", "G", "T"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = unit === 0 || value >= 10 ? String(Math.round(value)) : value.toFixed(1);
  return `${text}${units[unit]}`;
}
