/**
 * A line being typed, as the session's output shows it: its characters and cursor, whether the
 * prompt and the line are on the screen, and the echo each change writes. Typing at the end of
 * the line echoes only what was typed (a keystroke is a few bytes of the session's output); any
 * other edit draws the line again, its rows broken at the session's width (`lineScreen`: right
 * on any client's terminal at least that wide), with the cursor put back where it is in the
 * line. What the keys do is `LineEditor`'s.
 */
import type { LineEditorHost } from "./lineEditorHost.js";
import { rowEnd } from "./lineRows.js";
import { LineScreen, type Spot } from "./lineScreen.js";

/** Asks the terminal to mark what is pasted (bracketed paste, `ESC [ 200 ~` ... `ESC [ 201 ~`). */
export const PASTE_MODE_ON = "\x1b[?2004h";

export class LineView {
  /** The line, one entry per character (code point): the cursor and completions count these. */
  private line: string[] = [];
  private at = 0;
  /** Whether the prompt and the line are on the screen (from the first key to Enter). */
  private shown = false;
  /** Whether the terminal was asked for bracketed paste yet. */
  private pasteModeAsked = false;
  private readonly screen: LineScreen;

  constructor(private readonly host: LineEditorHost) {
    this.screen = new LineScreen(host);
  }

  get chars(): readonly string[] {
    return this.line;
  }

  get cursor(): number {
    return this.at;
  }

  get active(): boolean {
    return this.shown;
  }

  /** The session's width, when it has one. */
  get cols(): number | undefined {
    return this.screen.cols;
  }

  /** Shows the prompt before anything is typed. */
  open(): void {
    if (this.shown) return;
    this.shown = true;
    this.pasteModeAsked = true;
    // Again with each prompt: output may have switched it off (a program's `ESC [ ? 2004 l`).
    this.host.echo(`${this.host.atLineStart() ? "" : "\r\n"}${PASTE_MODE_ON}${this.draw()}`);
  }

  /** Before the runtime writes: the text that takes the half-typed line off the screen. */
  hide(): string {
    const mode = this.pasteModeAsked ? "" : PASTE_MODE_ON;
    this.pasteModeAsked = true;
    return `${mode}${this.shown ? this.screen.erase() : ""}`;
  }

  /** After the runtime wrote: the half-typed line again, on a row of its own. */
  show(afterLineStart: boolean): string {
    if (!this.shown) return "";
    return `${afterLineStart ? "" : "\r\n"}${this.draw()}`;
  }

  /** Takes the line off the screen (it stays in the view until `clear`). */
  takeOff(): void {
    if (this.shown) this.host.echo(this.screen.erase());
  }

  /** `text` on a new row, typed there already (a continuation line). */
  continueWith(text: string): void {
    this.line = [...text];
    this.at = this.line.length;
    this.shown = true;
    this.host.echo(`\r\n${this.draw()}`);
  }

  /** `text` typed at the cursor. */
  insert(text: string): void {
    const added = [...text];
    const atEnd = !this.shown || this.at === this.line.length;
    this.open();
    // Not `splice(at, 0, ...added)`: spread over a paste's characters overflows the stack.
    this.line = this.line.slice(0, this.at).concat(added, this.line.slice(this.at));
    this.at += added.length;
    if (!atEnd || text.includes("\n")) return this.redraw();
    // At the end only what is typed is echoed, its rows broken where the layout breaks them.
    if (this.host.masked()) return;
    this.host.echo(this.screen.rows(this.line, this.line.length - added.length));
  }

  /** The line becomes `chars`, the cursor at `cursor`, drawn again (below `above` if given). */
  replace(chars: readonly string[], cursor: number, above?: string): void {
    this.line = [...chars];
    this.at = cursor;
    if (above !== undefined) this.under(above);
    else this.redraw();
  }

  moveTo(to: number): void {
    if (to === this.at) return;
    this.at = to;
    if (this.host.masked()) return;
    this.host.echo(this.screen.place(this.line, this.at) ?? `${this.screen.erase()}${this.draw()}`);
  }

  backspace(): void {
    if (!this.shown || this.at === 0) return;
    const atEnd = this.at === this.line.length;
    const before = this.screen.spots(this.line).at(-1) as Spot;
    const [gone] = this.line.splice(this.at - 1, 1);
    this.at--;
    if (this.host.masked()) return;
    const after = this.screen.spots(this.line).at(-1) as Spot;
    const width = after.row === before.row ? before.col - after.col : 0;
    // "\b" does not go back across a row's start, nor from a pending wrap: those draw again.
    const cols = this.screen.cols;
    if (atEnd && gone !== "\n" && (width === 1 || width === 2) && !(cols && before.col >= cols)) {
      const back = "\b".repeat(width);
      this.host.echo(`${back}${" ".repeat(width)}${back}`);
      return;
    }
    this.redraw();
  }

  /** Delete: the character under the cursor. */
  deleteForward(): void {
    if (this.at >= this.line.length) return;
    this.line.splice(this.at, 1);
    this.redraw();
  }

  /** Ctrl-K: from the cursor to its row's end. */
  cutToEnd(): void {
    this.line.splice(this.at, rowEnd(this.line, this.at) - this.at);
    this.redraw();
  }

  /**
   * Text for the person at the line (completions, why there are none), then the line drawn again
   * below it. The line is taken off first: a copy left above would read in the session's output
   * as a cell that was entered.
   */
  under(text: string): void {
    this.host.echo(`${this.screen.erase()}${text}${this.draw()}`);
  }

  /** Draws the line again where it is (its prompt first if it was not shown). */
  redraw(): void {
    if (!this.shown) return this.open();
    this.host.echo(`${this.screen.erase()}${this.draw()}`);
  }

  /** The cursor to the end of the line (before Enter or Ctrl-C leave it). */
  toEnd(): string {
    if (!this.shown || this.at === this.line.length) return "";
    this.at = this.line.length;
    if (this.host.masked()) return "";
    return this.screen.place(this.line, this.at) ?? `${this.screen.erase()}${this.draw()}`;
  }

  /** Nothing typed and nothing shown (the line was ended or taken off). */
  clear(): void {
    this.line = [];
    this.at = 0;
    this.shown = false;
    this.screen.forget();
  }

  /** The prompt and the line as shown (nothing of a password), the cursor where it is. */
  private draw(): string {
    return this.host.masked() ? this.screen.draw([], 0) : this.screen.draw(this.line, this.at);
  }
}
