/**
 * The workspace's transcript: what the session writes as `output` bytes, a readable In/Out
 * record (`jupyter/outputs.ts` renders each step), so `dispatch logs`, terminal clients and
 * previews show what the kernel did without reading the kind's events.
 */
import type { EvalOutput } from "../../../protocol/workspace/events.js";
import { render } from "../jupyter/outputs.js";
import type { RuntimeEvents } from "../runtime.js";
import type { Console } from "./Console.js";

export class Transcript {
  /** The line a terminal client is typing, kept below whatever is written (`Console`). */
  private console: Console | undefined;
  private lineStart = true;
  private writes = 0;
  /** Code typed at the console and sent, with the writes then: its echo already shows it. */
  private typed: { code: string; writes: number } | undefined;

  constructor(private readonly events: RuntimeEvents) {}

  /** Keeps `console`'s half-typed line below everything written from now on. */
  below(console: Console): void {
    this.console = console;
  }

  /** Whether the last write ended its line. */
  get atLineStart(): boolean {
    return this.lineStart;
  }

  /** The console's own echo, written as is. */
  echo(text: string): void {
    this.emit(text);
  }

  /** `code` was typed at the console and is to run: its echo stands for its `In:` if it starts next. */
  typedCell(code: string): void {
    this.typed = { code, writes: this.writes };
  }

  /** A line from dispatch itself (the kernel started, a replay ran, why it ended). */
  note(text: string): void {
    this.write(this.ownLine(render.note(text)));
  }

  /** An evaluation's code, as it starts; `origin` other than `client` is marked. */
  input(code: string, origin: string): void {
    this.console?.cellStarted(code);
    const typed = this.typed;
    this.typed = undefined;
    if (typed && typed.code === code && typed.writes === this.writes) return;
    this.write(render.input(code, origin));
  }

  output(output: EvalOutput, count: number | null): void {
    this.write(render.output(output, count));
  }

  truncated(bytes: number): void {
    this.write(this.ownLine(render.truncated(bytes)));
  }

  /** A line of dispatch's on a line of its own: a cut output ends mid-line, and the note read as part of it. */
  private ownLine(text: string): string {
    return this.lineStart ? text : `\r\n${text}`;
  }

  /** What the kernel's process printed outside the protocol (its own stdout and stderr). */
  process(text: string): void {
    this.write(text.replace(/\r?\n/g, "\r\n"));
  }

  private write(text: string): void {
    if (text.length === 0) return;
    this.writes++;
    const console = this.console;
    if (!console) {
      this.emit(text);
      return;
    }
    // Where the text ended decides where the half-typed line goes back; that line itself is
    // over only with the newline its Enter or Ctrl-C writes.
    const ends = text.endsWith("\n");
    this.emit(`${console.hide()}${text}${console.show(ends)}`, ends);
  }

  private emit(text: string, lineStart = text.endsWith("\n")): void {
    if (text.length === 0) return;
    this.lineStart = lineStart;
    this.events.output(Buffer.from(text, "utf8"));
  }
}
