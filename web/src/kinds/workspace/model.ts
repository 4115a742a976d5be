/**
 * The `workspace` kind's events and command answers as the page reads them. They mirror the
 * hub half's schemas in `src/kinds/workspace/` (events.ts, commands.ts), which the browser
 * does not import (it takes only `src/core` and `src/protocol`, and zod is not bundled); keep
 * the two in step. The hub validated every event against those schemas before it got here.
 */

/** The kind's name in the protocol. */
export const WORKSPACE = "workspace";

/** A kernelspec installed on a host (`kernels`' answer lists them). */
export interface KernelSpec {
  name: string;
  displayName: string;
  language: string;
}

export type KernelConnection = "connected" | "disconnected" | "reconnecting" | "failed";
export type KernelHealth = "ok" | "warning" | "critical";
export type ExecutionState = "starting" | "idle" | "busy" | "dead";

/** `kernel`: the image's facts and state as they change (any subset of the fields). */
export interface KernelData {
  kernel?: string;
  displayName?: string;
  language?: string;
  implementation?: string;
  pid?: number | null;
  connection?: KernelConnection;
  health?: KernelHealth;
  execution?: ExecutionState;
}

/** Do it (run; output and errors), print it (also the result), inspect it (open the result). */
export type EvalMode = "do" | "print" | "inspect";
export type EvalOrigin = "client" | "replay" | "other";
export type EvalStatus = "ok" | "error" | "aborted";

export type MimeBundle = Record<string, string>;

export type EvalOutput =
  | { type: "stream"; name: "stdout" | "stderr"; text: string }
  | { type: "result" | "display"; data: MimeBundle; untrusted?: boolean }
  | { type: "error"; ename: string; evalue: string; traceback: string[] };

export interface EvalStartData {
  id: string;
  code: string;
  mode: EvalMode;
  origin: EvalOrigin;
}

export interface EvalOutputData {
  /** null: printed outside any known evaluation (a background thread). */
  id: string | null;
  count: number | null;
  output: EvalOutput;
}

export interface EvalEndData {
  id: string;
  count: number | null;
  status: EvalStatus;
  error?: { ename: string; evalue: string };
  truncatedBytes: number;
}

/** Paths are expressions in the kernel's language (`data['a'][0]`). */
export interface InspectorState {
  selected: string | null;
  expanded: string[];
}

export interface Variable {
  name: string;
  type: string;
  repr: string;
  size: number | null;
  path: string;
  expandable: boolean;
}

export interface VariablesData {
  adapter: string | null;
  reason?: string;
  variables: Variable[];
}

export interface ReplayData {
  total: number;
  ran: number;
  failed: { code: string; ename: string; evalue: string }[];
}

/** `inspect {expr, offset, limit}`'s answer: one page of an object's attributes, items or keys. */
export interface InspectedObject {
  path: string;
  type: string;
  repr: string;
  size: number | null;
  children: Variable[];
  total: number;
  offset: number;
}

/** `eval`'s answer, once the kernel has replied and gone idle. */
export interface EvalResult {
  id: string;
  count: number | null;
  status: EvalStatus;
  outputs: EvalOutput[];
  error?: { ename: string; evalue: string };
  truncatedBytes: number;
  inspected?: InspectedObject;
}
