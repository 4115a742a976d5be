/**
 * The attached client's one-line status bar on the terminal's bottom row: `[name]`, host (and
 * whether it is away, and whether this client may only watch it), the number of sessions and which have unread output, or a prompt. The session above gets a
 * scroll region of rows-1 (and the hub is told rows-1), so its output never touches the bar.
 */
import type { SessionInfo } from "../../protocol/session.js";
import {
  CLEAR_LINE,
  fitWidth,
  INVERSE,
  moveTo,
  RESET_ATTRIBUTES,
  RESET_SCROLL_REGION,
  RESTORE_CURSOR,
  SAVE_CURSOR,
  scrollRegion,
} from "../tui/screen.js";

export interface StatusBarState {
  current: SessionInfo | undefined;
  sessions: readonly SessionInfo[];
  isUnread(session: SessionInfo): boolean;
  /** This client may only watch the current session (a viewer): said beside its host. */
  readOnly?: boolean;
  /** Replaces the bar's text while the user answers (rename, confirm, prefix pending). */
  prompt?: string;
  /** E.g. `Ctrl-] ? help`. */
  hint: string;
}

/** The bar's text, exactly `cols` wide. */
export function statusBarText(state: StatusBarState, cols: number): string {
  if (state.prompt !== undefined) return fitWidth(` ${state.prompt}`, cols);
  const current = state.current;
  const unread = state.sessions.filter((s) => s.id !== current?.id && state.isUnread(s)).map((s) => s.name);
  const count = `${state.sessions.length} session${state.sessions.length === 1 ? "" : "s"}`;
  const left = [
    current ? `[${current.name}]` : "[-]",
    current ? hostText(current) : "",
    current && state.readOnly ? "read-only" : "",
    count,
    unread.length > 0 ? `unread: ${unread.join(" ")}` : "",
  ]
    .filter((part) => part.length > 0)
    .join(" · ");
  const right = `${state.hint} `;
  if (left.length + right.length + 2 > cols) return fitWidth(` ${left}`, cols);
  return ` ${left}${" ".repeat(cols - left.length - right.length - 1)}${right}`;
}

/**
 * The session's host; while it is away the screen is as last heard and keys wait for it
 * (`InputOutbox` holds them up to a minute): say so.
 */
function hostText(session: SessionInfo): string {
  const away = session.reachable === false && session.status === "running";
  return away ? `${session.host} away: what you type waits for it` : session.host;
}

/** Draws the bar on the bottom row without moving the session's cursor. */
export function drawStatusBar(text: string, rows: number): string {
  return `${SAVE_CURSOR}${moveTo(rows)}${CLEAR_LINE}${INVERSE}${text}${RESET_ATTRIBUTES}${RESTORE_CURSOR}`;
}

/** IND: the cursor one row down; on the region's last row the region scrolls up instead. */
const INDEX = "\x1bD";
/** CUU: the cursor one row up, same column; it stops at the top margin. */
const CURSOR_UP = "\x1b[A";
/** From the start of the row under the cursor to the end of the screen, cleared. */
const CLEAR_BELOW_CURSOR = "\x1b[B\r\x1b[J";

/**
 * Confines the session to rows 1..rows-1 and puts the cursor inside them. The session is told
 * rows-1, so its cursor is on one of those rows; ours may be on the bar's row instead (a
 * terminal that shrinks keeps the cursor on its bottom row, and a screen drawn before the region
 * was set, taller than it, ends there). A cursor below the region stays put on a line feed, so
 * everything after it would land under the bar: the whole screen scrolls up one row (the
 * cursor's line with it) and the cursor goes to the region's last row. Anywhere else the cursor
 * stays where it was (one row down and back up again).
 *
 * `grew`: the window is taller than when the bar was last set up. A terminal that keeps the top
 * of the screen in place leaves the old bar where it was, now among the session's rows, below
 * the cursor; so the rows below the cursor are cleared (one that keeps the bottom in place has
 * moved the bar to the bottom row, where it is drawn anyway). Nothing above the cursor, nor its
 * own row, is touched; a program that keeps text below its cursor redraws it on the resize.
 */
export function reserveStatusRow(rows: number, options: { grew?: boolean } = {}): string {
  return (
    // The whole screen as the region first: the terminal's after a resize is not to be relied
    // on, and the cursor (on row rows-1 at most after IND and CUU) can then always move down.
    `${SAVE_CURSOR}${RESET_SCROLL_REGION}${RESTORE_CURSOR}${INDEX}${CURSOR_UP}` +
    (options.grew ? `${SAVE_CURSOR}${CLEAR_BELOW_CURSOR}${RESTORE_CURSOR}` : "") +
    `${SAVE_CURSOR}${scrollRegion(1, rows - 1)}${RESTORE_CURSOR}`
  );
}

/** Undoes `reserveStatusRow` and clears the bar. */
export function releaseStatusRow(rows: number): string {
  return `${SAVE_CURSOR}${RESET_SCROLL_REGION}${moveTo(rows)}${CLEAR_LINE}${RESTORE_CURSOR}`;
}

/**
 * Output that resets the scroll region or clears the screen (full-screen programs starting or
 * leaving): after it the region is set again and the bar redrawn.
 */
export const DISTURBS_STATUS_BAR = /\x1b\[[\d;]*r|\x1b\[[23]?J|\x1bc|\x1b\[\?(?:1049|1047|47)[hl]/;
