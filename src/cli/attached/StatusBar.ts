/**
 * The attached client's one-line status bar on the terminal's bottom row: `[name]`, host, the
 * number of sessions and which have unread output, or a prompt. The session above gets a
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
    current?.host ?? "",
    count,
    unread.length > 0 ? `unread: ${unread.join(" ")}` : "",
  ]
    .filter((part) => part.length > 0)
    .join(" · ");
  const right = `${state.hint} `;
  if (left.length + right.length + 2 > cols) return fitWidth(` ${left}`, cols);
  return ` ${left}${" ".repeat(cols - left.length - right.length - 1)}${right}`;
}

/** Draws the bar on the bottom row without moving the session's cursor. */
export function drawStatusBar(text: string, rows: number): string {
  return `${SAVE_CURSOR}${moveTo(rows)}${CLEAR_LINE}${INVERSE}${text}${RESET_ATTRIBUTES}${RESTORE_CURSOR}`;
}

/** Confines the session to rows 1..rows-1 (the cursor stays where it was). */
export function reserveStatusRow(rows: number): string {
  return `${SAVE_CURSOR}${scrollRegion(1, rows - 1)}${RESTORE_CURSOR}`;
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
