/**
 * The evaluations of a workspace (`KnownEvaluations`): ours (sent for a client or a replay)
 * and other clients' seen on iopub. It sends an execute request whose turn
 * has come, follows its outputs and status on iopub, and writes the kind's events
 * (`eval-start`, `eval-output`, `eval-end`) with the transcript's lines, whoever asked: so the
 * log holds every evaluation in the order the kernel ran them.
 */
import { toDispatchError } from "../../../core/errors.js";
import type { EvalResult } from "../../../protocol/workspace/commands.js";
import { placeOutput } from "../../../protocol/workspace/displays.js";
import {
  type EvalFailure,
  type EvalIncomplete,
  type EvalMode,
  type EvalOutput,
  type ExecutionState,
  incompleteText,
  type RunningCell,
} from "../../../protocol/workspace/events.js";
import type { Kernel } from "../jupyter/Kernel.js";
import { clearOf, exceptionName, outputOf } from "../jupyter/outputs.js";
import type { JupyterMessage } from "../jupyter/wire.js";
import type { RuntimeEvents } from "../runtime.js";
import { answerOf, type Evaluation } from "./Evaluation.js";
import { KnownEvaluations } from "./KnownEvaluations.js";
import type { RequestEnds } from "./requestEnds.js";
import { StrayOutput } from "./StrayOutput.js";
import type { Transcript } from "./Transcript.js";

export interface EvaluationsOptions {
  events: RuntimeEvents;
  transcript: Transcript;
  /** When a request is over on iopub (reads every iopub message before `onIopub`). */
  ends: RequestEnds;
  /** The kernel's execution state, from the status of execute requests on iopub. */
  execution(state: ExecutionState): void;
  /** Interrupts the kernel: an evaluation its client interrupted before it started has started. */
  interrupt(): void;
  /** An evaluation ends (before its `eval-end`): its pending input prompt is no longer waited on. */
  ended(id: string): void;
}

/** How much of the running cell's code an `eval-queued` event carries (`running`). */
const RUNNING_CODE_CHARS = 1_000;

export class Evaluations {
  private readonly known = new KnownEvaluations();
  /** Output outside a running evaluation (a background thread after its cell). */
  private readonly stray: StrayOutput;
  /** The last evaluation the kernel started: where output of no known request goes. */
  private lastStarted: Evaluation | undefined;
  /** When the last execute request was sent (`stats`). */
  lastSentAt: number | null = null;

  constructor(private readonly options: EvaluationsOptions) {
    this.stray = new StrayOutput(options.transcript);
  }

  /**
   * Sends the execute request (the turn is this one's) and answers once it is over on iopub
   * (`requestEnds.ts`); `replied` is called as its reply comes, when the kernel's shell is free
   * for the next request.
   */
  async execute(
    kernel: Kernel,
    code: string,
    mode: EvalMode,
    origin: "client" | "replay",
    ref: string | undefined,
    replied: () => void,
  ): Promise<EvalResult> {
    const { id, reply } = kernel.request("shell", "execute_request", {
      code,
      silent: false,
      store_history: true,
      user_expressions: {},
      // A cell's input() asks through the stdin channel (`Prompts`), answered by any writer.
      // Not a replay's: nobody waits at a prompt while `revive --replay` waits for its report, and
      // the replay (and every cell after it) hung on it unseen; the kernel raises in input()
      // instead (ipykernel's StdinNotImplementedError), and the report lists the cell as failed.
      allow_stdin: origin !== "replay",
      stop_on_error: false,
    });
    const { ends } = this.options;
    ends.follow(id);
    const evaluation = this.known.add(id, { origin, code, mode, ref });
    this.lastSentAt = Date.now();
    this.stray.restart();
    let answer: JupyterMessage;
    try {
      answer = await reply;
    } catch (err) {
      ends.forget(id);
      // The kernel died or restarted under it: usually already finished as aborted, with why
      // (`kernel exited with code 1`), which the result carries rather than the closed request's.
      this.finish(evaluation, {
        status: "aborted",
        error: { ename: "KernelLost", evalue: toDispatchError(err).message },
      });
      return answerOf(evaluation, "aborted", evaluation.error);
    }
    const content = answer.content;
    if (typeof content.execution_count === "number") evaluation.count = content.execution_count;
    const status = content.status === "ok" ? "ok" : content.status === "error" ? "error" : "aborted";
    const error =
      status === "error"
        ? { ename: exceptionName(content.ename), evalue: String(content.evalue ?? "") }
        : undefined;
    evaluation.replied = { status, ...(error ? { error } : {}) };
    replied();
    const end = await ends.afterReply(id);
    // Its idle status never came (`quiet`; `next` is marked as the next request starts): the
    // kernel dropped messages of it. xeus-python publishes each write as one and drops what its
    // publisher has no room for, as ZeroMQ drops what the host's queue has none for: the cell's
    // last lines, result and idle among them. And the kernel is idle, not busy as the last
    // status said (completion at an attach waits for an idle kernel), unless something else of
    // ours is still out.
    if (end === "quiet") {
      this.markIncomplete(evaluation, "dropped");
      if (!this.options.ends.following) this.options.execution("idle");
    }
    if (end === "overdue") this.markIncomplete(evaluation, "late");
    this.finish(evaluation, evaluation.replied);
    return answerOf(evaluation, status, error);
  }

