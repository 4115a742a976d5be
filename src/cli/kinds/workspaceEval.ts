/**
 * `dispatch eval [NAME] [CODE] [--mode M] [--json]`: one evaluation in a workspace, as long as
 * its code runs. It goes over the WebSocket, where no HTTP deadline applies (a notebook cell may
 * take minutes; the hub fails it only when the session ends or its host is lost). Ctrl-C
 * interrupts the cell (the kernel's interrupt), prints what it had printed, and exits 130; a
 * cell still waiting behind another client's is withdrawn instead, and that one runs on (while
 * it waits, it says so and behind what: `workspaceWait.ts`). A
 * second Ctrl-C leaves it running. At a terminal the outputs print as the kernel sends them,
 * and a prompt of the cell's `input()` is read from it (`workspaceInput.ts`).
 * How its outputs print as text: `workspaceOutput.ts`.
 */
import { randomUUID } from "node:crypto";
import { DispatchError } from "../../core/errors.js";
import { reviveAdvice } from "../../kinds/reviveAdvice.js";
import { workspaceKind } from "../../kinds/workspace/index.js";
import { MAX_CLIENT_MESSAGE_BYTES } from "../../protocol/client.js";
import type { JsonEvent } from "../../protocol/events.js";
import type { SessionInfo } from "../../protocol/session.js";
import { EvalResult } from "../../protocol/workspace/commands.js";
import {
  EvalEndData,
  EvalMode,
  type EvalOutput,
  EvalOutputData,
  EvalStartData,
  incompleteText,
} from "../../protocol/workspace/events.js";
import type { ClientSocket } from "../ClientSocket.js";
import { errorMessage, UsageError } from "../exitCodes.js";
import { HubClient } from "../HubClient.js";
import { imageArguments } from "../imageContext.js";
import { SessionStream } from "../SessionStream.js";
import { type PromptSource, promptSource, TerminalPrompts } from "./workspaceInput.js";
import { inspectedText, newLineIfMid, printOutput, write } from "./workspaceOutput.js";
import { QueueWait } from "./workspaceWait.js";

/** What a shell reports for a command that Ctrl-C ended (128 + SIGINT). */
const EXIT_INTERRUPTED = 130;

export async function evaluate(
  first: string | undefined,
  second: string | undefined,
  options: { mode: string; json?: boolean },
): Promise<void> {
  const mode = EvalMode.safeParse(options.mode);
  if (!mode.success) throw new UsageError(`invalid --mode '${options.mode}': use do, print or inspect`);
  const client = HubClient.locate();
  const { image, rest: code } = await imageArguments(client, { first, second, verb: "eval" });
  // Names this evaluation, so that Ctrl-C stops it and not another client's cell.
  // Code read from stdin leaves nothing there to answer a prompt with.
  const prompts: PromptSource = code === undefined ? "none" : promptSource();
  const args = { code: code ?? (await readStdin()), mode: mode.data, ref: randomUUID() };
  const bytes = Buffer.byteLength(JSON.stringify(args));
  if (bytes > MAX_CLIENT_MESSAGE_BYTES - 512)
    throw new UsageError(
      `the code is ${bytes} bytes, over the ${MAX_CLIENT_MESSAGE_BYTES} an evaluation may send; run it from a file in the kernel (exec(open('script.py').read()))`,
    );
  const session = await client.getSession(image);
  // Streamed only for a person at a terminal: see `LiveOutputs`.
  const live = process.stdout.isTTY && !options.json ? new LiveOutputs(args) : undefined;
  const outcome = await runEvaluation({ client, session, args, live, prompts });
  if (outcome.type === "left") {
    await write(
      process.stderr,
      `[dispatch: left the cell running; \`dispatch transcript ${session.name} --follow\` shows the rest]\n`,
    );
    process.exitCode = EXIT_INTERRUPTED;
    return;
  }
  const { result } = outcome;
  if (options.json) await write(process.stdout, `${JSON.stringify(result, null, 2)}\n`);
  else {
    for (const output of live ? await live.rest(result) : result.outputs)
      await printOutput(output, args.mode);
    if (result.inspected) await write(process.stdout, inspectedText(result.inspected));
    if (result.truncatedBytes > 0)
      await write(
        process.stderr,
        `${newLineIfMid()}[${result.truncatedBytes} bytes of output dropped: over the bound per evaluation]\n`,
      );
    if (result.incomplete)
      await write(
        process.stderr,
        `${newLineIfMid()}[dispatch: ${incompleteText(result.incomplete, "this cell")}]\n`,
      );
  }
  // A cell that finished before the interrupt reached it reports as usual.
  if (outcome.interrupted && result.status === "aborted" && result.error?.ename === "Cancelled") {
    await write(process.stderr, "[dispatch: cancelled the evaluation before it started; it did not run]\n");
    process.exitCode = EXIT_INTERRUPTED;
    return;
  }
  if (outcome.interrupted && result.status !== "ok") {
    await write(process.stderr, "[dispatch: interrupted the cell]\n");
    process.exitCode = EXIT_INTERRUPTED;
    return;
  }
  if (result.status !== "ok") {
    if (result.status === "aborted")
      await write(
        process.stderr,
        `evaluation aborted${result.error ? `: ${result.error.evalue}` : ""}${whatNow(session, result)}\n`,
      );
    process.exitCode = 1;
  }
}

