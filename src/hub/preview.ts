/**
 * The last line a session printed, as plain text, for session lists and previews. Only the
 * tail of the newest output is examined, so this costs the same for any history size. A
 * terminal's preview is read off its screen instead where the hub has that screen up to date
 * (`screen/screenPreview.ts`); this rule serves kinds without a screen (workspaces, chats) and a
 * terminal whose screen is behind a flood.
 */

import { stripEscapes } from "../core/plainText.js";

const TAIL_BYTES = 2048;
/** Longest preview kept (the byte rule here and the screen rule, `screen/screenPreview.ts`). */
export const MAX_PREVIEW_CHARS = 160;

/**
 * What moves the cursor to another place on the screen or wipes it: a carriage return, cursor
 * up/down/next/previous line, absolute positioning (CUP, HVP, VPA), restore cursor (CSI u,
 * ESC 8), index/reverse index/next line, and erase the whole display. Full-screen apps (vim, top, less)
 * draw with these instead of newlines, so text on either side sits on different rows (or
 * overwrites what came before) and must not be glued into one line.
 * (Control characters in these regexes are the point: biome.json allows them in this file.)
 */
const CURSOR_JUMP = /\r|\x1b\[[0-9;?]*[ABEFHdfu]|\x1b\[[23]J|\x1b[8DEM]/;
const CURSOR_JUMPS = new RegExp(CURSOR_JUMP.source, "g");
/** Moves along the row (forward, to a column, tab forward) and erase-characters: blanks between text. */
const CURSOR_ACROSS = /\x1b\[[0-9;]*[CGIX`]/g;

const decoder = new TextDecoder();

/**
 * Returns the last non-empty line in `data`, or `previous` when it has none. Read from the end
 * back, a line at a time, escapes stripped from that line only: splitting the whole stripped
 * tail made a string per line (~700 for `yes`), and stripping it one per carriage return;
 * together nine tenths of everything the hub allocated during a flood.
 */
export function lastLine(data: Uint8Array, previous: string): string {
  const tail = decoder.decode(data.length > TAIL_BYTES ? data.subarray(data.length - TAIL_BYTES) : data);
  let end = tail.length;
  while (end > 0) {
    const start = tail.lastIndexOf("\n", end - 1) + 1;
    const line = visibleLine(tail.slice(start, end));
    if (line.length > 0) return line.slice(0, MAX_PREVIEW_CHARS);
    end = start - 1;
  }
  return previous;
}

/**
 * What a terminal would show of one line of output: of pieces separated by cursor jumps, the
 * last with something visible (as a terminal leaves a progress bar redrawn with carriage
 * returns, or vim's ruler written at the bottom row after the text). Plain lines take the
 * first branch, so a flood of them costs what it did before.
 */
function visibleLine(raw: string): string {
  // The carriage return of a CRLF line ending ends the line; it jumps over nothing.
  const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
  if (!CURSOR_JUMP.test(line)) return stripEscapes(line.replace(CURSOR_ACROSS, " ")).trim();
  const pieces = line.split(CURSOR_JUMPS);
  for (let i = pieces.length - 1; i >= 0; i--) {
    const piece = stripEscapes((pieces[i] as string).replace(CURSOR_ACROSS, " ")).trim();
    if (piece.length > 0) return piece;
  }
  return "";
}
