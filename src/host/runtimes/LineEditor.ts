/**
 * A line typed at a terminal client into a runtime that is not a program with a terminal of
 * its own (a workspace's kernel, a chat): echoed after a prompt as the session's output, as a
 * shell's line is, so every attached client sees the same half-typed line and one attaching
 * later finds it.
 *
 * Keys: Left/Right (Ctrl-B/Ctrl-F), Home/End (Ctrl-A/Ctrl-E) move in the line; Backspace,
 * Delete (Ctrl-D) and Ctrl-K (to the end) erase; Ctrl-U drops the line; Up/Down (Ctrl-P/Ctrl-N)
 * go through the lines entered before (`remember`, `LineHistory`); Tab asks the host to
 * complete the word before the cursor (`complete`) and otherwise types four spaces. Other
 * control keys and escape sequences are swallowed, never typed into the line. What Enter and
 * Ctrl-C do is the runtime's (`LineEditorHost`).
 *
 * Pasting: the terminal is asked for bracketed paste (`PASTE_MODE_ON`, with the session's first
 * output, so a paste as the first key is marked too, and again with each prompt), so a paste comes marked and goes into the line
 * whole, its newlines rows of one cell, not Enters (its last newline dropped: Enter runs it,
 * as at bash). A terminal without bracketed paste sends a paste as keys, each newline an Enter.
 * In a line of several rows (a paste, a cell recalled whole) Up and Down move between its rows
 * once the person moved or edited in it; right after a recall they go on through the history,
 * so looking back through cells of many rows is one key per cell. `dispatch attach` switches
 * the mode off again when it leaves the session (`TERMINAL_RESET`).
 *
 * Typing at the end of the line echoes only what was typed (a keystroke is a few bytes of the
 * session's output); any other edit draws the line again, its rows broken at the session's
 * width (`lineScreen`: right on any client's terminal at least that wide), with the cursor put
 * back where it is in the line. Keys are read by
 * `terminalKeys`.
 *
 * Output the runtime writes while a line is half typed goes above it: the runtime wraps each
 * write in `hide()` and `show()`.
 */
import { LineHistories, type LineHistory } from "./LineHistory.js";
import { completed } from "./lineCompletion.js";
import type { LineEditorHost } from "./lineEditorHost.js";
import { rowAbove, rowBelow, rowEnd, rowStart } from "./lineRows.js";
import { LineScreen, type Spot } from "./lineScreen.js";
import { type EditKey, KeyReader, MAX_PASTE_CHARS } from "./terminalKeys.js";

/** Asks the terminal to mark what is pasted (bracketed paste, `ESC [ 200 ~` ... `ESC [ 201 ~`). */
export const PASTE_MODE_ON = "\x1b[?2004h";

/** Bound on a line, so a stuck client cannot grow it without end. */
const MAX_LINE_CHARS = 1024 * 1024;

export class LineEditor {
  /** The line, one entry per character (code point): the cursor and completions count these. */
  private chars: string[] = [];
  private cursor = 0;
  /** Whether the prompt and the line are on the screen (from the first key to Enter). */
  private shown = false;
  /** Keys not handled yet: Enter and Tab may wait (on the kernel) before the next key. */
  private queue = "";
  private pumping = false;
  private readonly keys = new KeyReader();
  private readonly screen: LineScreen;
  private readonly histories = new LineHistories();
  /** Who sent the latest keys (their id; "" when the hub did not say). */
  private typist = "";
  /** Whether the terminal was asked for bracketed paste yet. */
  private pasteModeAsked = false;
  /** What is on the line was recalled and not moved in or edited since: Up and Down recall. */
  private recalled = false;
  /** Characters typed past `MAX_LINE_CHARS` on this line (it is refused at Enter). */
  private overflowed = 0;

  constructor(private readonly host: LineEditorHost) {
    this.screen = new LineScreen(host);
  }

  /** Whether a line is on the screen, typed or only its prompt. */
  get active(): boolean {
    return this.shown;
  }

  /**
   * Whether the next input continues keys already sent: some wait to be handled, or an escape
   * sequence or a bracketed paste is part read (a long paste comes in several inputs).
   */
  get midKeys(): boolean {
    // A line that outgrew its bound waits for its Enter, to be refused whole.
    return this.queue.length > 0 || this.keys.partial || this.overflowed > 0;
  }

  /** What is typed on the line. */
  get typed(): string {
    return this.chars.join("");
  }

  /** Who sent the keys handled last (undefined: the hub did not say). */
  get typedBy(): string | undefined {
    return this.typist === "" ? undefined : this.typist;
  }

  /**
   * A line entered, for Up to bring back (the host says which: an `input()` answer is not):
   * `by` the person who sent it, in their history alone when the host keeps one per person;
   * without `by`, in everyone's.
   */
  remember(line: string, by?: string): void {
    if (by !== undefined && this.host.historyPerPerson) this.histories.of(by).add(line);
    else this.histories.addShared(line);
  }

