/**
 * What a terminal client attached to a workspace types (`dispatch attach`, the picker): a line
 * editor like a REPL's. It lives on the host, not in each client, so every attached client sees
 * the same line, and one attaching later finds it on the screen: its echo is the session's
 * output, as a shell's is.
 *
 * - Typed characters echo after an `In: ` prompt (a pending `input()` prompt's own text
 *   instead, nothing echoed for a password); Backspace and Ctrl-U edit; other keys' escape
 *   sequences (arrows, function keys) are swallowed, never typed into code.
 * - Enter runs the code when the kernel says it is complete (`is_complete_request`: a `for`
 *   line waits for its body, as in IPython) and otherwise starts a continuation line with the
 *   indent the kernel suggests; an empty continuation line ends the block. Enter answers a
 *   pending `input()` prompt instead when there is one.
 * - Ctrl-C drops what was typed and interrupts whatever runs.
 * - Output arriving while a line is half typed (another client's cell, a background thread)
 *   is written above it: the transcript asks `hide` and `show` around each write.
 */
import type { Completeness } from "./kernelQueries.js";

export interface ConsoleActions {
  /** Writes the console's own echo (never wrapped in `hide`/`show`). */
  echo(text: string): void;
  /** Whether the transcript's last write ended its line. */
  atLineStart(): boolean;
  /** Runs typed code as a cell. */
  evaluate(code: string): void;
  /** The pending `input()` prompt the next line answers, if any. */
  pendingPrompt(): { prompt: string; password: boolean } | undefined;
  /** Answers the pending prompt with the line. */
  answer(line: string): void;
  interrupt(): void;
  /** Whether `code` is a whole cell, as the kernel judges (or guesses when it cannot answer). */
  completeness(code: string): Promise<Completeness>;
}

const GREEN = "\x1b[32m";
const DIM = "\x1b[2m";
const RESET = "\x1b[0m";
const ERASE_ROW = "\r\x1b[K";

export class Console {
  /** The lines of the cell typed so far, before the one being typed. */
  private lines: string[] = [];
  private line = "";
  /** Whether a prompt and the line are on the screen (from the first key to Enter). */
  private shown = false;
  /** Keys not handled yet: Enter waits for the kernel's answer before the next key. */
  private queue = "";
  private pumping = false;
  /** An escape sequence being swallowed, split across inputs: what came of it so far. */
  private escape = "";

  constructor(private readonly actions: ConsoleActions) {}

  /** Keys from a client. */
  type(data: string): void {
    this.queue += data;
    if (!this.pumping) void this.pump();
  }

  /** Before the transcript writes: takes the half-typed line off its row. */
  hide(): string {
    return this.shown ? ERASE_ROW : "";
  }

  /** After the transcript wrote: the half-typed line again, on a row of its own. */
  show(afterLineStart: boolean): string {
    if (!this.shown) return "";
    return `${afterLineStart ? "" : "\r\n"}${this.prompt()}${this.visible(this.line)}`;
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
          await this.enter();
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
    } else if (e[1] === "O") {
      if (e.length > 2) this.escape = "";
    } else this.escape = "";
  }

  private key(char: string): void {
    switch (char) {
      case "\x03":
        if (this.shown) this.actions.echo(`^C\r\n`);
        this.reset();
        this.actions.interrupt();
        return;
      case "\x7f":
      case "\b": {
        if (!this.shown || this.line.length === 0) return;
        const chars = [...this.line];
        chars.pop();
        this.line = chars.join("");
        if (!this.password()) this.actions.echo("\b \b");
        return;
      }
      case "\x15":
        if (!this.shown) return;
        this.line = "";
        this.actions.echo(`${ERASE_ROW}${this.prompt()}`);
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
    if (!this.shown) this.draw();
    this.line += text;
    this.actions.echo(this.visible(text));
  }

  /** The prompt, on a row of its own. */
  private draw(): void {
    this.shown = true;
    this.actions.echo(`${this.actions.atLineStart() ? "" : "\r\n"}${this.prompt()}`);
  }

  private async enter(): Promise<void> {
    if (!this.shown) return;
    const pending = this.actions.pendingPrompt();
    if (pending && this.lines.length === 0) {
      const line = this.line;
      this.actions.echo("\r\n");
      this.reset();
      this.actions.answer(line);
      return;
    }
    const code = [...this.lines, this.line].join("\n");
    // An empty continuation line ends the block, as in Python's REPL and IPython.
    const ends = this.lines.length > 0 && this.line.trim() === "";
    const { status, indent } = ends
      ? { status: "complete", indent: "" }
      : await this.actions.completeness(code);
    if (status === "incomplete") {
      this.lines.push(this.line);
      this.line = indent;
      this.actions.echo(`\r\n${this.prompt()}${indent}`);
      return;
    }
    this.actions.echo("\r\n");
    this.reset();
    if (code.trim() !== "") this.actions.evaluate(code.replace(/\s+$/, ""));
  }

  private reset(): void {
    this.lines = [];
    this.line = "";
    this.shown = false;
  }

  private prompt(): string {
    if (this.lines.length > 0) return `${DIM}...${RESET} `;
    const pending = this.actions.pendingPrompt();
    if (pending) return pending.prompt;
    return `${GREEN}In:${RESET} `;
  }

  private password(): boolean {
    return this.lines.length === 0 && this.actions.pendingPrompt()?.password === true;
  }

  private visible(text: string): string {
    return this.password() ? "" : text;
  }
}