  /**
   * Its outputs are not all it printed: said in its `eval-end` and answer, and in the
   * transcript, since nothing else shows what is missing.
   */
  private markIncomplete(evaluation: Evaluation, why: EvalIncomplete): void {
    if (evaluation.ended || evaluation.incomplete) return;
    evaluation.incomplete = why;
    this.options.transcript.note(
      incompleteText(why, evaluation.count !== null ? `cell ${evaluation.count}` : "this cell"),
    );
  }

  /** Ends every evaluation still open as aborted, with why (the kernel ended or restarts). */
  abortAll(why: EvalFailure): void {
    for (const evaluation of this.known.all()) {
      if (evaluation.ended) continue;
      this.finish(evaluation, { status: "aborted", error: why });
    }
  }

  /**
   * Its client interrupts the open evaluation named `ref`: `now` if the kernel has started it
   * (interrupt the kernel), `on-start` if the kernel has it but runs the cell before it still
   * (interrupted as it starts), `unknown` if there is none.
   */
  interruptByRef(ref: string): "now" | "on-start" | "unknown" {
    const evaluation = this.known.openByRef(ref);
    if (!evaluation) return "unknown";
    if (evaluation.announced) return "now";
    evaluation.interruptOnStart = true;
    return "on-start";
  }

  /**
   * The cell the kernel runs now, as far as iopub has said: the last one started, until it ends.
   * Its code cut to `RUNNING_CODE_CHARS`: a waiting client shows its first line, and the whole
   * is in the log already (its `eval-start`), so each queued evaluation need not store it again.
   */
  running(): RunningCell | null {
    const last = this.lastStarted;
    if (!last || last.ended || last.startedAt === undefined) return null;
    const code = last.code.slice(0, RUNNING_CODE_CHARS);
    return { id: last.id, code, origin: last.origin, startedAt: last.startedAt };
  }

  /**
   * The kernel shows it has started the evaluation of request `id` other than on iopub (its
   * cell asks for input on stdin, which may come before its `execute_input`): its `eval-start`
   * goes first, so every client finds the evaluation a prompt belongs to.
   */
  started(id: string): void {
    const evaluation = this.known.get(id);
    if (evaluation && !evaluation.ended) this.announce(evaluation);
  }

  /** Follows an iopub message of an execute request (the runtime's silent ones are not here). */
  onIopub(message: JupyterMessage): void {
    const parentId = message.parent.msg_id ?? null;
    let evaluation = parentId ? this.known.get(parentId) : undefined;
    // The host's queue may have dropped messages just before this one: of its request.
    if (message.afterOverflow && evaluation) this.markIncomplete(evaluation, "dropped");
    switch (message.header.msg_type) {
      case "status": {
        const state = message.content.execution_state;
        // Busy/idle around completions and lookups is noise; evaluations are what users wait on.
        const evaluating = message.parent.msg_type === "execute_request";
        if (evaluating && (state === "busy" || state === "idle" || state === "starting"))
          this.options.execution(state);
        // Another client's evaluation has no reply for us: its idle status ends it. Ours end here
        // too, as the message comes, rather than a few ticks later when `execute` resumes: so
        // the log has an evaluation's end before the next one's start.
        if (state === "idle" && evaluation) evaluation.idleSeen = true;
        if (state === "idle" && evaluation?.origin === "other")
          this.finish(evaluation, evaluation.errored ? { status: "error" } : { status: "ok" });
        else if (state === "idle" && evaluation?.replied) this.finish(evaluation, evaluation.replied);
        // The kernel has started another execute request: the replied ones are over, their
        // idle delivered or lost (`requestEnds.ts`): lost, the kernel dropped messages of them.
        if (state === "busy" && evaluating)
          for (const other of this.known.all()) {
            if (other === evaluation || !other.replied || other.ended) continue;
            if (!other.idleSeen) this.markIncomplete(other, "dropped");
            this.finish(other, other.replied);
          }
        return;
      }
      case "execute_input": {
        const count =
          typeof message.content.execution_count === "number" ? message.content.execution_count : null;
        if (evaluation) {
          evaluation.count = count;
          this.announce(evaluation);
          return;
        }
        if (!parentId) return;
        // Another client (a notebook, jupyter console) is evaluating in this kernel.
        evaluation = this.known.add(parentId, {
          origin: "other",
          code: String(message.content.code ?? ""),
          mode: "do",
        });
        evaluation.count = count;
        this.announce(evaluation);
        return;
      }
      default:
        // Of no execute request we know: a background thread's, which ipykernel sends under the
        // last request it took, often the runtime's own silent one or a completion. It shows
        // with the last cell the kernel ran, where Jupyter shows it when nothing came between.
        this.output(message, evaluation ?? (parentId ? this.lastStarted : undefined));
    }
  }