  /** The history Up and Down go through: the typist's, or the one everyone shares. */
  private get history(): LineHistory {
    return this.histories.of(this.host.historyPerPerson ? this.typist : "");
  }

  /** Shows the prompt before anything is typed (a program asked for a line). */
  open(): void {
    if (this.shown) return;
    this.shown = true;
    this.pasteModeAsked = true;
    // Again with each prompt: output may have switched it off (a program's `ESC [ ? 2004 l`).
    this.host.echo(`${this.host.atLineStart() ? "" : "\r\n"}${PASTE_MODE_ON}${this.draw()}`);
  }

  /** Leaves the line on the screen as typed, and the cursor on the next row. */
  endLine(): void {
    if (this.shown) this.host.echo(`${this.toEnd()}\r\n`);
    this.reset();
  }

  /** Keys from a client, sent by the person `by` (their id) when the hub says. */
  type(data: string, by?: string): void {
    this.typist = by ?? "";
    this.queue += data;
    if (!this.pumping) void this.pump();
  }

  /** Before the runtime writes: takes the half-typed line off the screen. */
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

  /**
   * Takes the line typed so far off the screen and out of the editor (a whole message sent in
   * one input goes after it).
   */
  take(): string {
    const text = this.typed;
    if (this.shown) this.host.echo(this.screen.erase());
    this.reset();
    return text;
  }

  /** Goes on typing on a new row (a continuation line): `text` is typed there already. */
  continueWith(text: string): void {
    this.chars = [...text];
    this.cursor = this.chars.length;
    this.shown = true;
    this.host.echo(`\r\n${this.draw()}`);
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    /**
     * Characters typed in a row, inserted at once before any other key: one by one, each laid
     * the whole line out again, and a paste sent as keys (the web's composer, in pieces of
     * 128k characters) held the host's event loop for minutes, long enough for the hub to
     * drop the host for missed heartbeats.
     */
    let run = "";
    try {
      while (this.queue.length > 0) {
        const [char] = this.queue;
        if (char === undefined) break;
        this.queue = this.queue.slice(char.length);
        const key = this.keys.read(char);
        if (key === undefined) continue;
        if (typeof key === "object" && "text" in key) {
          run += key.text;
          continue;
        }
        if (run !== "") {
          this.insert(run);
          run = "";
        }
        if (key !== "up" && key !== "down") this.recalled = false;
        if (typeof key === "object") {
          if ("paste" in key) this.paste(key.paste);
          else this.pasteTooLong(key.pasteTooLong);
        } else if (key === "enter") {
          // "\r\n" from a client that sends both is one Enter.
          if (char === "\r" && this.queue.startsWith("\n")) this.queue = this.queue.slice(1);
          if (this.overflowed > 0) {
            this.refuseOverflowed();
            continue;
          }
          if (!this.shown) continue;
          this.host.echo(this.toEnd());
          this.history.reset();
          await this.host.enter(this.typed);
        } else if (key === "tab") await this.tab();
        else this.edit(key);
      }
      if (run !== "") this.insert(run);
    } finally {
      this.pumping = false;
    }
  }

  private edit(key: Exclude<EditKey, "enter" | "tab">): void {
    switch (key) {
      case "interrupt":
        if (this.shown) this.host.echo(`${this.toEnd()}^C\r\n`);
        this.reset();
        this.host.interrupt();
        return;
      case "backspace":
        return this.backspace();
      case "up":
      case "down": {
        const row = this.recalled
          ? undefined
          : key === "up"
            ? rowAbove(this.chars, this.cursor)
            : rowBelow(this.chars, this.cursor);
        if (row !== undefined) return this.moveTo(row);
        const recalled = key === "up" ? this.history.older(this.typed) : this.history.newer(this.typed);
        if (recalled === undefined) return;
        this.chars = [...recalled];
        this.cursor = this.chars.length;
        this.recalled = true;
        return this.redraw();
      }
    }
    if (!this.shown) return;
    switch (key) {
      case "drop-line":
        this.chars = [];
        this.cursor = 0;
        this.overflowed = 0;
        return this.redraw();
      case "cut-to-end":
        this.chars.splice(this.cursor, rowEnd(this.chars, this.cursor) - this.cursor);
        return this.redraw();
      case "delete":
        if (this.cursor >= this.chars.length) return;
        this.chars.splice(this.cursor, 1);
        return this.redraw();
      default:
        return this.moveTo(
          key === "left"
            ? Math.max(0, this.cursor - 1)
            : key === "right"
              ? Math.min(this.chars.length, this.cursor + 1)
              : key === "home"
                ? rowStart(this.chars, this.cursor)
                : rowEnd(this.chars, this.cursor),
        );
    }
  }

  private moveTo(to: number): void {
    if (to === this.cursor) return;
    this.cursor = to;
    if (this.host.masked()) return;
    this.host.echo(this.screen.place(this.chars, this.cursor) ?? `${this.screen.erase()}${this.draw()}`);
  }

