/**
 * The evaluations of a workspace (`KnownEvaluations`): ours (sent for a client or a replay)
 * and other clients' seen on iopub. It sends an execute request whose turn
 * has come, follows its outputs and status on iopub, and has the kind's events
 * (`eval-start`, `eval-output`, `eval-end`) written with the transcript's lines, whoever asked
 * (`EvaluationEvents.ts`): so the log holds every evaluation in the order the kernel ran them.
 */
import { toDispatchError } from "../../../core/errors.js";
import type { Caller } from "../../../protocol/people.js";
import type { EvalResult } from "../../../protocol/workspace/commands.js";
import type {
  EvalFailure,
  EvalMode,
  ExecutionState,
  RunningCell,
} from "../../../protocol/workspace/events.js";
import type { Kernel } from "../jupyter/Kernel.js";
import { clearOf, exceptionName, outputOf } from "../jupyter/outputs.js";
import type { JupyterMessage } from "../jupyter/wire.js";
import { answerOf, type Evaluation } from "./Evaluation.js";
import { EvaluationEvents, type EvaluationEventsOptions } from "./EvaluationEvents.js";
import { KnownEvaluations } from "./KnownEvaluations.js";
import type { RequestEnds } from "./requestEnds.js";
import { StrayOutput } from "./StrayOutput.js";

export interface EvaluationsOptions extends EvaluationEventsOptions {
  /** When a request is over on iopub (reads every iopub message before `onIopub`). */
  ends: RequestEnds;
  /** The kernel's execution state, from the status of execute requests on iopub. */
  execution(state: ExecutionState): void;
}

/** A cell we send: its code, and who asked (`Evaluation`'s fields of the same names). */
export interface OurCell {
  code: string;
  mode: EvalMode;
  origin: "client" | "replay";
  ref?: string | undefined;
  by?: Caller | undefined;
}

export class Evaluations {
  private readonly known = new KnownEvaluations();
  /** Output outside a running evaluation (a background thread after its cell). */
  private readonly stray: StrayOutput;
  /** Writes each evaluation's events and transcript lines (`EvaluationEvents.ts`). */
  private readonly record: EvaluationEvents;
  /** When the last execute request was sent (`stats`). */
  lastSentAt: number | null = null;

  constructor(private readonly options: EvaluationsOptions) {
    this.stray = new StrayOutput(options.transcript);
    this.record = new EvaluationEvents(this.known, options);
  }

  /** The cell the kernel runs now, as far as iopub has said (`EvaluationEvents.running`). */
  running(): RunningCell | null {
    return this.record.running();
  }

  /**
   * Sends the execute request (the turn is this one's) and answers once it is over on iopub
   * (`requestEnds.ts`); `replied` is called as its reply comes, when the kernel's shell is free
   * for the next request.
   */
  async execute(kernel: Kernel, cell: OurCell, replied: () => void): Promise<EvalResult> {
    const { code, origin } = cell;
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
    const evaluation = this.known.add(id, cell);
    this.lastSentAt = Date.now();
    this.stray.restart();
    let answer: JupyterMessage;
    try {
      answer = await reply;
    } catch (err) {
      ends.forget(id);
      // The kernel died or restarted under it: usually already finished as aborted, with why
      // (`kernel exited with code 1`), which the result carries rather than the closed request's.
      this.record.finish(evaluation, {
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
      this.record.markIncomplete(evaluation, "dropped");
      if (!this.options.ends.following) this.options.execution("idle");
    }
    if (end === "overdue") this.record.markIncomplete(evaluation, "late");
    this.record.finish(evaluation, evaluation.replied);
    return answerOf(evaluation, status, error);
  }

  /** Ends every evaluation still open as aborted, with why (the kernel ended or restarts). */
  abortAll(why: EvalFailure): void {
    for (const evaluation of this.known.all()) {
      if (evaluation.ended) continue;
      this.record.finish(evaluation, { status: "aborted", error: why });
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
   * The kernel shows it has started the evaluation of request `id` other than on iopub (its
   * cell asks for input on stdin, which may come before its `execute_input`): its `eval-start`
   * goes first, so every client finds the evaluation a prompt belongs to.
   */
  started(id: string): void {
    const evaluation = this.known.get(id);
    if (evaluation && !evaluation.ended) this.record.announce(evaluation);
  }

  /** Follows an iopub message of an execute request (the runtime's silent ones are not here). */
  onIopub(message: JupyterMessage): void {
    const parentId = message.parent.msg_id ?? null;
    let evaluation = parentId ? this.known.get(parentId) : undefined;
    // The host's queue may have dropped messages just before this one: of its request.
    if (message.afterOverflow && evaluation) this.record.markIncomplete(evaluation, "dropped");
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
          this.record.finish(evaluation, evaluation.errored ? { status: "error" } : { status: "ok" });
        else if (state === "idle" && evaluation?.replied) this.record.finish(evaluation, evaluation.replied);
        // The kernel has started another execute request: the replied ones are over, their
        // idle delivered or lost (`requestEnds.ts`): lost, the kernel dropped messages of them.
        if (state === "busy" && evaluating)
          for (const other of this.known.all()) {
            if (other === evaluation || !other.replied || other.ended) continue;
            if (!other.idleSeen) this.record.markIncomplete(other, "dropped");
            this.record.finish(other, other.replied);
          }
        return;
      }
      case "execute_input": {
        const count =
          typeof message.content.execution_count === "number" ? message.content.execution_count : null;
        if (evaluation) {
          evaluation.count = count;
          this.record.announce(evaluation);
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
        this.record.announce(evaluation);
        return;
      }
      default:
        // Of no execute request we know: a background thread's, which ipykernel sends under the
        // last request it took, often the runtime's own silent one or a completion. It shows
        // with the last cell the kernel ran, where Jupyter shows it when nothing came between.
        this.output(message, evaluation ?? (parentId ? this.record.lastStarted : undefined));
    }
  }

  private output(message: JupyterMessage, evaluation: Evaluation | undefined): void {
    const live = evaluation && !evaluation.ended ? evaluation : undefined;
    const clearing = clearOf(message);
    if (clearing) {
      // A cell's, ended or not (a background thread's progress line after its cell): Jupyter
      // clears the cell whose request the message names. Of no request we know: nothing to clear.
      if (!evaluation) return;
      if (live) this.record.announce(live);
      if (clearing.wait) evaluation.clearPending = true;
      // Cleared now: said with an empty output, which every viewer already shows as nothing.
      else this.record.emitOutput(evaluation, { type: "stream", name: "stdout", text: "" }, true);
      return;
    }
    const output = outputOf(message);
    if (!output) return;
    if (live) this.record.announce(live);
    if (live && output.type === "error") live.errored = true;
    const kept = live ? live.budget.take(output) : this.stray.take(output);
    if (kept) {
      const clear = evaluation?.clearPending === true;
      if (evaluation) evaluation.clearPending = false;
      this.record.emitOutput(evaluation, kept, clear);
      this.options.transcript.output(kept, evaluation?.count ?? null);
    }
    if (!live) this.stray.sayCut();
  }
}