/**
 * What to do after an evaluation its kernel's end aborted (`KernelLost`: the image has ended;
 * a restart's `KernelRestarted` leaves a fresh kernel running, and nothing to say).
 */
function whatNow(session: SessionInfo, result: EvalResult): string {
  if (result.error?.ename !== "KernelLost" || /\brevive\b/.test(result.error.evalue)) return "";
  return `; ${reviveAdvice(session.name, workspaceKind.revivedAs)}`;
}

type Outcome = { type: "answered"; result: EvalResult; interrupted: boolean } | { type: "left" };

interface Evaluation {
  client: HubClient;
  session: SessionInfo;
  args: { code: string; mode: EvalMode; ref: string };
  live: LiveOutputs | undefined;
  /** Where an answer to the cell's `input()` comes from. */
  prompts: PromptSource;
}

/** Sends the evaluation and waits for its answer; Ctrl-C interrupts it, a second one leaves. */
async function runEvaluation(evaluation: Evaluation): Promise<Outcome> {
  const { client, session, args, live } = evaluation;
  const socket = await client.connect("dispatch-eval");
  let interrupted = false;
  let leave = () => {};
  const left = new Promise<Outcome>((resolve) => {
    leave = () => resolve({ type: "left" });
  });
  const wait = new QueueWait(args.ref, (text) => process.stderr.write(text));
  /** `inputEnded`: stdin ran out at a prompt; a cell that cannot be interrupted is left to run. */
  const onInterrupt = (inputEnded = false) => {
    if (interrupted) return leave();
    interrupted = true;
    process.stderr.write(
      wait.isWaiting
        ? "\n[dispatch: taking this evaluation out of the queue; the cell that runs goes on]\n"
        : "\n[dispatch: interrupting the cell… Ctrl-C again to leave it running]\n",
    );
    interrupt(socket, session.id, args.ref).catch((err: unknown) => {
      process.stderr.write(`[dispatch: could not interrupt the cell: ${errorMessage(err)}]\n`);
      // A script must not hang on a prompt nothing here can answer.
      if (inputEnded) return leave();
      // The cell goes on, waiting at its prompt still: asked again below the message.
      prompts.prompt();
    });
  };
  const prompts = new TerminalPrompts(
    session.name,
    {
      answer: async (id, value) => {
        await socket.request({ type: "command", session: session.id, name: "input", args: { id, value } });
      },
      interrupt: () => onInterrupt(),
      inputEnded: () => onInterrupt(true),
      say: (text) => process.stderr.write(text),
    },
    evaluation.prompts,
  );
  // Its prompts are seen as events, outputs too at a terminal (`LiveOutputs`).
  const stream = new SessionStream(socket, {
    output: () => undefined,
    event: (event) => {
      if (event.type === "eval-start") {
        const start = EvalStartData.safeParse(event.data);
        if (start.success && start.data.ref === args.ref) prompts.ours(start.data.id);
      }
      wait.event(event);
      live?.event(event);
      prompts.event(event);
    },
  });
  try {
    // Events from here on: this evaluation's `eval-start` is among them.
    await stream.attach(session.id, { afterSeq: session.lastSeq, snapshot: false });
    process.on("SIGINT", onInterrupt);
    const answered = socket
      .request({ type: "command", session: session.id, name: "eval", args })
      .then((reply): Outcome => {
        if (reply.type !== "result")
          throw new DispatchError("internal", `unexpected reply '${reply.type}' from the hub`);
        return { type: "answered", result: EvalResult.parse(reply.data), interrupted };
      });
    return await Promise.race([answered, left]);
  } catch (err) {
    // The hub went away, not the kernel: the cell goes on.
    if (err instanceof DispatchError && err.code === "host_unavailable" && !socket.isOpen)
      throw new DispatchError(
        "host_unavailable",
        `lost the hub while the cell ran (${err.message}); it may still be running: \`dispatch transcript ${session.name} --follow\` shows its output`,
        { cause: err },
      );
    throw err;
  } finally {
    process.off("SIGINT", onInterrupt);
    prompts.dispose();
    stream.dispose();
    await socket.close();
  }
}

