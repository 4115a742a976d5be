/**
 * One row of a terminal's columns held as a string, for `cursorLines`: what a write or an erase
 * at a column leaves, and what the row shows. It exists apart from the cursor reading because
 * holding columns is its own puzzle (double-width characters, combining marks, emoji of two
 * UTF-16 units), and the reader should only have to say where the cursor writes or erases.
 */
import { charWidth } from "./charWidth.js";

/**
 * The widest row read: no terminal is wider, and every column, count and write is held to it,
 * so output such as `ESC[999999999G` or a megabyte-long row overwritten character by character
 * costs a row's width, not memory or time without bound.
 */
export const MAX_COLUMNS = 2048;

/** Text that is one UTF-16 unit per column (printable ASCII, Latin): written as it is. */
const NARROW = /^[\x20-\x7e\xa0-\u02ff]*$/;

/**
 * A row's text holds one UTF-16 unit per column, so moves and erases stay string slices (most
 * output is narrow, and cells in an array cost several times more). What is not one unit per
 * column stands in for itself: the right half of a double-width character is `WIDE_RIGHT`, and
 * a character of two units (an emoji) or with combining marks is a private-use unit from
 * `GLYPH_FIRST` on, numbering the row's `glyphs`. Private-use characters in the output are
 * glyphs too, so every one in a row's text is a stand-in.
 */
const WIDE_RIGHT = "\uf8ff";
const GLYPH_FIRST = 0xe000;
/** Kinds of stand-in one row can hold; more kinds than that show as U+FFFD. */
export const GLYPH_COUNT = 0xf8ff - GLYPH_FIRST;
const STAND_IN = /[\ue000-\uf8ff]/;
const STAND_INS = /[\ue000-\uf8ff]/g;
const PRIVATE_USE = /^[\ue000-\uf8ff]$/;

export class RowText {
  /** One unit per column (see `WIDE_RIGHT`). */
  private text = "";
  /** What the row's stand-ins stand for, and the stand-in of each. */
  private glyphs: string[] = [];
  private readonly glyphAt = new Map<string, string>();

  /** Columns held: up to the last one written or blanked. */
  get length(): number {
    return this.text.length;
  }

  /**
   * `written` put at `col` as a terminal puts it, held to `MAX_COLUMNS`: the columns it took
   * (0 for none). A combining mark at its start joins the character left of `col`.
   */
  write(col: number, written: string): number {
    if (col >= MAX_COLUMNS) return 0;
    const whole = NARROW.test(written) ? written : this.columns(written, col);
    const text = col + whole.length > MAX_COLUMNS ? whole.slice(0, MAX_COLUMNS - col) : whole;
    if (text === "") return 0;
    if (col > this.text.length) this.text = this.text.padEnd(col);
    // A double-width character cut by what is written is blank in both halves, as on a terminal.
    this.splitWide(col);
    this.splitWide(col + text.length);
    this.text =
      col === this.text.length
        ? this.text + text
        : this.text.slice(0, col) + text + this.text.slice(col + text.length);
    return text.length;
  }

  /**
   * Columns `[from, to)` replaced by `by` (blanks, or nothing to pull the rest left), held to
   * `MAX_COLUMNS`; a double-width character cut at either end is blanked in both halves.
   */
  replace(from: number, to: number, by: string): void {
    this.splitWide(from);
    this.splitWide(to);
    this.text = (this.text.slice(0, from) + by + this.text.slice(to)).slice(0, MAX_COLUMNS);
  }

  /** What the row shows from column `from` on, without the blanks at its end ("" if only blanks). */
  shownFrom(from: number): string {
    const row = from === 0 ? this.text : this.text.slice(from);
    const text = STAND_IN.test(row) ? row.replace(STAND_INS, (unit) => this.shown(unit)) : row;
    return text.trim() === "" ? "" : text.trimEnd();
  }

  /** Nothing written: the row as a new one. */
  clear(): void {
    this.text = "";
    if (this.glyphs.length > 0) {
      this.glyphs = [];
      this.glyphAt.clear();
    }
  }

  /** `written` as the row holds it: one unit per column, stand-ins for the rest (`WIDE_RIGHT`). */
  private columns(written: string, col: number): string {
    let out = "";
    for (const char of written) {
      const width = charWidth(char.codePointAt(0) as number);
      if (width === 0) {
        out = this.joinMark(out, char, col);
        continue;
      }
      const unit = char.length === 1 && !PRIVATE_USE.test(char) ? char : this.glyph(char);
      out += width === 2 ? unit + WIDE_RIGHT : unit;
    }
    return out;
  }

  /** A combining mark joined to the character before it: in `out`, else on the row left of `col`. */
  private joinMark(out: string, mark: string, col: number): string {
    if (out !== "") {
      const at = out.endsWith(WIDE_RIGHT) ? out.length - 2 : out.length - 1;
      return out.slice(0, at) + this.glyph(this.shown(out[at] as string) + mark) + out.slice(at + 1);
    }
    const at = this.text[col - 1] === WIDE_RIGHT ? col - 2 : col - 1;
    const base = this.text[at];
    if (at >= 0 && base !== undefined && base !== " ") {
      this.text = this.text.slice(0, at) + this.glyph(this.shown(base) + mark) + this.text.slice(at + 1);
    }
    return out;
  }

  /** The stand-in for `char` (more kinds of them in one row than stand-ins: U+FFFD). */
  private glyph(char: string): string {
    let unit = this.glyphAt.get(char);
    if (unit === undefined) {
      if (this.glyphs.length >= GLYPH_COUNT) return "\ufffd";
      unit = String.fromCharCode(GLYPH_FIRST + this.glyphs.length);
      this.glyphs.push(char);
      this.glyphAt.set(char, unit);
    }
    return unit;
  }

  /** What one unit of the row's text shows. */
  private shown(unit: string): string {
    if (unit === WIDE_RIGHT) return "";
    return STAND_IN.test(unit) ? (this.glyphs[unit.charCodeAt(0) - GLYPH_FIRST] ?? "") : unit;
  }

  /**
   * Before the row is cut at `col` (written or erased from there on, or up to there): a double-width
   * character across the cut, its right half at `col`, is blanked in both halves.
   */
  private splitWide(col: number): void {
    if (this.text[col] !== WIDE_RIGHT) return;
    this.text = `${this.text.slice(0, col - 1)}  ${this.text.slice(col + 1)}`;
  }
}
