/**
 * The `workspace` kind's commands and their arguments (`command {session, name, args}`), and
 * what the host answers. Names and fields are stable: the CLI, the web view and scripts use them.
 */
import { z } from "zod";
import {
  EvalFailure,
  EvalIncomplete,
  EvalMode,
  EvalOutput,
  EvalRef,
  InspectorStateData,
  Variable,
} from "./events.js";

export const EvalArgs = z.object({
  code: z.string().max(1024 * 1024),
  mode: EvalMode.default("do"),
  ref: EvalRef.optional(),
});
export type EvalArgs = z.infer<typeof EvalArgs>;

/** An inspection of the evaluation's result (mode `inspect`, or the `inspect` command). */
export const InspectedObject = z.object({
  path: z.string(),
  type: z.string(),
  repr: z.string(),
  size: z.number().int().nullable(),
  /** Attributes, items or keys, one page of them. */
  children: z.array(Variable),
  /** How many children there are in all (paging: `offset`, `limit`). */
  total: z.number().int(),
  offset: z.number().int(),
});
export type InspectedObject = z.infer<typeof InspectedObject>;

/** What `eval` answers once the kernel has replied and gone idle. */
export const EvalResult = z.object({
  id: z.string(),
  count: z.number().int().nullable(),
  status: z.enum(["ok", "error", "aborted"]),
  outputs: z.array(EvalOutput),
  error: EvalFailure.optional(),
  truncatedBytes: z.number().int(),
  /** Its outputs are not all it printed (`EvalIncomplete`); absent when they are. */
  incomplete: EvalIncomplete.optional(),
  /** Mode `inspect`: the result opened in the inspector (absent without an adapter). */
  inspected: InspectedObject.optional(),
});
export type EvalResult = z.infer<typeof EvalResult>;

/**
 * `interrupt` with no `ref` interrupts whatever the kernel runs. With a `ref` it stops only
 * that evaluation: withdrawn while it waits behind others (it never runs; its `eval` answers
 * `aborted` with `Cancelled`), interrupted if it runs, left alone if it has finished.
 */
export const InterruptArgs = z.object({ ref: EvalRef.optional() }).optional();
export type InterruptArgs = z.infer<typeof InterruptArgs>;
/** What the interrupt did; `unknown`: the named evaluation neither waits nor runs (it has finished, or has not arrived: then it is withdrawn as it arrives). */
export const InterruptResult = z.object({
  ok: z.literal(true),
  outcome: z.enum(["interrupted", "withdrawn", "unknown"]).optional(),
});
export type InterruptResult = z.infer<typeof InterruptResult>;

/**
 * Answers a cell's pending `input()` prompt (`input-request {id}`) with one line (no newline).
 * Refused (`conflict`) once it is no longer pending; a viewer cannot answer.
 */
export const InputArgs = z.object({ id: z.string().min(1).max(128), value: z.string().max(64 * 1024) });
export type InputArgs = z.infer<typeof InputArgs>;

export const InspectArgs = z.object({
  /** An expression, or a path the inspector gave. */
  expr: z.string().min(1).max(4096),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(500).default(50),
});
export type InspectArgs = z.infer<typeof InspectArgs>;

export const CompleteArgs = z.object({
  code: z.string().max(1024 * 1024),
  /** Cursor position in characters (default: the end of `code`). */
  cursor: z.number().int().min(0).optional(),
});
export type CompleteArgs = z.infer<typeof CompleteArgs>;
export const CompleteResult = z.object({
  matches: z.array(z.string()),
  cursorStart: z.number().int(),
  cursorEnd: z.number().int(),
});
export type CompleteResult = z.infer<typeof CompleteResult>;

export const DocArgs = CompleteArgs.extend({ detail: z.union([z.literal(0), z.literal(1)]).default(0) });
export type DocArgs = z.infer<typeof DocArgs>;
/** `found: false` when the kernel knows nothing there; `data` is a MIME bundle (text/plain). */
export const DocResult = z.object({ found: z.boolean(), data: z.record(z.string(), z.string()) });
export type DocResult = z.infer<typeof DocResult>;

export const KernelStats = z.object({
  pid: z.number().int().nullable(),
  /** Resident memory of the kernel process, bytes (null when unknown). */
  rss: z.number().int().nullable(),
  /** CPU time the kernel process used so far (user + system), seconds. */
  cpuSeconds: z.number().nullable().default(null),
  /** Its CPU use since the previous `stats` (or since it started), percent of one core. */
  cpuPercent: z.number().nullable().default(null),
  /** When the current kernel process started (ms since the epoch). */
  startedAt: z.number().nullable().default(null),
  /** When an evaluation was last sent to it through dispatch. */
  lastEvaluationAt: z.number().nullable().default(null),
  connection: z.string(),
  health: z.string(),
  execution: z.string(),
  /** Evaluations sent through dispatch waiting for the one that runs (null: a host that does not say). */
  queued: z.number().int().nullable().default(null),
});
export type KernelStats = z.infer<typeof KernelStats>;

export const KernelSpecInfo = z.object({
  name: z.string(),
  displayName: z.string(),
  language: z.string(),
  argv: z.array(z.string()),
  interruptMode: z.enum(["signal", "message"]),
  dir: z.string(),
});
export type KernelSpecInfo = z.infer<typeof KernelSpecInfo>;

export const HistoryEntry = z.object({
  id: z.string(),
  seq: z.number().int(),
  code: z.string(),
  mode: EvalMode,
  origin: z.string(),
  count: z.number().int().nullable(),
  status: z.enum(["ok", "error", "aborted", "running"]),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

export const NoArgs = z.object({}).optional();
export const BufferArgs = z.object({ text: z.string().max(1024 * 1024) });
export const InspectorStateArgs = InspectorStateData;