/**
 * Stops this evaluation: the kernel's interrupt (SIGINT or `interrupt_request`, as its spec
 * says) if it runs; withdrawn by the host if it still waits behind another evaluation.
 */
async function interrupt(socket: ClientSocket, session: string, ref: string): Promise<void> {
  await socket.request({ type: "command", session, name: "interrupt", args: { ref } });
}

/**
 * An evaluation's outputs printed as the kernel sends them, for a person at a terminal. Its id
 * comes only with its answer, so its events are found by its `eval-start`, the first one after
 * the attach point that carries this evaluation's `ref`. A host from before `eval-start` had
 * refs writes none: then the first one sent through dispatch with the same code is taken, and
 * someone else sending the same code at the same moment could be taken for it; the answer
 * tells, and its own outputs then follow a note. A pipe gets no stream: exactly this
 * evaluation's outputs, from its answer.
 */
class LiveOutputs {
  private id: string | undefined;
  private done = false;
  /** Outputs of this evaluation printed so far: the answer's first ones, in order. */
  private printed = 0;
  private printing = Promise.resolve();

  constructor(private readonly evaluation: { code: string; mode: EvalMode; ref: string }) {}

  event(event: JsonEvent): void {
    if (this.done) return;
    switch (event.type) {
      case "eval-start": {
        const start = EvalStartData.safeParse(event.data);
        if (this.id === undefined && start.success && this.isOurs(start.data)) this.id = start.data.id;
        return;
      }
      case "eval-output": {
        const output = EvalOutputData.safeParse(event.data);
        if (!output.success || this.id === undefined || output.data.id !== this.id) return;
        this.printed++;
        const { mode } = this.evaluation;
        this.printing = this.printing.then(() => printOutput(output.data.output, mode));
        return;
      }
      case "eval-end": {
        // Later output of its cell (a background thread) is not in the answer: not printed.
        const end = EvalEndData.safeParse(event.data);
        if (end.success && end.data.id === this.id) this.done = true;
        return;
      }
      default:
        return;
    }
  }

  private isOurs(start: EvalStartData): boolean {
    if (start.ref !== undefined) return start.ref === this.evaluation.ref;
    return start.origin === "client" && start.code === this.evaluation.code;
  }

  /** Stops printing; the answer's outputs that were not printed yet. */
  async rest(result: EvalResult): Promise<EvalOutput[]> {
    this.done = true;
    await this.printing;
    if (this.id === result.id) return result.outputs.slice(this.printed);
    if (this.printed > 0)
      await write(
        process.stderr,
        "[dispatch: the output above was another evaluation of the same code; this one's follows]\n",
      );
    return result.outputs;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}