  private output(message: JupyterMessage, evaluation: Evaluation | undefined): void {
    const live = evaluation && !evaluation.ended ? evaluation : undefined;
    const clearing = clearOf(message);
    if (clearing) {
      // A cell's, ended or not (a background thread's progress line after its cell): Jupyter
      // clears the cell whose request the message names. Of no request we know: nothing to clear.
      if (!evaluation) return;
      if (live) this.announce(live);
      if (clearing.wait) evaluation.clearPending = true;
      // Cleared now: said with an empty output, which every viewer already shows as nothing.
      else this.emitOutput(evaluation, { type: "stream", name: "stdout", text: "" }, true);
      return;
    }
    const output = outputOf(message);
    if (!output) return;
    if (live) this.announce(live);
    if (live && output.type === "error") live.errored = true;
    const kept = live ? live.budget.take(output) : this.stray.take(output);
    if (kept) {
      const clear = evaluation?.clearPending === true;
      if (evaluation) evaluation.clearPending = false;
      this.emitOutput(evaluation, kept, clear);
      this.options.transcript.output(kept, evaluation?.count ?? null);
    }
    if (!live) this.stray.sayCut();
  }

  private emitOutput(evaluation: Evaluation | undefined, output: EvalOutput, clear: boolean): void {
    if (evaluation && !evaluation.ended) placeOutput(evaluation.outputs, output, clear);
    this.options.events.emit("eval-output", {
      id: evaluation ? evaluation.id : null,
      count: evaluation?.count ?? null,
      output,
      ...(clear ? { clear: true } : {}),
    });
  }

  /**
   * Writes its `eval-start` and input line once the kernel starts it (its `execute_input` on
   * iopub, which comes after everything the cell before it printed), not when it was sent: so
   * the transcript never shows a cell's input in the middle of another's output.
   */
  private announce(evaluation: Evaluation): void {
    if (evaluation.announced) return;
    evaluation.announced = true;
    evaluation.startedAt = Date.now();
    this.lastStarted = evaluation;
    const { id, code, mode, origin, ref } = evaluation;
    this.options.events.emit("eval-start", { id, code, mode, origin, ...(ref !== undefined ? { ref } : {}) });
    this.options.transcript.input(code, origin);
    if (evaluation.interruptOnStart && !evaluation.ended) this.options.interrupt();
  }

  private finish(
    evaluation: Evaluation,
    end: { status: "ok" | "error" | "aborted"; error?: EvalFailure },
  ): void {
    if (evaluation.ended) return;
    // Never seen to start (the kernel died first, or sent no execute_input): its input still
    // goes before its end, so the history has it.
    evaluation.interruptOnStart = false;
    this.announce(evaluation);
    evaluation.ended = true;
    if (end.error) evaluation.error = end.error;
    this.options.ended(evaluation.id);
    const truncatedBytes = evaluation.budget.dropped;
    if (truncatedBytes > 0) this.options.transcript.truncated(truncatedBytes);
    this.options.events.emit("eval-end", {
      id: evaluation.id,
      count: evaluation.count,
      ...end,
      truncatedBytes,
      ...(evaluation.incomplete ? { incomplete: evaluation.incomplete } : {}),
    });
    this.known.ended(evaluation);
  }
}
