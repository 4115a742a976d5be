/**
 * What a terminal client attached to a workspace types (`dispatch attach`, the picker): a REPL
 * on the host's `LineEditor`, so every attached client sees the same line.
 *
 * - Typed code echoes after `In: `; while a cell waits in `input()`, its prompt shows at once and
 *   the line answers it (nothing echoed for a password).
 * - Enter runs the code when the kernel says it is complete (`is_complete_request`: a `for`
 *   line waits for its body, as in IPython) and otherwise starts a continuation line with the
 *   indent the kernel suggests; an empty continuation line ends the block.
 * - A paste (bracketed: the terminal marks it) goes into the line whole, newlines and all, and
 *   Enter runs it as one cell; Up and Down move between its rows (`LineEditor`).
 * - Ctrl-C drops what was typed and interrupts whatever runs.
 * - A cell is sent by whoever sent the keys handled last when Enter came (as a chat's line
 *   is), so that a cell waiting behind another says whose it is.
 * - Up and Down bring back the cells run before, from this console or any other client (the
 *   web, `dispatch eval`), a cell of several lines whole; Tab completes the name before the
 *   cursor as the kernel says (`complete_request`), and types an indent where there is none.
 */
import type { Caller } from "../../../protocol/people.js";
import { INPUT_MARK } from "../jupyter/outputs.js";
import { LineEditor } from "../LineEditor.js";
import type { CompletionAnswer } from "../lineCompletion.js";
import type { Completeness } from "./kernelQueries.js";

export interface ConsoleActions {
  /** Writes to the session's output as is. */
  echo(text: string): void;
  /** Whether the session's output ends its line. */
  atLineStart(): boolean;
  /** Runs typed code as a cell, sent by `by` when the hub said who typed it. */
  evaluate(code: string, by: Caller | undefined): void;
  /** The pending `input()` prompt the next line answers, if any. */
  pendingPrompt(): { prompt: string; password: boolean } | undefined;
  /** Answers the pending prompt with the line. */
  answer(line: string): void;
  interrupt(): void;
  /** Whether `code` is a whole cell, as the kernel judges (or guesses when it cannot answer). */
  completeness(code: string): Promise<Completeness>;
  /** What completes the name at `cursor` (in characters) of `code`, as the kernel says. */
  complete(code: string, cursor: number): Promise<CompletionAnswer>;
  /** The terminal's width, when a client gave one. */
  cols(): number | undefined;
}

/** Typed code echoes as its cell will show in the transcript, so the echo can stand for it. */
const IN = `${INPUT_MARK} `;
const MORE = "\x1b[2m...\x1b[0m ";
/** Bound on cells typed and not started (one withdrawn before it started never starts). */
const MAX_SENT = 100;

export class Console {
  /** The lines of the cell typed so far, before the one being typed. */
  private lines: string[] = [];
  /**
   * Cells typed here and sent, not started yet: already in the history (Up brings a cell back
   * at once, even while it waits behind another), so not added again when it starts.
   */
  private readonly sent: string[] = [];
  private readonly editor: LineEditor;
  /** Who sent the keys given last (undefined: the hub did not say). */
  private typist: Caller | undefined;

  constructor(private readonly actions: ConsoleActions) {
    this.editor = new LineEditor({
      echo: (text) => actions.echo(text),
      atLineStart: () => actions.atLineStart(),
      prompt: () => this.prompt(),
      continuation: () => MORE,
      masked: () => this.lines.length === 0 && actions.pendingPrompt()?.password === true,
      enter: (line) => this.enter(line),
      interrupt: () => {
        this.lines = [];
        actions.interrupt();
      },
      cols: () => actions.cols(),
      complete: (line, cursor) => this.complete(line, cursor),
    });
  }

  /** Keys from a client, sent by `by` when the hub said. */
  type(data: string, by?: Caller): void {
    this.typist = by;
    this.editor.type(data);
  }

  hide(): string {
    return this.editor.hide();
  }

  show(afterLineStart: boolean): string {
    return this.editor.show(afterLineStart);
  }

  /**
   * An `input()` prompt became pending or ended: a new one shows at once, as at a terminal; one
   * that ended elsewhere (answered by another client, cancelled) goes if nothing was typed on it.
   */
  promptsChanged(): void {
    if (this.lines.length > 0) return;
    if (this.actions.pendingPrompt()) this.editor.open();
    else if (this.editor.active && this.editor.typed === "") this.editor.take();
  }

  /** A cell started (from any client): Up brings it back. */
  cellStarted(code: string): void {
    const index = this.sent.indexOf(code);
    if (index >= 0) this.sent.splice(index, 1);
    else this.editor.remember(code.replace(/\s+$/, ""));
  }

  private async complete(line: string, cursor: number): Promise<CompletionAnswer | undefined> {
    // A line answering `input()` is no code: Tab types spaces there.
    if (this.lines.length === 0 && this.actions.pendingPrompt()) return undefined;
    const before = this.lines.map((typed) => `${typed}\n`).join("");
    const offset = [...before].length;
    const answer = await this.actions.complete(before + line, offset + cursor);
    if ("note" in answer) return answer;
    // A completion reaching back into a line entered already cannot be typed on this one.
    if (answer.start < offset) return { start: cursor, end: cursor, matches: [] };
    return { ...answer, start: answer.start - offset, end: answer.end - offset };
  }

  private async enter(line: string): Promise<void> {
    // Before the kernel is asked whether the cell is whole: keys from someone else may come meanwhile.
    const by = this.typist;
    if (this.lines.length === 0 && this.actions.pendingPrompt()) {
      this.editor.endLine();
      this.actions.answer(line);
      return;
    }
    const code = [...this.lines, line].join("\n");
    // An empty continuation line ends the block, as in Python's REPL and IPython.
    const ends = this.lines.length > 0 && line.trim() === "";
    // A line of several rows (pasted, recalled whole) is judged with its last row ended, as a
    // block typed row by row is after its last Enter: a whole block runs at once.
    const judged = line.includes("\n") ? `${code}\n` : code;
    const { status, indent } = ends
      ? { status: "complete", indent: "" }
      : await this.actions.completeness(judged);
    if (status === "incomplete") {
      this.lines.push(line);
      this.editor.continueWith(indent);
      return;
    }
    this.lines = [];
    this.editor.endLine();
    if (code.trim() === "") return;
    const cell = code.replace(/\s+$/, "");
    this.editor.remember(cell);
    this.sent.push(cell);
    if (this.sent.length > MAX_SENT) this.sent.shift();
    this.actions.evaluate(cell, by);
  }

  private prompt(): string {
    if (this.lines.length > 0) return MORE;
    return this.actions.pendingPrompt()?.prompt ?? IN;
  }
}
