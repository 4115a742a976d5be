/**
 * The `workspace` kind's own events: what a live runtime ("image") did, stored in the log so
 * every client, a reloaded page and a restarted hub see the same workspace. Names and fields
 * are stable (the web view and scripts read them).
 *
 * - `kernel`: the image's facts and state as they change (any subset of the fields).
 * - `eval-queued`: an evaluation waits its turn behind cells sent before it (its code, the one
 *   that runs, and how many wait ahead), so every viewer can say so while nothing else happens.
 * - `eval-withdrawn`: an evaluation that waited never ran (taken out of the queue, a restart).
 * - `eval-start`: an evaluation began (ours, a replay, or another client's seen on iopub), with
 *   the `ref` its client gave it, so that client finds its own evaluation's events.
 * - `eval-output`: one output of an evaluation, or of the kernel with no known evaluation
 *   (`id: null`: a background thread).
 * - `eval-end`: the evaluation's reply: status, execution count, the error, bytes dropped.
 * - `buffer`: the workspace text being edited.
 * - `inspector-state`: the inspector's selected path and expanded nodes.
 * - `variables`: a snapshot of the runtime's variables (or why there is none).
 * - `replay`: a revive re-ran earlier evaluations: how many ran, which failed.
 * - `input-request`: a cell called `input()` (or `getpass()`) and waits for a line; pending
 *   until its `input-end` (answered, or cancelled: interrupt, the cell ended, restart, exit).
 *
 * In `protocol/` because every side reads them: the hub half (`kinds/workspace/`), the host
 * runtime, the CLI, and the web view, which imports the types only (no zod in the bundle).
 */
import { z } from "zod";
import { Caller } from "../people.js";
import { INCOMPLETE_REASONS } from "./incomplete.js";

export { incompleteText } from "./incomplete.js";

/** How the host reaches the kernel (as hosts are reached by the hub). */
export const KernelConnection = z.enum(["connected", "disconnected", "reconnecting", "failed"]);
export type KernelConnection = z.infer<typeof KernelConnection>;
/**
 * From the heartbeat channel: `warning` after one missed beat, `critical` after two. Once the
 * session has ended there is no heartbeat, and the hub says how it ended (`describe`):
 * `stopped` when on purpose or with exit code 0, `critical` when something failed (the kernel
 * crashed, froze or was killed, it could not start, its host was lost).
 */
export const KernelHealth = z.enum(["ok", "warning", "critical", "stopped"]);
export type KernelHealth = z.infer<typeof KernelHealth>;
/** The kernel's execution state (`status` on iopub); `dead` once its process has ended. */
export const ExecutionState = z.enum(["starting", "idle", "busy", "dead"]);
export type ExecutionState = z.infer<typeof ExecutionState>;

export const KernelData = z
  .object({
    /** The kernelspec's name (`python3`, `xpython`). */
    kernel: z.string(),
    displayName: z.string(),
    language: z.string(),
    /** `implementation` from kernel_info (`ipython`, `xeus-python`). */
    implementation: z.string(),
    pid: z.number().int().nullable(),
    connection: KernelConnection,
    health: KernelHealth,
    execution: ExecutionState,
  })
  .partial();
export type KernelData = z.infer<typeof KernelData>;

/** Do it (run, show output and errors), print it (also the result), inspect it (open it). */
export const EvalMode = z.enum(["do", "print", "inspect"]);
export type EvalMode = z.infer<typeof EvalMode>;

/**
 * A client's name for one of its evaluations: unique (a UUID), so `interrupt {ref}` reaches
 * only it and its `eval-start` is told from another client's evaluation of the same code.
 */
export const EvalRef = z.string().min(1).max(128);

