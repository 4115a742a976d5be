/**
 * A line typed after a prompt, on the terminal: where it lands on a terminal `cols` wide, and
 * the text that draws it, moves the terminal's cursor in it, or takes it off.
 *
 * Layout: a row and column for each character, as the terminal places it when the line is
 * written out. A character that does not fit on the row goes to the next (a wide one leaves the
 * last column empty, as xterm does); a newline (a cell of several lines, recalled whole) starts
 * a row after the continuation prompt. The end may be at column `cols`: the terminal's cursor
 * then waits on the last column until the next character wraps it ("pending wrap"), and only
 * writing the line puts it there.
 *
 * Rows are broken where the layout breaks them (`\r\n`), never left to the terminal's own wrap:
 * a client whose terminal is wider than `cols` (several attached, the session at one width)
 * then shows the same rows, and the cursor moves up and down as many as the line takes there
 * too. A terminal narrower than `cols` still wraps the rows again, which is why the hub gives
 * the session of a line editor the smallest width of the clients attached (`SessionKind.sizeRule`).
 */
import { charWidth, textWidth } from "../../core/charWidth.js";

/** What the screen asks of the line's owner; each may change between lines. */
export interface LineLook {
  prompt(): string;
  /** The prompt of each further row of a line holding newlines. */
  continuation?(): string;
  /** The terminal's width, when known: without it rows end only at newlines. */
  cols?(): number | undefined;
}

/** SGR and other CSI sequences in a prompt take no columns. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what it matches.
const CSI = /\x1b\[[0-9;?]*[@-~]/g;

export interface Spot {
  row: number;
  col: number;
}

/**
 * The spot of each of `chars` (where the cursor sits on it) and, last, of the end. Without
 * `cols` (the width is not known) rows end only at newlines.
 */
export function layout(
  chars: readonly string[],
  widths: { prompt: number; continuation: number; cols: number | undefined },
): Spot[] {
  const { cols } = widths;
  const spots: Spot[] = [];
  let row = 0;
  let col = widths.prompt;
  for (const char of chars) {
    if (char === "\n") {
      spots.push({ row, col });
      row++;
      col = widths.continuation;
      continue;
    }
    const width = charWidth(char.codePointAt(0) as number);
    if (cols && col + width > cols) {
      row++;
      col = 0;
    }
    spots.push({ row, col });
    col += width;
  }
  spots.push({ row, col });
  return spots;
}

/**
 * The terminal's cursor while a line is shown, and the text that draws the line (`chars`, the
 * cursor at `cursor` of them) from where the prompt begins.
 */
export class LineScreen {
  /** The terminal cursor's row, counted from the prompt's. */
  private row = 0;
  /** The last row the shown line takes, counted from the prompt's. */
  private bottom = 0;

  constructor(private readonly look: LineLook) {}

  get cols(): number | undefined {
    return this.look.cols?.();
  }

  /** The spot of each of `chars` and, last, of the end. */
  spots(chars: readonly string[]): Spot[] {
    const prompt = textWidth(this.look.prompt().replace(CSI, ""));
    const continuation = textWidth(this.continuation().replace(CSI, ""));
    return layout(chars, { prompt, continuation, cols: this.cols });
  }

  /** The prompt and the line, from where the prompt begins; the cursor put at `cursor`. */
  draw(chars: readonly string[], cursor: number): string {
    const text = this.rows(chars, 0);
    const moved = cursor === chars.length ? "" : this.place(chars, cursor);
    return `${this.look.prompt()}${text}${moved ?? ""}`;
  }

  /**
   * `chars` from `from` on as written after the character before it (the terminal's cursor
   * there): each row the layout starts begun with `\r\n`, a newline's after the continuation
   * prompt. The terminal's cursor is then at the end.
   */
  rows(chars: readonly string[], from: number): string {
    const spots = this.spots(chars);
    const continuation = this.continuation();
    let text = "";
    for (let i = from; i < chars.length; i++) {
      const char = chars[i] as string;
      if (char === "\n") text += `\r\n${continuation}`;
      else if ((spots[i] as Spot).row > (i === 0 ? 0 : (spots[i - 1] as Spot).row) && chars[i - 1] !== "\n")
        text += `\r\n${char}`;
      else text += char;
    }
    this.row = (spots.at(-1) as Spot).row;
    this.bottom = this.row;
    return text;
  }

  /**
   * Moves the terminal's cursor to `cursor`: back to the row's start, up or down, right.
   * Undefined where only writing puts it (the end, waiting to wrap on the last column).
   */
  place(chars: readonly string[], cursor: number): string | undefined {
    const at = this.spots(chars)[cursor] as Spot;
    const cols = this.cols;
    if (cursor === chars.length && cols && at.col >= cols) return undefined;
    const col = cols ? Math.min(at.col, cols - 1) : at.col;
    const vertical =
      at.row < this.row
        ? `\x1b[${this.row - at.row}A`
        : at.row > this.row
          ? `\x1b[${at.row - this.row}B`
          : "";
    this.row = at.row;
    return `\r${vertical}${col > 0 ? `\x1b[${col}C` : ""}`;
  }

  /** Takes the prompt and the line off, leaving the terminal's cursor where the prompt began. */
  erase(): string {
    const up = this.row > 0 ? `\x1b[${this.row}A` : "";
    const rows = this.bottom;
    this.row = 0;
    this.bottom = 0;
    return rows === 0 ? "\r\x1b[K" : `\r${up}\x1b[J`;
  }

  /** Nothing is shown any more (the line was ended or taken off). */
  forget(): void {
    this.row = 0;
    this.bottom = 0;
  }

  private continuation(): string {
    return this.look.continuation?.() ?? "";
  }
}

/** Items listed in columns across `cols` (the longest sets the width), each row ending `\r\n`. */
export function columns(items: readonly string[], cols: number): string {
  const width = Math.max(...items.map((item) => [...item].length)) + 2;
  const perRow = Math.max(1, Math.floor(cols / width));
  let out = "";
  for (let i = 0; i < items.length; i += perRow) {
    const row = items.slice(i, i + perRow);
    out += `${row.map((item, j) => (j < row.length - 1 ? item.padEnd(width) : item)).join("")}\r\n`;
  }
  return out;
}
