/**
 * A terminal session's one-line preview (`dispatch ls`, the web's session list): the last
 * non-blank row of its screen, as a person looking at it sees that row. Read off the screen,
 * not the output: a full-screen program draws with cursor moves, so the newest bytes are
 * often a fragment (vim rewriting only the digits of its ruler), or an old row redrawn.
 *
 * The last non-blank row, not the cursor's: tried in real terminals, they are the same row for
 * a shell prompt (after `clear` too), a progress bar, top and htop (which park the cursor on
 * their bottom row); they differ for vim, whose cursor row is whatever text is under it, and
 * whose last row names the file, the mode (`-- INSERT --`) and the position. A command that
 * printed and left blank lines under its output leaves the cursor on a blank row, where
 * the last non-blank row is still what it printed. Costs a screenful of rows at most.
 */
import type headless from "@xterm/headless";
import { MAX_PREVIEW_CHARS } from "../preview.js";

/** The preview line, or "" when the screen shows nothing (the caller keeps the previous one). */
export function screenPreview(terminal: headless.Terminal): string {
  const buffer = terminal.buffer.active;
  const top = buffer.baseY;
  for (let y = top + terminal.rows - 1; y >= top; y--) {
    let text = buffer.getLine(y)?.translateToString(true) ?? "";
    if (text.trim() === "") continue;
    // A long line wrapped onto this row reads from its start, a screenful up at most.
    for (let row = y; row > Math.max(0, y - terminal.rows); row--) {
      if (!buffer.getLine(row)?.isWrapped) break;
      text = (buffer.getLine(row - 1)?.translateToString(false) ?? "") + text;
    }
    // Runs of blank cells are layout (columns, a ruler set to the right), one space in a line
    // as in the web list's HTML.
    return text.replace(/\s+/g, " ").trim().slice(0, MAX_PREVIEW_CHARS);
  }
  return "";
}
