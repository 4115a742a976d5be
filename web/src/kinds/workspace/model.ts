/**
 * The `workspace` kind's events and command answers as the page reads them: the types derived
 * from the schemas in `src/protocol/workspace/`, imported as types only (zod stays out of the
 * bundle). The hub validated every event against those schemas before it got here.
 */
import type { KernelSpecInfo } from "../../../../src/protocol/workspace/commands.js";
import type { EvalEndData, EvalStartData } from "../../../../src/protocol/workspace/events.js";

/** Who sent a cell (the hub says, from whom it authenticated). */
export type { Caller } from "../../../../src/protocol/people.js";

export type {
  CompleteResult,
  DocResult,
  EvalResult,
  InspectedObject,
  KernelStats,
} from "../../../../src/protocol/workspace/commands.js";
export type {
  EvalEndData,
  EvalMode,
  EvalOutput,
  EvalOutputData,
  EvalQueuedData,
  EvalStartData,
  EvalWithdrawnData,
  ExecutionState,
  InputEndData,
  InputRequestData,
  KernelConnection,
  KernelData,
  KernelHealth,
  MimeBundle,
  ReplayData,
  RunningCell,
  Variable,
  VariablesData,
} from "../../../../src/protocol/workspace/events.js";

/** The kind's name in the protocol. */
export const WORKSPACE = "workspace";

/** A kernelspec installed on a host (`kernels`' answer lists them). */
export type KernelSpec = Pick<KernelSpecInfo, "name" | "displayName" | "language">;

export type EvalOrigin = EvalStartData["origin"];
export type EvalStatus = EvalEndData["status"];

/** Paths are expressions in the kernel's language (`data['a'][0]`). */
export type { InspectorStateData as InspectorState } from "../../../../src/protocol/workspace/events.js";
