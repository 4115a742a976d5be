/**
 * What an evaluation's life writes, whoever asked for it: its `eval-start` and input line as the
 * kernel starts it, each `eval-output`, a note when its outputs are not all it printed, and its
 * `eval-end`. Apart from `Evaluations.ts`, which follows the kernel's messages and decides when
 * each of these happens; this keeps the order and the once-only rules in one place, so the log
 * and the transcript always show one evaluation's input before its outputs and its end.
 */

import { placeOutput } from "../../../protocol/workspace/displays.js";
import type {
  EvalFailure,
  EvalIncomplete,
  EvalOutput,
  RunningCell,
} from "../../../protocol/workspace/events.js";
import { incompleteText } from "../../../protocol/workspace/events.js";
import type { RuntimeEvents } from "../runtime.js";
import type { Evaluation } from "./Evaluation.js";
import type { KnownEvaluations } from "./KnownEvaluations.js";
import type { Transcript } from "./Transcript.js";

export interface EvaluationEventsOptions {
  events: RuntimeEvents;
  transcript: Transcript;
  /** Interrupts the kernel: an evaluation its client interrupted before it started has started. */
  interrupt(): void;
  /** An evaluation ends (before its `eval-end`): its pending input prompt is no longer waited on. */
  ended(id: string): void;
}

/** How much of a cell's code an `eval-queued` event carries (its own, and `running`'s). */
export const QUEUED_CODE_CHARS = 1_000;

export class EvaluationEvents {
  /** The last evaluation the kernel started: where output of no known request goes. */
  lastStarted: Evaluation | undefined;

  constructor(
    private readonly known: KnownEvaluations,
    private readonly options: EvaluationEventsOptions,
  ) {}

  /**
   * The cell the kernel runs now, as far as iopub has said: the last one started, until it ends.
   * Its code cut to `QUEUED_CODE_CHARS`: a waiting client shows its first line, and the whole
   * is in the log already (its `eval-start`), so each queued evaluation need not store it again.
   */
  running(): RunningCell | null {
    const last = this.lastStarted;
    if (!last || last.ended || last.startedAt === undefined) return null;
    const code = last.code.slice(0, QUEUED_CODE_CHARS);
    const { id, origin, startedAt, by } = last;
    return { id, code, origin, startedAt, ...(by ? { by } : {}) };
  }

  /**
   * Writes its `eval-start` and input line once the kernel starts it (its `execute_input` on
   * iopub, which comes after everything the cell before it printed), not when it was sent: so
   * the transcript never shows a cell's input in the middle of another's output.
   */
  announce(evaluation: Evaluation): void {
    if (evaluation.announced) return;
    evaluation.announced = true;
    evaluation.startedAt = Date.now();
    this.lastStarted = evaluation;
    const { id, code, mode, origin, ref, by } = evaluation;
    this.options.events.emit("eval-start", {
      id,
      code,
      mode,
      origin,
      ...(ref !== undefined ? { ref } : {}),
      ...(by ? { by } : {}),
    });
    this.options.transcript.input(code, origin);
    if (evaluation.interruptOnStart && !evaluation.ended) this.options.interrupt();
  }

  emitOutput(evaluation: Evaluation | undefined, output: EvalOutput, clear: boolean): void {
    if (evaluation && !evaluation.ended) placeOutput(evaluation.outputs, output, clear);
    this.options.events.emit("eval-output", {
      id: evaluation ? evaluation.id : null,
      count: evaluation?.count ?? null,
      output,
      ...(clear ? { clear: true } : {}),
    });
  }

  /**
   * Its outputs are not all it printed: said in its `eval-end` and answer, and in the
   * transcript, since nothing else shows what is missing.
   */
  markIncomplete(evaluation: Evaluation, why: EvalIncomplete): void {
    if (evaluation.ended || evaluation.incomplete) return;
    evaluation.incomplete = why;
    this.options.transcript.note(
      incompleteText(why, evaluation.count !== null ? `cell ${evaluation.count}` : "this cell"),
    );
  }

  finish(evaluation: Evaluation, end: { status: "ok" | "error" | "aborted"; error?: EvalFailure }): void {
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
