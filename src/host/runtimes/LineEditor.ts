/**
 * A line typed at a terminal client into a runtime that is not a program with a terminal of
 * its own (a workspace's kernel, a chat): echoed after a prompt as the session's output, as a
 * shell's line is, so every attached client sees the same half-typed line and one attaching
 * later finds it. This is what the keys do; how the line is shown is `LineView`'s.
 *
 * Keys: Left/Right (Ctrl-B/Ctrl-F), Home/End (Ctrl-A/Ctrl-E) move in the line; Backspace,
 * Delete (Ctrl-D) and Ctrl-K (to the end) erase; Ctrl-U drops the line; Up/Down (Ctrl-P/Ctrl-N)
 * go through the lines entered before (`remember`, `LineHistory`); Tab asks the host to
 * complete the word before the cursor (`complete`) and otherwise types four spaces. Other
 * control keys and escape sequences are swallowed, never typed into the line. What Enter and
 * Ctrl-C do is the runtime's (`LineEditorHost`). Keys are read by `terminalKeys`.
 *
 * Pasting: the terminal is asked for bracketed paste (`PASTE_MODE_ON`, with the session's first
 * output, so a paste as the first key is marked too, and again with each prompt), so a paste
 * comes marked and goes into the line whole, its newlines rows of one cell, not Enters (its
 * last newline dropped: Enter runs it, as at bash). A terminal without bracketed paste sends a
 * paste as keys, each newline an Enter. In a line of several rows (a paste, a cell recalled
 * whole) Up and Down move between its rows once the person moved or edited in it; right after
 * a recall they go on through the history, so looking back through cells of many rows is one
 * key per cell. `dispatch attach` switches the mode off again when it leaves the session
 * (`TERMINAL_RESET`).
 *
 * Output the runtime writes while a line is half typed goes above it: the runtime wraps each
 * write in `hide()` and `show()`.
 */
import { LineBound, passesBound } from "./LineBound.js";
import { LineHistories, type LineHistory } from "./LineHistory.js";
import { LineView } from "./LineView.js";
import { completed } from "./lineCompletion.js";
import type { LineEditorHost } from "./lineEditorHost.js";
import { rowAbove, rowBelow, rowEnd, rowStart } from "./lineRows.js";
import { type EditKey, KeyReader } from "./terminalKeys.js";

export { PASTE_MODE_ON } from "./LineView.js";

export class LineEditor {
  /** Keys not handled yet: Enter and Tab may wait (on the kernel) before the next key. */
  private queue = "";
  private pumping = false;
  private readonly keys = new KeyReader();
  private readonly view: LineView;
  private readonly histories = new LineHistories();
  /** Who sent the latest keys (their id; "" when the hub did not say). */
  private typist = "";
  /** What is on the line was recalled and not moved in or edited since: Up and Down recall. */
  private recalled = false;
  private readonly bound: LineBound;
  /** The line is an `offer` no key has touched: not typed by anyone, `take` leaves it out. */
  private offered = false;

  constructor(private readonly host: LineEditorHost) {
    this.view = new LineView(host);
    this.bound = new LineBound(this.view, host);
  }

  /** Whether a line is on the screen, typed or only its prompt. */
  get active(): boolean {
    return this.view.active;
  }

  /**
   * Whether the next input continues keys already sent: some wait to be handled, or an escape
   * sequence or a bracketed paste is part read (a long paste comes in several inputs).
   */
  get midKeys(): boolean {
    // A line that outgrew its bound waits for its Enter, to be refused whole.
    return this.queue.length > 0 || this.keys.partial || this.bound.passed;
  }

