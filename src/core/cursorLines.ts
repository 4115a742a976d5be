/**
 * Lines of output drawn with cursor movements (full-screen apps, prompts, progress bars), read
 * as a person saw them: text a move placed further along a row is spaced from what came
 * before, text placed on another row is another line, erased or overwritten text is gone.
 *
 * Only the row being drawn is kept, not a screen: a row left and drawn again later is read
 * again from what is drawn then (vim redrawing only the changed digits of its ruler shows
 * those digits). The cost is that of a line being read, whatever the size of the screen.
 * Columns are a terminal's (`RowText` holds them): a CJK character or an emoji takes two, a combining
 * mark none, so text placed after them by a cursor move lands where a terminal puts it.
 * (Control characters in these regexes are the point: biome.json allows them in this file.)
 */
import { MAX_COLUMNS, RowText } from "./rowText.js";

/**
 * One piece of output: text, a CSI sequence (parameters, intermediates, final), a string
 * sequence (OSC, DCS, APC, PM, SOS: nothing on screen), another escape, a control character.
 * A lone ESC (a sequence cut off at the end) is a control character like the others.
 */
const TOKEN =
  /([^\x00-\x1f\x7f]+)|\x1b\[([0-?]*)([ -/]*)([@-~])|\x1b[\]P^_X][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b([ -/]*[0-~])|([\x00-\x1f\x7f])/y;

const TAB_COLUMNS = 8;

/** The column of the tab stop after `col` (every 8 columns, as terminals start). */
export function nextTabStop(col: number): number {
  return (Math.floor(col / TAB_COLUMNS) + 1) * TAB_COLUMNS;
}

/** Alternate screen on or off (vim, less, htop): the cursor is somewhere else afterwards. */
const ALT_SCREEN = /^\?(?:1049|1047|47)(?:;|$)/;

/** The second number of `row;col` (0 when there is none). */
function secondParam(params: string): number {
  const semicolon = params.indexOf(";");
  return semicolon < 0 ? 0 : Number.parseInt(params.slice(semicolon + 1), 10) || 0;
}

interface Saved {
  row: number | undefined;
  col: number;
  line: number;
}

/** What `readCursorLines` found: completed lines, and where in the input the open line began. */
export interface CursorLines {
  lines: string[];
  /** Index in the input where the line still open at its end began (a newline or a move there). */
  openAt: number;
}

/**
 * The lines `raw` completes (at a newline, or when the cursor moves to another row), and with
 * `finish` the open line at its end too. A newline always completes a line, blank or not;
 * leaving a row by a cursor move completes it only if something was written on it.
 */
export function readCursorLines(raw: string, finish: boolean): CursorLines {
  return new RowReader(raw).read(finish);
}

class RowReader {
  private readonly lines: string[] = [];
  /** The row being drawn, and where the cursor is in it. */
  private readonly text = new RowText();
  private col = 0;
  /**
   * The leftmost column written since the row was entered by a cursor move: where a piece
   * placed mid-screen (vim's ruler) begins. A row begun by a newline begins at the margin.
   */
  private origin = 0;
  /** The row's last visible text before an erase blanked it (a progress line wiped at its end). */
  private erased = "";
  /** The screen row when an absolute move said it (a move to the same row stays on the line). */
  private row: number | undefined;
  /** Counts lines begun, so a restored cursor knows whether it is still on the same line. */
  private line = 0;
  private saved: Saved | undefined;
  private openAt = 0;

  constructor(private readonly raw: string) {}

  read(finish: boolean): CursorLines {
    const raw = this.raw;
    TOKEN.lastIndex = 0;
    while (TOKEN.lastIndex < raw.length) {
      const at = TOKEN.lastIndex;
      const m = TOKEN.exec(raw) as RegExpExecArray;
      if (m[1] !== undefined) this.write(m[1]);
      else if (m[4] !== undefined) this.csi(m[2] as string, m[3] as string, m[4], at);
      else if (m[5] !== undefined) this.escape(m[5], at);
      else if (m[6] !== undefined) this.control(m[6], at + 1);
    }
    if (finish) this.end(false);
    return { lines: this.lines, openAt: this.openAt };
  }

  private write(written: string): void {
    const { col } = this;
    const width = this.text.write(col, written);
    if (width === 0) return;
    this.col = col + width;
    if (col < this.origin) this.origin = col;
  }

  private control(char: string, after: number): void {
    switch (char) {
      case "\n":
      case "\v":
      case "\f":
        this.end(true);
        this.begin({
          row: this.row === undefined ? undefined : this.row + 1,
          col: 0,
          at: after,
          byMove: false,
        });
        break;
      case "\r":
        this.col = 0;
        break;
      case "\b":
        this.col = Math.max(0, this.col - 1);
        break;
      case "\t":
        this.col = Math.min(MAX_COLUMNS, nextTabStop(this.col));
        break;
      default:
      // Bell, shift in/out and the rest put nothing on the screen.
    }
  }

  private escape(seq: string, at: number): void {
    switch (seq) {
      case "7":
        this.save();
        break;
      case "8":
        this.restore(at);
        break;
      case "D":
        this.moveTo(this.relativeRow(1), this.col, at);
        break;
      case "E":
        this.moveTo(this.relativeRow(1), 0, at);
        break;
      case "M":
        this.moveTo(this.relativeRow(-1), this.col, at);
        break;
      case "c":
        this.moveTo(undefined, 0, at);
        break;
      default:
      // Character sets, keypad modes and the like change nothing on the screen.
    }
  }

  private csi(params: string, intermediates: string, final: string, at: number): void {
    if (intermediates !== "") return;
    if (params !== "" && params.charCodeAt(0) >= 0x3c) {
      // Private (`ESC[?25l`): only switching screens moves the cursor.
      if ((final === "h" || final === "l") && ALT_SCREEN.test(params)) this.moveTo(undefined, 0, at);
      return;
    }
    const first = Math.min(MAX_COLUMNS, params === "" ? 0 : Number.parseInt(params, 10) || 0);
    const n = Math.max(1, first);
    switch (final) {
      case "A":
        return this.moveTo(this.relativeRow(-n), this.col, at);
      case "B":
      case "e":
        return this.moveTo(this.relativeRow(n), this.col, at);
      case "E":
        return this.moveTo(this.relativeRow(n), 0, at);
      case "F":
        return this.moveTo(this.relativeRow(-n), 0, at);
      case "C":
      case "a":
        this.col = Math.min(MAX_COLUMNS, this.col + n);
        return;
      case "D":
        this.col = Math.max(0, this.col - n);
        return;
      case "G":
      case "`":
        this.col = n - 1;
        return;
      case "H":
      case "f":
        return this.moveTo(n, Math.min(MAX_COLUMNS, Math.max(1, secondParam(params))) - 1, at);
      case "d":
        return this.moveTo(n, this.col, at);
      case "I":
        this.col = Math.min(MAX_COLUMNS, (Math.floor(this.col / TAB_COLUMNS) + n) * TAB_COLUMNS);
        return;
      case "Z":
        this.col = Math.max(0, (Math.ceil(this.col / TAB_COLUMNS) - n) * TAB_COLUMNS);
        return;
      case "K":
        return this.eraseInLine(first);
      case "J":
        // Below the cursor: the rest of this row. The whole screen: this row's text is gone.
        if (first === 0) return this.eraseInLine(0);
        if (first === 1) return this.eraseInLine(1);
        return this.moveTo(this.row, this.col, at, true);
      case "X":
        return this.replace(this.col, this.col + n, " ".repeat(n));
      case "P":
        return this.replace(this.col, this.col + n, "");
      case "@":
        if (this.col < this.text.length) this.replace(this.col, this.col, " ".repeat(n));
        return;
      case "r":
        // Setting the scrolling region homes the cursor.
        return this.moveTo(1, 0, at);
      case "s":
        if (params === "") this.save();
        return;
      case "u":
        return this.restore(at);
      default:
      // Colours, modes, reports: nothing moves.
    }
  }

  private relativeRow(delta: number): number | undefined {
    return this.row === undefined ? undefined : Math.max(1, this.row + delta);
  }

  private eraseInLine(mode: number): void {
    if (mode === 0) this.replace(this.col, this.text.length, "");
    else if (mode === 1) this.replace(0, this.col + 1, " ".repeat(Math.min(this.col + 1, this.text.length)));
    else this.replace(0, this.text.length, "");
  }

  /** `text[from, to)` replaced by `by`; remembers what an erase wiped out entirely. */
  private replace(from: number, to: number, by: string): void {
    if (from >= this.text.length) return;
    const before = this.visible();
    this.text.replace(from, to, by);
    if (before !== "" && this.visible() === "") this.erased = before;
  }

  private save(): void {
    this.saved = { row: this.row, col: this.col, line: this.line };
  }

  private restore(at: number): void {
    const saved = this.saved;
    if (saved !== undefined && saved.line === this.line) this.col = saved.col;
    else this.moveTo(saved?.row, saved?.col ?? 0, at, true);
  }

  /**
   * The cursor to `row` (undefined: somewhere unknown), `col`: on the same row, a move along
   * it; elsewhere (or `wiped`), the line drawn so far is complete and another begins.
   */
  private moveTo(row: number | undefined, col: number, at: number, wiped = false): void {
    if (!wiped && row !== undefined && row === this.row) {
      this.col = col;
      return;
    }
    this.end(false);
    this.begin({ row, col, at, byMove: true });
  }

  private begin(next: { row: number | undefined; col: number; at: number; byMove: boolean }): void {
    this.text.clear();
    this.erased = "";
    this.row = next.row;
    this.col = next.col;
    this.origin = next.byMove ? Number.POSITIVE_INFINITY : 0;
    this.openAt = next.at;
    this.line++;
  }

  /** The row's text as read: from where it begins, without the blanks at its end. */
  private visible(): string {
    return this.text.shownFrom(this.origin);
  }

  /** Completes the row: a newline makes a line of it even blank; a move only with text on it. */
  private end(newline: boolean): void {
    const text = this.visible() || this.erased;
    if (text !== "" || newline) this.lines.push(text);
  }
}
