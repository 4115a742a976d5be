/**
 * A cell's `input()` at the terminal. While `dispatch eval` waits, a prompt of its own cell
 * (`input-request`) is read from this terminal (a password's typing unseen) and sent back as
 * `input {id, value}`; if someone else answers first, or the cell ends, the read is dropped.
 * With stdin not a terminal nothing can be typed: it says how to answer from elsewhere
 * (`dispatch input`, which answers an image's pending prompt from any shell).
 */
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
  /** Where a message to the user goes. */
  say(text: string): void;
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
    /** Whether lines can be read here: stdin is a terminal and did not carry the code. */
    private readonly interactive: boolean,
  ) {}

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
  }

  private ask(request: InputRequestData): void {
    if (!this.interactive) {
      this.answerer.say(
        `[dispatch: the cell waits for input${request.prompt ? ` (${JSON.stringify(request.prompt)})` : ""}, ` +
          `but stdin is not a terminal: answer it from any shell with \`dispatch input ${this.image} TEXT\`, ` +
          `or Ctrl-C to interrupt the cell]\n`,
      );
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
