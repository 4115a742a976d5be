/**
 * `dispatch eval [NAME] [CODE] [--mode M] [--json]`: one evaluation in a workspace, as long as
 * its code runs. It goes over the WebSocket, where no HTTP deadline applies (a notebook cell may
 * take minutes; the hub fails it only when the session ends or its host is lost). Ctrl-C
 * interrupts the cell (the kernel's interrupt), prints what it had printed, and exits 130; a
 * cell still waiting behind another client's is withdrawn instead, and that one runs on (while
 * it waits, it says so and behind what: `workspaceWait.ts`). A
 * second Ctrl-C leaves it running. SIGTERM (`timeout`, a supervisor) and SIGHUP (the terminal
 * closed) stop the evaluation the same way, then exit with 128 + the signal's number, so a
 * killed `dispatch eval` leaves no cell queued or running in the kernel. At a terminal the
 * outputs print as the kernel sends them, and a prompt of the cell's `input()` is read from it
 * (`workspaceInput.ts`).
 * How its outputs print as text: `workspaceOutput.ts`.
 */
import { randomUUID } from "node:crypto";
import { constants } from "node:os";
import { DispatchError } from "../../core/errors.js";
import { reviveAdvice } from "../../kinds/reviveAdvice.js";
import { workspaceKind } from "../../kinds/workspace/index.js";
import { MAX_CLIENT_MESSAGE_BYTES } from "../../protocol/client.js";
import type { SessionInfo } from "../../protocol/session.js";
import { EvalResult, InterruptResult } from "../../protocol/workspace/commands.js";
import { EvalMode, EvalStartData, incompleteText } from "../../protocol/workspace/events.js";
import type { ClientSocket } from "../ClientSocket.js";
import { errorMessage, UsageError } from "../exitCodes.js";
import { HubClient } from "../HubClient.js";
import { imageArguments } from "../imageContext.js";
import { SessionStream } from "../SessionStream.js";
import { type PromptSource, promptSource, TerminalPrompts } from "./workspaceInput.js";
import { LiveOutputs } from "./workspaceLiveOutputs.js";
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
  if (outcome.type === "ended") {
    process.exitCode = 128 + constants.signals[outcome.signal];
    return;
  }
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

/** Signals that end `dispatch eval` once its evaluation is stopped (SIGINT only stops it). */
const ENDING_SIGNALS = ["SIGTERM", "SIGHUP"] as const;
type EndingSignal = (typeof ENDING_SIGNALS)[number];
/**
 * How long an ending signal waits for the hub to say the evaluation was stopped: whoever sent
 * the signal expects the process to end, even with the hub unreachable.
 */
const STOP_WAIT_MS = 5_000;

type Outcome =
  | { type: "answered"; result: EvalResult; interrupted: boolean }
  | { type: "left" }
  | { type: "ended"; signal: EndingSignal };

interface Evaluation {
  client: HubClient;
  session: SessionInfo;
  args: { code: string; mode: EvalMode; ref: string };
  live: LiveOutputs | undefined;
  /** Where an answer to the cell's `input()` comes from. */
  prompts: PromptSource;
}

/**
 * Sends the evaluation and waits for its answer; Ctrl-C interrupts it, a second one leaves;
 * SIGTERM and SIGHUP stop it and end.
 */
async function runEvaluation(evaluation: Evaluation): Promise<Outcome> {
  const { client, session, args, live } = evaluation;
  const socket = await client.connect("dispatch-eval");
  let interrupted = false;
  let finish: (outcome: Outcome) => void = () => {};
  const finished = new Promise<Outcome>((resolve) => {
    finish = resolve;
  });
  const leave = () => finish({ type: "left" });
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
  let ending = false;
  /**
   * SIGTERM or SIGHUP: the evaluation is stopped as Ctrl-C stops it (unless Ctrl-C did already),
   * then this process ends. Said on stderr for a log to read; not after SIGHUP, whose terminal
   * is gone.
   */
  const onEndingSignal = (signal: EndingSignal) => {
    if (ending) return;
    ending = true;
    const say = (text: string) => {
      if (signal !== "SIGHUP") process.stderr.write(text);
    };
    const stopped = interrupted
      ? Promise.resolve()
      : interrupt(socket, session.id, args.ref).then(
          (outcome) => say(`\n[dispatch: ${signal}: ${stoppedText(outcome)}]\n`),
          (err: unknown) =>
            say(
              `\n[dispatch: ${signal}: could not stop the evaluation (${errorMessage(err)}); it may still run: \`dispatch transcript ${session.name} --follow\` shows it]\n`,
            ),
        );
    interrupted = true;
    const waited = new Promise<void>((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref());
    void Promise.race([stopped, waited]).then(() => finish({ type: "ended", signal }));
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
    for (const signal of ENDING_SIGNALS) process.on(signal, onEndingSignal);
    const answered = socket
      .request({ type: "command", session: session.id, name: "eval", args })
      .then((reply): Outcome => {
        if (reply.type !== "result")
          throw new DispatchError("internal", `unexpected reply '${reply.type}' from the hub`);
        return { type: "answered", result: EvalResult.parse(reply.data), interrupted };
      });
    const outcome = await Promise.race([answered, finished]).catch((err: unknown) => {
      if (ending) return finished;
      throw err;
    });
    // Answered (withdrawn, interrupted) while an ending signal was being handled: it still ends
    // the process, once the host has said how the evaluation was stopped.
    return ending ? await finished : outcome;
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
    for (const signal of ENDING_SIGNALS) process.off(signal, onEndingSignal);
    prompts.dispose();
    stream.dispose();
    await socket.close();
  }
}

/**
 * Stops this evaluation: the kernel's interrupt (SIGINT or `interrupt_request`, as its spec
 * says) if it runs; withdrawn by the host if it still waits behind another evaluation.
 */
async function interrupt(socket: ClientSocket, session: string, ref: string): Promise<InterruptResult> {
  const reply = await socket.request({ type: "command", session, name: "interrupt", args: { ref } });
  const parsed = reply.type === "result" ? InterruptResult.safeParse(reply.data) : undefined;
  return parsed?.success ? parsed.data : { ok: true };
}

/** What stopping the evaluation did, as the host answered. */
function stoppedText({ outcome }: InterruptResult): string {
  if (outcome === "withdrawn") return "took this evaluation out of the queue; it did not run";
  if (outcome === "unknown") return "the evaluation had ended already";
  return "interrupted the cell";
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}
