/**
 * A cell's `input()` at the terminal. While `dispatch eval` waits, a prompt of its own cell
 * (`input-request`) is read from this terminal (a password's typing unseen) and sent back as
 * `input {id, value}`; if someone else answers first, or the cell ends, the read is dropped.
 * With stdin a pipe or a file (and the code given as an argument), each prompt takes its next
 * line, as `echo Bob | python3 -c 'print(input())'` does; once they run out the cell is
 * interrupted, as `input()` fails at the end of a pipe. With the code read from stdin, or stdin
 * `/dev/null`, nothing is there to answer with: it says how to answer from elsewhere
 * (`dispatch input`, which answers an image's pending prompt from any shell).
 */
import { fstatSync } from "node:fs";
import { createInterface, type Interface } from "node:readline";
import { Writable } from "node:stream";
import { DispatchError } from "../../core/errors.js";
import { isLiveStatus } from "../../core/liveness.js";
import { reviveAdvice } from "../../kinds/reviveAdvice.js";
import { workspaceKind } from "../../kinds/workspace/index.js";
import type { JsonEvent } from "../../protocol/events.js";
import { InputEndData, InputRequestData } from "../../protocol/workspace/events.js";
import { UsageError } from "../exitCodes.js";
import { HubClient } from "../HubClient.js";
import { imageArguments } from "../imageContext.js";
import { statusText } from "../sessionTable.js";

export interface PromptAnswerer {
  /** Sends `input {id, value}` for the session. */
  answer(id: string, value: string): Promise<void>;
  /** Ctrl-C while reading: what Ctrl-C does while the cell runs. */
  interrupt(): void;
  /** stdin ended at a prompt: interrupt the cell, else leave it running at its prompt. */
  inputEnded(): void;
  /** Where a message to the user goes. */
  say(text: string): void;
}

/**
 * Where a prompt's answer comes from: typed at this terminal, the next line of stdin (a pipe
 * or a file), or nowhere here (stdin carried the code, or is `/dev/null`).
 */
export type PromptSource = "terminal" | "piped" | "none";

/**
 * Where this process's stdin can answer prompts from: a terminal, lines of a pipe, a file or a
 * socket; nothing from another device (`/dev/null`, as a script's background job gets), so a
 * prompt there waits for `dispatch input` from another shell.
 */
export function promptSource(): PromptSource {
  if (process.stdin.isTTY) return "terminal";
  try {
    const stdin = fstatSync(0);
    return stdin.isFIFO() || stdin.isFile() || stdin.isSocket() ? "piped" : "none";
  } catch {
    return "none";
  }
}

/** Reads the prompts of one evaluation (`evalId`, once its `eval-start` is seen). */
export class TerminalPrompts {
  private evalId: string | undefined;
  private reading: { id: string; line: Interface; prompt: string; password: boolean } | undefined;
  /** Prompts seen before this evaluation's `eval-start`, of any evaluation. */
  private early: InputRequestData[] = [];

  constructor(
    private readonly image: string,
    private readonly answerer: PromptAnswerer,
    private readonly source: PromptSource,
  ) {}

  /** stdin's lines not yet given to a prompt, once a prompt asked for one (`source` piped). */
  private piped: PipedLines | undefined;
  /** The prompt waiting for stdin's next line. */
  private pipedFor: string | undefined;

  /** Its evaluation's id, once known; a prompt of it seen before is asked now. */
  ours(id: string): void {
    this.evalId = id;
    const early = this.early.filter((request) => request.eval === id);
    this.early = [];
    for (const request of early) this.ask(request);
  }

  event(event: JsonEvent): void {
    if (event.type === "input-request") {
      const request = InputRequestData.safeParse(event.data);
      if (!request.success || request.data.eval === null) return;
      if (request.data.eval === this.evalId) this.ask(request.data);
      // A host that wrote the prompt before the evaluation's start (stdin raced iopub).
      else if (this.evalId === undefined) this.early.push(request.data);
      return;
    }
    if (event.type === "input-end") {
      const end = InputEndData.safeParse(event.data);
      if (end.success) this.early = this.early.filter((request) => request.id !== end.data.id);
      if (end.success && this.pipedFor === end.data.id) this.pipedFor = undefined;
      if (end.success && this.reading?.id === end.data.id) {
        const { line } = this.reading;
        this.reading = undefined;
        line.close();
        this.answerer.say(
          end.data.status === "answered"
            ? "\n[dispatch: the prompt was answered elsewhere]\n"
            : `\n[dispatch: the prompt was cancelled${end.data.reason ? `: ${end.data.reason}` : ""}]\n`,
        );
      }
    }
  }

  /**
   * Writes the prompt being read again, on a line of its own: after Ctrl-C at it did not stop
   * the cell (a xeus kernel refuses), the messages since took it off the line typed on.
   */
  prompt(): void {
    const reading = this.reading;
    if (!reading) return;
    if (reading.password) process.stdout.write(reading.prompt);
    else reading.line.prompt();
  }

  /** Stops reading (the evaluation is over). */
  dispose(): void {
    this.reading?.line.close();
    this.reading = undefined;
    // Closing stdin ends a wait for its next line: not a prompt left unanswered any more.
    this.pipedFor = undefined;
    this.piped?.close();
  }