  /** What is typed on the line. */
  get typed(): string {
    return this.view.chars.join("");
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

  /**
   * Puts `text` on the line for Enter to send again (a chat's message that was not answered),
   * as Up would bring it back; not over keys typed meanwhile. Whether it did.
   */
  offer(text: string): boolean {
    if (this.midKeys || this.typed !== "" || passesBound(0, text)) return false;
    const line = [...text];
    this.recalled = true;
    this.view.replace(line, line.length);
    this.offered = true;
    return true;
  }

  /** Shows the prompt before anything is typed (a program asked for a line). */
  open(): void {
    this.view.open();
  }

  /** Leaves the line on the screen as typed, and the cursor on the next row. */
  endLine(): void {
    if (this.view.active) this.host.echo(`${this.view.toEnd()}\r\n`);
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
    return this.view.hide();
  }

  /** After the runtime wrote: the half-typed line again, on a row of its own. */
  show(afterLineStart: boolean): string {
    return this.view.show(afterLineStart);
  }

  /**
   * Takes the line typed so far off the screen and out of the editor (a whole message sent in
   * one input goes after it).
   */
  take(): string {
    // A whole message sent from elsewhere (the web's box) replaces an offer: it was not typed.
    const text = this.offered ? "" : this.typed;
    this.view.takeOff();
    this.reset();
    return text;
  }

  /** Goes on typing on a new row (a continuation line): `text` is typed there already. */
  continueWith(text: string): void {
    this.view.continueWith(text);
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
        this.offered = false;
        if (typeof key === "object" && "text" in key) {
          run += key.text;
          continue;
        }
        if (run !== "") {
          this.bound.insert(run);
          run = "";
        }
        if (key !== "up" && key !== "down") this.recalled = false;
        if (typeof key === "object") {
          if ("paste" in key) this.paste(key.paste);
          else this.bound.pasteTooLong(key.pasteTooLong);
        } else if (key === "enter") {
          // "\r\n" from a client that sends both is one Enter.
          if (char === "\r" && this.queue.startsWith("\n")) this.queue = this.queue.slice(1);
          if (this.bound.passed) {
            this.bound.refuse();
            this.reset();
            continue;
          }
          if (!this.view.active) continue;
          this.host.echo(this.view.toEnd());
          this.history.reset();
          await this.host.enter(this.typed);
        } else if (key === "tab") await this.tab();
        else this.edit(key);
      }
      if (run !== "") this.bound.insert(run);
    } finally {
      this.pumping = false;
    }
  }

  private edit(key: Exclude<EditKey, "enter" | "tab">): void {
    const { chars, cursor } = this.view;
    switch (key) {
      case "interrupt":
        if (this.view.active) this.host.echo(`${this.view.toEnd()}^C\r\n`);
        this.reset();
        this.host.interrupt();
        return;
      case "backspace":
        return this.view.backspace();
      case "up":
      case "down": {
        const row = this.recalled
          ? undefined
          : key === "up"
            ? rowAbove(chars, cursor)
            : rowBelow(chars, cursor);
        if (row !== undefined) return this.view.moveTo(row);
        const recalled = key === "up" ? this.history.older(this.typed) : this.history.newer(this.typed);
        if (recalled === undefined) return;
        const line = [...recalled];
        this.recalled = true;
        return this.view.replace(line, line.length);
      }
    }
    if (!this.view.active) return;
    switch (key) {
      case "drop-line":
        this.bound.clear();
        return this.view.replace([], 0);
      case "cut-to-end":
        return this.view.cutToEnd();
      case "delete":
        return this.view.deleteForward();
      default:
        return this.view.moveTo(
          key === "left"
            ? Math.max(0, cursor - 1)
            : key === "right"
              ? Math.min(chars.length, cursor + 1)
              : key === "home"
                ? rowStart(chars, cursor)
                : rowEnd(chars, cursor),
        );
    }
  }

  /** A bracketed paste: typed as is, newlines and all, but for its last newline (Enter runs it). */
  private paste(text: string): void {
    const typed = text.replace(/\n+$/, "");
    if (typed !== "") this.bound.paste(typed);
  }

  /** Tab: completes the word before the cursor, or types four spaces where there is none. */
  private async tab(): Promise<void> {
    const { chars, cursor } = this.view;
    const beforeCursor = chars.slice(rowStart(chars, cursor), cursor).join("");
    const answer =
      this.host.complete && beforeCursor.trim() !== "" && !this.host.masked()
        ? await this.host.complete(this.typed, cursor).catch((err: unknown) => ({
            note: `no completions: ${err instanceof Error ? err.message : String(err)}`,
          }))
        : undefined;
    if (!answer) return this.bound.insert("    ");
    // The line went meanwhile (an `input()` prompt it was typed at ended): nothing to complete.
    if (!this.view.active) return;
    const done = completed(this.view.chars, this.view.cursor, answer, this.view.cols ?? 80);
    if (!done) return;
    this.view.replace(done.chars, done.cursor, done.list);
  }

  private reset(): void {
    this.offered = false;
    this.view.clear();
    this.histories.resetAll();
    this.recalled = false;
    this.bound.clear();
  }
}
