/**
 * A line typed at a terminal client into a runtime that is not a program with a terminal of
 * its own (a workspace's kernel, a chat): echoed after a prompt as the session's output, as a
 * shell's line is, so every attached client sees the same half-typed line and one attaching
 * later finds it. Backspace and Ctrl-U edit; Tab types four spaces; other control keys and
 * escape sequences (arrows, function keys) are swallowed, never typed into the line. What Enter
 * and Ctrl-C do is the runtime's (`LineEditorHost`).
 *
 * Output the runtime writes while a line is half typed goes above it: the runtime wraps each
 * write in `hide()` and `show()`.
 */

export interface LineEditorHost {
  /** Writes to the session's output as is. */
  echo(text: string): void;
  /** Whether the session's output ends its line (the prompt then needs no new row). */
  atLineStart(): boolean;
  /** The prompt before the line being typed; it may change between lines. */
  prompt(): string;
  /** Whether what is typed stays unseen (a password). */
  masked(): boolean;
  /**
   * Enter was pressed on `line`; the next key waits for it. It ends the line with `endLine`,
   * `take` or `continueWith`.
   */
  enter(line: string): void | Promise<void>;
  /** Ctrl-C (the line already dropped, `^C` written when one was shown). */
  interrupt(): void;
  /** The terminal's width when the session has one: a line wrapped over rows is erased whole. */
  cols?(): number | undefined;
}

const ERASE_ROW = "\r\x1b[K";
/** Bound on a line, so a stuck client cannot grow it without end. */
const MAX_LINE_CHARS = 1024 * 1024;
/** SGR and other CSI sequences in a prompt take no columns. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what it matches.
const CSI = /\x1b\[[0-9;?]*[@-~]/g;

export class LineEditor {
  private text = "";
  /** Whether the prompt and the line are on the screen (from the first key to Enter). */
  private shown = false;
  /** Keys not handled yet: Enter may wait (on the kernel) before the next key. */
  private queue = "";
  private pumping = false;
  /** An escape sequence being swallowed, split across inputs: what came of it so far. */
  private escape = "";

  constructor(private readonly host: LineEditorHost) {}

  /** Whether a line is on the screen, typed or only its prompt. */
  get active(): boolean {
    return this.shown;
  }

  /** What is typed on the line. */
  get typed(): string {
    return this.text;
  }

  /** Shows the prompt before anything is typed (a program asked for a line). */
  open(): void {
    if (this.shown) return;
    this.shown = true;
    this.host.echo(`${this.host.atLineStart() ? "" : "\r\n"}${this.host.prompt()}`);
  }

  /** Leaves the line on the screen as typed, and the cursor on the next row. */
  endLine(): void {
    if (this.shown) this.host.echo("\r\n");
    this.reset();
  }

  /** Keys from a client. */
  type(data: string): void {
    this.queue += data;
    if (!this.pumping) void this.pump();
  }

  /** Before the runtime writes: takes the half-typed line off the screen. */
  hide(): string {
    return this.shown ? this.erase() : "";
  }

  /** After the runtime wrote: the half-typed line again, on a row of its own. */
  show(afterLineStart: boolean): string {
    if (!this.shown) return "";
    return `${afterLineStart ? "" : "\r\n"}${this.host.prompt()}${this.visible(this.text)}`;
  }

  /**
   * Takes the line typed so far off the screen and out of the editor (a whole message sent in
   * one input goes after it).
   */
  take(): string {
    const text = this.text;
    if (this.shown) this.host.echo(this.erase());
    this.reset();
    return text;
  }

  /** Goes on typing on a new row (a continuation line): `text` is typed there already. */
  continueWith(text: string): void {
    this.text = text;
    this.shown = true;
    this.host.echo(`\r\n${this.host.prompt()}${this.visible(text)}`);
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const [char] = this.queue;
        if (char === undefined) break;
        this.queue = this.queue.slice(char.length);
        if (this.escape || char === "\x1b") {
          this.swallow(char);
          continue;
        }
        if (char === "\r" || char === "\n") {
          // "\r\n" from a client that sends both is one Enter.
          if (char === "\r" && this.queue.startsWith("\n")) this.queue = this.queue.slice(1);
          if (this.shown) await this.host.enter(this.text);
        } else this.key(char);
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Swallows an escape sequence: ESC [ params final, ESC O x, or ESC and one character. */
  private swallow(char: string): void {
    this.escape += char;
    const e = this.escape;
    if (e.length < 2) return;
    if (e[1] === "[") {
      if (e.length > 2 && /[\x40-\x7e]/.test(char)) this.escape = "";
    } else if (e[1] !== "O" || e.length > 2) this.escape = "";
  }

  private key(char: string): void {
    switch (char) {
      case "\x03":
        if (this.shown) this.host.echo("^C\r\n");
        this.reset();
        this.host.interrupt();
        return;
      case "\x7f":
      case "\b": {
        if (!this.shown || this.text.length === 0) return;
        const chars = [...this.text];
        chars.pop();
        this.text = chars.join("");
        if (!this.host.masked()) this.host.echo("\b \b");
        return;
      }
      case "\x15":
        if (!this.shown) return;
        this.host.echo(`${this.erase()}${this.host.prompt()}`);
        this.text = "";
        return;
      case "\t":
        this.insert("    ");
        return;
      default:
        // Other control characters (Ctrl-D, Ctrl-L, …) mean nothing here.
        if (char < " ") return;
        this.insert(char);
    }
  }

  private insert(text: string): void {
    if (this.text.length + text.length > MAX_LINE_CHARS) return;
    this.open();
    this.text += text;
    this.host.echo(this.visible(text));
  }

  /** Erases the rows the prompt and line take, leaving the cursor where the prompt began. */
  private erase(): string {
    const cols = this.host.cols?.();
    const width = this.host.prompt().replace(CSI, "").length + [...this.visible(this.text)].length;
    // A line exactly as wide as the terminal leaves the cursor on its last column, not below.
    const rows = cols && cols > 0 ? Math.max(1, Math.ceil(width / cols)) : 1;
    return rows > 1 ? `\r\x1b[${rows - 1}A\x1b[J` : ERASE_ROW;
  }

  private reset(): void {
    this.text = "";
    this.shown = false;
  }

  private visible(text: string): string {
    return this.host.masked() ? "" : text;
  }
}