  private ask(request: InputRequestData): void {
    if (this.source === "piped") {
      this.answerFromPipe(request);
      return;
    }
    if (this.source === "none") {
      this.cannotAnswer(request);
      return;
    }
    this.reading?.line.close();
    // A password's typing goes nowhere; the prompt itself is written as is.
    const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
    const line = createInterface({
      input: process.stdin,
      output: request.password ? muted : process.stdout,
      terminal: true,
    });
    this.reading = { id: request.id, line, prompt: request.prompt, password: request.password };
    line.on("SIGINT", () => this.answerer.interrupt());
    line.once("line", (value) => {
      if (this.reading?.line !== line) return;
      this.reading = undefined;
      line.close();
      if (request.password) process.stdout.write("\n");
      this.answerer
        .answer(request.id, value)
        .catch((err: unknown) =>
          this.answerer.say(`[dispatch: could not answer the prompt: ${(err as Error).message}]\n`),
        );
    });
    if (request.password) {
      process.stdout.write(request.prompt);
      return;
    }
    line.setPrompt(request.prompt);
    line.prompt();
  }

  /** The prompt takes stdin's next line; with none left, the cell is interrupted. */
  private answerFromPipe(request: InputRequestData): void {
    this.piped ??= new PipedLines();
    const piped = this.piped;
    this.pipedFor = request.id;
    piped.next().then((value) => {
      // Answered elsewhere or cancelled meanwhile: the line is the next prompt's.
      if (this.pipedFor !== request.id) return value === undefined ? undefined : piped.putBack(value);
      this.pipedFor = undefined;
      if (value === undefined) {
        // Nobody types into a pipe: waiting would hang a script. The cell fails, as `input()`
        // at the end of a pipe does.
        this.answerer.say(
          `[dispatch: stdin ended before the cell's prompt${request.prompt ? ` (${JSON.stringify(request.prompt)})` : ""} was answered]`,
        );
        return this.answerer.inputEnded();
      }
      // Shown as a program reading a pipe shows it: the prompt, not the line it read.
      if (process.stdout.isTTY && !request.password) process.stdout.write(request.prompt);
      this.answerer
        .answer(request.id, value)
        .catch((err: unknown) =>
          this.answerer.say(`[dispatch: could not answer the prompt: ${(err as Error).message}]\n`),
        );
    });
  }

  private cannotAnswer(request: InputRequestData): void {
    this.answerer.say(
      `[dispatch: the cell waits for input${request.prompt ? ` (${JSON.stringify(request.prompt)})` : ""}, ` +
        `but stdin is not a terminal: answer it from any shell with \`dispatch input ${this.image} TEXT\`, ` +
        `or Ctrl-C to interrupt the cell]\n`,
    );
  }
}

/** stdin's lines, one per call, in order; undefined once it has ended. */
class PipedLines {
  private readonly lines: string[] = [];
  private readonly waiting: ((line: string | undefined) => void)[] = [];
  private ended = false;
  private readonly reader: Interface;

  constructor() {
    const reader = createInterface({
      input: process.stdin,
      terminal: false,
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    reader.on("line", (line) => {
      const waiter = this.waiting.shift();
      if (waiter) waiter(line);
      else this.lines.push(line);
    });
    reader.on("close", () => {
      this.ended = true;
      for (const waiter of this.waiting.splice(0)) waiter(undefined);
    });
    this.reader = reader;
  }

  putBack(line: string): void {
    this.lines.unshift(line);
  }

  /** Stops reading stdin, so that a pipe left open does not keep the process. */
  close(): void {
    this.reader.close();
  }

  next(): Promise<string | undefined> {
    const line = this.lines.shift();
    if (line !== undefined || this.ended) return Promise.resolve(line);
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

/** `dispatch input [NAME] [TEXT]`: answers the image's pending prompt (TEXT, else stdin's first line). */
export async function answerInput(first: string | undefined, second: string | undefined): Promise<void> {
  const client = HubClient.locate();
  const { image, rest } = await imageArguments(client, { first, second, verb: "input" });
  const session = await client.getSession(image);
  // An ended image has no cell at all: say that and how to go on, not "no cell is waiting".
  if (!isLiveStatus(session.status))
    throw new DispatchError(
      "session_exited",
      `image '${session.name}' has ${statusText(session)}, so no cell can wait for input; ${reviveAdvice(session.name, workspaceKind.revivedAs)}`,
    );
  const pending = InputRequestData.nullable()
    .catch(null)
    .parse((session.options as Record<string, unknown> | undefined)?.input ?? null);
  if (!pending)
    throw new DispatchError(
      "conflict",
      `no cell in '${session.name}' is waiting for input; \`dispatch transcript ${session.name}\` shows what it did`,
    );
  const value = rest ?? (process.stdin.isTTY ? undefined : await firstLine());
  if (value === undefined)
    throw new UsageError(
      `input: give the line to send, e.g. \`dispatch input ${session.name} TEXT\` (or pipe it on stdin)`,
    );
  await client.command(session.id, "input", { id: pending.id, value });
}

async function firstLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return (Buffer.concat(chunks).toString("utf8").split(/\r?\n/)[0] ?? "").replace(/\r$/, "");
}
