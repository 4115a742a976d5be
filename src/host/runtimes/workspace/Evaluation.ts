/**
 * One evaluation as `Evaluations` follows it: who asked, what the kernel has done of it, its
 * outputs within their bound; and the answer it gives its `eval`.
 */
import type { Caller } from "../../../protocol/people.js";
import type { EvalResult } from "../../../protocol/workspace/commands.js";
import type {
  EvalFailure,
  EvalIncomplete,
  EvalMode,
  EvalOutput,
} from "../../../protocol/workspace/events.js";
import { OutputBudget } from "../jupyter/outputs.js";

export type Origin = "client" | "replay" | "other";

export interface Evaluation {
  id: string;
  origin: Origin;
  code: string;
  mode: EvalMode;
  /** The client's name for it (`eval {ref}`), which its `interrupt {ref}` gives. */
  ref?: string;
  /** Who sent it, when the hub said (`eval` through it). */
  by?: Caller;
  /** Its `eval-start` and input line were written: the kernel has started it. */
  announced: boolean;
  /** When it was announced (ms since the epoch): what a cell waiting behind it says. */
  startedAt?: number;
  /** Its client interrupted it while the kernel had it but had not started it yet. */
  interruptOnStart: boolean;
  count: number | null;
  /** What it shows now: cleared by `clear_output`, displays replaced by their updates. */
  outputs: EvalOutput[];
  /** Its `clear_output(wait=True)` waits for the next output, which replaces what it shows. */
  clearPending?: boolean;
  budget: OutputBudget;
  errored: boolean;
  /** Its idle status came (after it, the kernel publishes nothing more of it). */
  idleSeen: boolean;
  /** Its outputs are not all it printed (said in its `eval-end`, its answer and the transcript). */
  incomplete?: EvalIncomplete;
  ended: boolean;
  /** Why it ended aborted or in error, as its `eval-end` said (the kernel exited, its code). */
  error?: EvalFailure;
  /** How its reply says it ended, once the reply is in (it ends when iopub is done with it). */
  replied?: { status: "ok" | "error" | "aborted"; error?: EvalFailure };
}

/** A new evaluation, of request `id`, nothing of it seen yet. */
export function newEvaluation(
  id: string,
  what: Pick<Evaluation, "origin" | "code" | "mode"> & {
    ref?: string | undefined;
    by?: Caller | undefined;
  },
): Evaluation {
  return {
    id,
    origin: what.origin,
    code: what.code,
    mode: what.mode,
    ...(what.ref !== undefined ? { ref: what.ref } : {}),
    ...(what.by !== undefined ? { by: what.by } : {}),
    announced: false,
    interruptOnStart: false,
    count: null,
    outputs: [],
    budget: new OutputBudget(),
    errored: false,
    idleSeen: false,
    ended: false,
  };
}

/** What its `eval` answers. */
export function answerOf(
  evaluation: Evaluation,
  status: EvalResult["status"],
  error?: EvalResult["error"],
): EvalResult {
  return {
    id: evaluation.id,
    count: evaluation.count,
    status,
    outputs: evaluation.outputs,
    ...(error ? { error } : {}),
    truncatedBytes: evaluation.budget.dropped,
    ...(evaluation.incomplete ? { incomplete: evaluation.incomplete } : {}),
  };
}
