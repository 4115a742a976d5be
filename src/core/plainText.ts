/**
 * Terminal output as plain text: escape sequences and control characters removed, lines as a
 * person read them. Shared by the picker's preview and the search index, so what a preview
 * shows is what a search finds.
 */
import { textWidth } from "./charWidth.js";
import { nextTabStop, readCursorLines } from "./cursorLines.js";

// CSI; OSC, DCS, APC, PM, SOS (BEL or ST terminated); other escapes (`ESC ( B` included, which
// ncurses apps such as top send with every colour change); then remaining C0 controls but tab
// and newline. (Control characters in these regexes are the point: biome.json allows them.)
const ESCAPES =
  /\x1b\[[0-?]*[ -/]*[@-~]|\x1b[\]P^_X][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[ -/]*[0-~]|[\x00-\x08\x0b-\x1f\x7f]/g;
// The same, but carriage returns stay: on the newline path they only end lines, where
// `trimEnd` drops them, and a flood's `\r\n` lines then leave the regex nothing to replace.
const ESCAPES_BUT_CR =
  /\x1b\[[0-?]*[ -/]*[@-~]|\x1b[\]P^_X][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[ -/]*[0-~]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

/**
 * What places text anywhere but after the text before it: cursor moves (up, down, forward,
 * back, to a column, to a row, absolute, tab stops, save/restore, index), a carriage return
 * not ending a line, backspace, erasing the start or whole of a row or the screen, setting
 * the scrolling region (homes the cursor), and switching to or from the alternate screen.
 * Output with none of these (`yes`, compilers, `ls --color`, `grep --color` with its `ESC[K`
 * at the end of text) is read by cutting at newlines; the rest by following the cursor.
 */
const MOVES =
  /\x1b(?:\[(?:[0-9;]*[A-HIZadefrsu`]|[12]K|[123]J|\?(?:1049|1047|47)[hl])|[78DEMc])|\r(?![\r\n]|$)|[\b\v\f]/;

/** `text` without escape sequences and control characters (tab and newline stay). */
export function stripEscapes(text: string): string {
  return text.replace(ESCAPES, "");
}

/**
 * Every line of raw output as a terminal showed it, the one still open at the end included
 * when it has text: escapes removed, text placed by cursor moves spaced or on lines of its
 * own, a line redrawn with carriage returns as it was left (or, if wiped at the end, as it
 * read before). Lines keep their indentation, lose trailing blanks; blank lines stay.
 */
export function plainLines(raw: string): string[] {
  if (MOVES.test(raw)) return readCursorLines(raw, true).lines;
  const lines = newlineLines(raw);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/**
 * The lines `raw` completes, as `plainLines` reads them, and the raw text of the line still
 * open at its end (after the last newline, or from the cursor move that began it): read it
 * again with the output that follows.
 */
export function completeLines(raw: string): { lines: string[]; open: string } {
  if (MOVES.test(raw)) {
    const read = readCursorLines(raw, false);
    return { lines: read.lines, open: raw.slice(read.openAt) };
  }
  const end = raw.lastIndexOf("\n");
  return { lines: end < 0 ? [] : newlineLines(raw.slice(0, end)), open: raw.slice(end + 1) };
}

/** Lines of output without cursor moves: one pass over the whole text (a regex per line costs several times more on a flood). */
function newlineLines(raw: string): string[] {
  const lines = raw.replace(ESCAPES_BUT_CR, "").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    lines[i] = (line.includes("\t") ? expandTabs(line) : line).trimEnd();
  }
  return lines;
}

/** Text that takes a column per UTF-16 unit (printable ASCII): its length is its width. */
const ASCII = /^[\x20-\x7e]*$/;

/** Tabs as the blanks to the next tab stop (in a terminal's columns), so columns stay apart and aligned. */
function expandTabs(line: string): string {
  const pieces = line.split("\t");
  let out = pieces[0] as string;
  let width = ASCII.test(out) ? out.length : textWidth(out);
  for (let i = 1; i < pieces.length; i++) {
    const piece = pieces[i] as string;
    const stop = nextTabStop(width);
    out += " ".repeat(stop - width) + piece;
    width = stop + (ASCII.test(piece) ? piece.length : textWidth(piece));
  }
  return out;
}