  private insert(text: string): void {
    const added = [...text];
    if (this.overflowed > 0 || this.chars.length + added.length > MAX_LINE_CHARS) {
      // Past the bound nothing more goes on the line, and Enter sends none of it: a message
      // with a hole in its middle would read as whole (`refuseOverflowed`).
      if (this.overflowed === 0)
        this.under(
          `\x1b[2mthe line is longer than the ${MAX_LINE_CHARS} characters a line holds: it will not be sent (Ctrl-U clears it); send it in parts\x1b[0m\r\n`,
        );
      this.overflowed += added.length;
      return;
    }
    const atEnd = !this.shown || this.cursor === this.chars.length;
    this.open();
    // Not `splice(at, 0, ...added)`: spread over a paste's characters overflows the stack.
    this.chars = this.chars.slice(0, this.cursor).concat(added, this.chars.slice(this.cursor));
    this.cursor += added.length;
    if (!atEnd || text.includes("\n")) return this.redraw();
    // At the end only what is typed is echoed, its rows broken where the layout breaks them.
    if (this.host.masked()) return;
    this.host.echo(this.screen.rows(this.chars, this.chars.length - added.length));
  }

  /** A bracketed paste: typed as is, newlines and all, but for its last newline (Enter runs it). */
  private paste(text: string): void {
    const typed = text.replace(/\n+$/, "");
    if (typed === "") return;
    if (this.chars.length + [...typed].length > MAX_LINE_CHARS) return this.pasteTooLong([...typed].length);
    this.insert(typed);
  }

  /** Enter on a line that outgrew the bound: dropped, and said so. */
  private refuseOverflowed(): void {
    const chars = this.chars.length + this.overflowed;
    if (this.shown) this.host.echo(this.screen.erase());
    this.reset();
    this.host.echo(
      `${this.host.atLineStart() ? "" : "\r\n"}\x1b[2mnot sent: ${chars} characters is more than a line holds (${MAX_LINE_CHARS}); send it in parts\x1b[0m\r\n`,
    );
  }

  private pasteTooLong(chars: number): void {
    const most = Math.min(MAX_LINE_CHARS, MAX_PASTE_CHARS);
    const note = `\x1b[2mnothing pasted: ${chars} characters is more than a line holds (${most}); paste it in parts\x1b[0m\r\n`;
    if (this.shown) this.under(note);
    else this.host.echo(`${this.host.atLineStart() ? "" : "\r\n"}${note}`);
  }

  private backspace(): void {
    if (!this.shown || this.cursor === 0) return;
    const atEnd = this.cursor === this.chars.length;
    const before = this.screen.spots(this.chars).at(-1) as Spot;
    const [gone] = this.chars.splice(this.cursor - 1, 1);
    this.cursor--;
    if (this.host.masked()) return;
    const after = this.screen.spots(this.chars).at(-1) as Spot;
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

  /** Tab: completes the word before the cursor, or types four spaces where there is none. */
  private async tab(): Promise<void> {
    const beforeCursor = this.chars.slice(rowStart(this.chars, this.cursor), this.cursor).join("");
    const answer =
      this.host.complete && beforeCursor.trim() !== "" && !this.host.masked()
        ? await this.host.complete(this.typed, this.cursor).catch((err: unknown) => ({
            note: `no completions: ${err instanceof Error ? err.message : String(err)}`,
          }))
        : undefined;
    if (!answer) return this.insert("    ");
    // The line went meanwhile (an `input()` prompt it was typed at ended): nothing to complete.
    if (!this.shown) return;
    const done = completed(this.chars, this.cursor, answer, this.screen.cols ?? 80);
    if (!done) return;
    this.chars = done.chars;
    this.cursor = done.cursor;
    if (done.list) this.under(done.list);
    else this.redraw();
  }

  /**
   * Text for the person at the line (completions, why there are none), then the line drawn again
   * below it. The line is taken off first: a copy left above would read in the session's output
   * as a cell that was entered.
   */
  private under(text: string): void {
    this.host.echo(`${this.screen.erase()}${text}${this.draw()}`);
  }

  /** Draws the line again where it is (its prompt first if it was not shown). */
  private redraw(): void {
    if (!this.shown) return this.open();
    this.host.echo(`${this.screen.erase()}${this.draw()}`);
  }

  /** The prompt and the line as shown (nothing of a password), the cursor where it is. */
  private draw(): string {
    return this.host.masked() ? this.screen.draw([], 0) : this.screen.draw(this.chars, this.cursor);
  }

  /** The cursor to the end of the line (before Enter or Ctrl-C leave it). */
  private toEnd(): string {
    if (!this.shown || this.cursor === this.chars.length) return "";
    this.cursor = this.chars.length;
    if (this.host.masked()) return "";
    return this.screen.place(this.chars, this.cursor) ?? `${this.screen.erase()}${this.draw()}`;
  }

  private reset(): void {
    this.chars = [];
    this.cursor = 0;
    this.shown = false;
    this.screen.forget();
    this.histories.resetAll();
    this.recalled = false;
    this.overflowed = 0;
  }
}