export const EvalStartData = z.object({
  /** The request's msg_id (ours) or the foreign request's, for another client's evaluation. */
  id: z.string(),
  code: z.string(),
  mode: EvalMode,
  /** `client`: sent through dispatch; `replay`: re-run by a revive; `other`: seen on iopub. */
  origin: z.enum(["client", "replay", "other"]),
  /**
   * The `ref` its client sent with `eval`; absent when it sent none, and in logs written
   * before hosts wrote it (those still parse).
   */
  ref: EvalRef.optional(),
  /**
   * Who sent it (`eval` or a line typed at a terminal, through the hub, which says whose it is);
   * absent for a replay, another Jupyter client's, and in logs written before hosts wrote it.
   */
  by: Caller.optional(),
});
export type EvalStartData = z.infer<typeof EvalStartData>;

/** The cell the kernel runs: its code, who sent it, and when the kernel started it (ms since the epoch, host's clock). */
export const RunningCell = z.object({
  id: z.string(),
  code: z.string(),
  origin: EvalStartData.shape.origin,
  startedAt: z.number(),
  /** Who sent it, as its `eval-start` says. */
  by: Caller.optional(),
});
export type RunningCell = z.infer<typeof RunningCell>;

export const EvalQueuedData = z.object({
  /**
   * The `ref` its client sent with `eval`, or the host's own name for it when it sent none: its
   * `eval-start` or `eval-withdrawn` carries the same, and `interrupt {ref}` withdraws it.
   */
  ref: EvalRef,
  /** Cells ahead of it, the running one included (at least 1). */
  ahead: z.number().int().min(1),
  /** The cell that runs, null when the one whose turn it is has not started yet. */
  running: RunningCell.nullable(),
  /**
   * The waiting cell's code, cut as `running`'s is (`codeCut` says so), so that every viewer of
   * the image shows it waiting, not only its client. Absent in logs written before hosts wrote it.
   */
  code: z.string().optional(),
  codeCut: z.boolean().optional(),
  mode: EvalMode.optional(),
  /** A client's, or a revive's replay (which sends no ref). */
  origin: z.enum(["client", "replay"]).optional(),
  /** Who sent it, as its `eval-start` will say; absent as there. */
  by: Caller.optional(),
});
export type EvalQueuedData = z.infer<typeof EvalQueuedData>;

/** A MIME bundle as the kernel sent it: `text/plain`, `text/markdown`, `image/png` (base64)... */
export const MimeBundle = z.record(z.string(), z.string());
export type MimeBundle = z.infer<typeof MimeBundle>;

export const EvalOutput = z.discriminatedUnion("type", [
  z.object({ type: z.literal("stream"), name: z.enum(["stdout", "stderr"]), text: z.string() }),
  /**
   * `result` (execute_result) and `display` (display_data). `text/html` is the kernel's own,
   * unsanitized: viewers must sanitize it or render it sandboxed (`untrusted` says so).
   */
  z.object({
    type: z.enum(["result", "display"]),
    data: MimeBundle,
    untrusted: z.boolean().optional(),
    /** A display the kernel named (`display(..., display_id=...)`), which it may update later. */
    displayId: z.string().optional(),
    /**
     * `update_display_data`: new contents for every shown display of `displayId` (in any cell),
     * never an output of its own.
     */
    update: z.boolean().optional(),
  }),
  z.object({
    type: z.literal("error"),
    ename: z.string(),
    evalue: z.string(),
    traceback: z.array(z.string()),
  }),
]);
export type EvalOutput = z.infer<typeof EvalOutput>;

export const EvalOutputData = z.object({
  /** The evaluation it belongs to (a late one goes to the last cell run); null when it names no request. */
  id: z.string().nullable(),
  count: z.number().int().nullable(),
  output: EvalOutput,
  /**
   * The evaluation's outputs before this one are gone (`clear_output()`; with `wait=True` the
   * clear comes with the output after it, so a progress line is replaced, never blanked).
   */
  clear: z.boolean().optional(),
});
export type EvalOutputData = z.infer<typeof EvalOutputData>;

export const EvalFailure = z.object({ ename: z.string(), evalue: z.string() });
export type EvalFailure = z.infer<typeof EvalFailure>;

/**
 * A cell that waited its turn (its `eval-queued`) never ran: withdrawn by `interrupt {ref}`, a
 * restart, or the image's end. Without it only its client would know it waits no more.
 */
export const EvalWithdrawnData = z.object({ ref: EvalRef, error: EvalFailure });
export type EvalWithdrawnData = z.infer<typeof EvalWithdrawnData>;

/**
 * Why an evaluation's outputs are not all it printed, besides the bound (absent: they are):
 * `dropped`, the kernel's messages were lost on the way (a PUB socket drops what it has no room
 * for: its idle status never came); `late`, its output was still coming long after its reply,
 * and it was ended with what had come (the rest follows, outside its answer).
 */
export const EvalIncomplete = z.enum(INCOMPLETE_REASONS);
export type EvalIncomplete = z.infer<typeof EvalIncomplete>;

export const EvalEndData = z.object({
  id: z.string(),
  count: z.number().int().nullable(),
  /** `aborted`: interrupted before it ran, or the kernel died or restarted under it. */
  status: z.enum(["ok", "error", "aborted"]),
  error: EvalFailure.optional(),
  /** Output bytes dropped beyond the per-evaluation bound (0: nothing lost). */
  truncatedBytes: z.number().int().min(0).default(0),
  incomplete: EvalIncomplete.optional(),
});
export type EvalEndData = z.infer<typeof EvalEndData>;

export const BufferData = z.object({ text: z.string().max(1024 * 1024) });

/** Paths are expressions in the kernel's language (`data['a'][0]`), as the adapter gives them. */
export const InspectorStateData = z.object({
  selected: z.string().max(4096).nullable(),
  expanded: z.array(z.string().max(4096)).max(1000),
});
export type InspectorStateData = z.infer<typeof InspectorStateData>;

export const Variable = z.object({
  name: z.string(),
  type: z.string(),
  repr: z.string(),
  /** `len()` for collections, else null. */
  size: z.number().int().nullable(),
  /** Expression that reaches it, for `inspect`. */
  path: z.string(),
  /** Whether it has attributes, items or keys to drill into. */
  expandable: z.boolean(),
});
export type Variable = z.infer<typeof Variable>;

export const VariablesData = z.object({
  /** The introspection adapter used (`python`), null when the language has none. */
  adapter: z.string().nullable(),
  /** Why the list is empty when there is no adapter or it failed. */
  reason: z.string().optional(),
  variables: z.array(Variable),
});
export type VariablesData = z.infer<typeof VariablesData>;

export const ReplayData = z.object({
  /** Evaluations asked to re-run, and how many did before the first stop. */
  total: z.number().int(),
  ran: z.number().int(),
  failed: z.array(z.object({ code: z.string(), ename: z.string(), evalue: z.string() })),
});
export type ReplayData = z.infer<typeof ReplayData>;

/** A cell waits for a line of input (the kernel's `input_request` on its stdin channel). */
export const InputRequestData = z.object({
  /** The prompt's id, which `input {id, value}` answers (the input_request's msg_id). */
  id: z.string(),
  /** The evaluation asking (its `eval-start` id). */
  eval: z.string().nullable(),
  prompt: z.string(),
  /** A password (`getpass`): clients mask what is typed, and the answer is never stored. */
  password: z.boolean(),
});
export type InputRequestData = z.infer<typeof InputRequestData>;

/** The prompt is no longer pending: answered (the line, unless a password), or cancelled (why). */
export const InputEndData = z.object({
  id: z.string(),
  status: z.enum(["answered", "cancelled"]),
  value: z.string().optional(),
  reason: z.string().optional(),
});
export type InputEndData = z.infer<typeof InputEndData>;

export const WORKSPACE_EVENTS = {
  kernel: KernelData,
  "eval-queued": EvalQueuedData,
  "eval-withdrawn": EvalWithdrawnData,
  "eval-start": EvalStartData,
  "eval-output": EvalOutputData,
  "eval-end": EvalEndData,
  buffer: BufferData,
  "inspector-state": InspectorStateData,
  variables: VariablesData,
  replay: ReplayData,
  "input-request": InputRequestData,
  "input-end": InputEndData,
} as const;
