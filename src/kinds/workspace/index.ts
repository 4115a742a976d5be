/**
 * `workspace`: a live language runtime ("image"), a Jupyter kernel started on a host from a
 * kernelspec and reached over ZeroMQ (host runtime: `host/runtimes/workspace.ts`). Everything
 * it prints is an event, so the transcript is kept while nobody is attached; the workspace
 * text, the inspector's state and a variables snapshot are events too, folded into the
 * record's `meta.workspace` so `describe` shows them after any restart. Revived, it starts a
 * fresh kernel and, asked to (`replay`), re-runs the evaluations that succeeded.
 */
import { DispatchError } from "../../core/errors.js";
import { isLiveStatus } from "../../core/liveness.js";
import { HOST_STOPPED_REASON, type JsonEvent } from "../../protocol/events.js";
import { parseOrBadRequest } from "../../protocol/parse.js";
import type { SessionRecord } from "../../protocol/session.js";
import {
  BufferArgs,
  CompleteArgs,
  DocArgs,
  EvalArgs,
  InputArgs,
  InspectArgs,
  InspectorStateArgs,
  InterruptArgs,
  NoArgs,
} from "../../protocol/workspace/commands.js";
import {
  EvalEndData,
  InputEndData,
  InputRequestData,
  type InspectorStateData,
  KernelData,
  type KernelHealth,
  type VariablesData,
  WORKSPACE_EVENTS,
} from "../../protocol/workspace/events.js";
import { command, type SessionKind } from "../kind.js";
import { historyFromEvents, replayableEvaluations } from "./history.js";
import { WORKSPACE } from "./name.js";
import { WorkspaceOptions, WorkspaceReviveOptions } from "./options.js";

export { WORKSPACE };

/** What the record keeps of a workspace (`meta.workspace`), folded from its events. */
export interface WorkspaceState extends KernelData {
  buffer: string;
  inspector: InspectorStateData;
  variables: VariablesData | null;
  /** Evaluations finished, and the last execution count. */
  evaluations: number;
  lastCount: number | null;
  /** A cell's `input()` prompt waiting for a line (`input` answers it), or null. */
  input: InputRequestData | null;
}

export function workspaceState(record: Pick<SessionRecord, "meta">): WorkspaceState {
  const stored = (record.meta.workspace ?? {}) as Partial<WorkspaceState>;
  return {
    buffer: "",
    inspector: { selected: null, expanded: [] },
    variables: null,
    evaluations: 0,
    lastCount: null,
    input: null,
    ...stored,
  };
}

/**
 * An ended image's health, as a person reads it: `stopped` when it ended with code 0, as one
 * ended on purpose does (`dispatch kill` with any signal but SIGINT, the web's close: the
 * runtime shuts the kernel down and exits 0), a kernel that exited by itself with 0, and one
 * stopped with its host (`dispatch stop --all`: reason `host stopped`, no code);
 * `critical` when it did not end well: its kernel crashed, froze or was killed by a signal
 * nobody sent through dispatch, it could not start, or its host was lost (no exit code).
 */
export function endedHealth(record: Pick<SessionRecord, "status" | "exitCode" | "reason">): KernelHealth {
  if (record.status !== "exited") return "critical";
  return record.exitCode === 0 || record.reason === HOST_STOPPED_REASON ? "stopped" : "critical";
}

function foldWorkspace(state: WorkspaceState, event: JsonEvent): WorkspaceState | undefined {
  const data = event.data as Record<string, unknown>;
  switch (event.type) {
    case "kernel":
      return { ...state, ...KernelData.parse(data) };
    case "eval-end": {
      const end = EvalEndData.parse(data);
      return { ...state, evaluations: state.evaluations + 1, lastCount: end.count ?? state.lastCount };
    }
    case "buffer":
      return { ...state, buffer: String(data.text ?? "") };
    case "inspector-state":
      return { ...state, inspector: data as InspectorStateData };
    case "variables":
      return { ...state, variables: data as VariablesData };
    case "input-request":
      return { ...state, input: InputRequestData.parse(data) };
    case "input-end":
      return state.input?.id === InputEndData.parse(data).id ? { ...state, input: null } : undefined;
    default:
      return undefined;
  }
}

/** What a live kernel is busy with, where a shell shows its command; null when idle. */
function kernelActivity(state: WorkspaceState): string | null {
  if (state.input) return "waiting for input";
  if (state.execution === "busy" || state.execution === "starting") return state.execution;
  return null;
}

export const workspaceKind: SessionKind = {
  name: WORKSPACE,
  label: "workspace",
  alsoCalled: ["image", "kernel", "notebook"],
  smallestSize: true,
  prepare({ command, options }) {
    if (command.length > 0)
      throw new DispatchError(
        "bad_request",
        "a workspace runs its kernelspec's command; give options.kernel",
      );
    const parsed = parseOrBadRequest(WorkspaceOptions, options ?? {}, "invalid workspace options");
    return { meta: { workspace: { kernel: parsed.kernel } }, spawn: parsed };
  },
  events: WORKSPACE_EVENTS,
  fold(record, event) {
    const next = foldWorkspace(workspaceState(record), event);
    return next ? { meta: { ...record.meta, workspace: next } } : undefined;
  },
  describe(record) {
    const state = workspaceState(record);
    if (isLiveStatus(record.status)) return { options: { ...state }, foreground: kernelActivity(state) };
    // Once the session has ended its kernel is gone, whatever the last event said; a kernel
    // that was failed (crashed, frozen) stays `failed`.
    const ended: WorkspaceState = {
      ...state,
      connection: state.connection === "failed" ? "failed" : "disconnected",
      execution: "dead",
      health: endedHealth(record),
      // Its kernel is gone: nothing waits for the line any more.
      input: null,
    };
    return { options: { ...ended } };
  },
  revivedAs: "a fresh kernel (`--replay` re-runs the cells that succeeded)",
  revive({ record, events, options }) {
    const asked = parseOrBadRequest(WorkspaceReviveOptions, options ?? {}, "invalid revive options");
    const kernel = workspaceState(record).kernel ?? "python3";
    return { options: { kernel, replay: asked.replay ? replayableEvaluations(events()) : [] } };
  },
  // Long-running: an evaluation takes as long as its code, and whatever else the kernel answers
  // on its shell channel (completions, the adapter's code) waits behind the cell that runs;
  // a restart waits for a fresh kernel. The rest is answered by the host itself, at once.
  commands: {
    eval: command({
      description: "evaluate code (mode do, print or inspect)",
      args: EvalArgs,
      longRunning: true,
    }),
    interrupt: command({
      description: "interrupt the running evaluation, or only the one named by `ref` (withdrawn if it waits)",
      args: InterruptArgs,
    }),
    input: command({
      description: "answer a cell's pending input() prompt (its `input-request` id) with a line",
      args: InputArgs,
    }),
    // Loses the kernel's state as a kill would: never a share link's. An interrupt stops one
    // cell and keeps the state, as a Ctrl-C typed into a terminal: whoever may run cells.
    restart: command({
      description: "restart the kernel (its state is lost)",
      args: NoArgs,
      longRunning: true,
      control: "restart its kernel",
    }),
    complete: command({ description: "completions at the cursor", args: CompleteArgs, longRunning: true }),
    doc: command({
      description: "documentation of the name at the cursor",
      args: DocArgs,
      longRunning: true,
    }),
    variables: command({
      description: "the runtime's variables (stored as a snapshot)",
      args: NoArgs,
      longRunning: true,
    }),
    inspect: command({
      description: "an object's attributes, items or keys, one page",
      args: InspectArgs,
      longRunning: true,
    }),
    buffer: command({ description: "store the workspace text", args: BufferArgs }),
    "inspector-state": command({
      description: "store the inspector's selected path and expanded nodes",
      args: InspectorStateArgs,
    }),
    stats: command({
      description: "the kernel's pid, memory, connection and state",
      args: NoArgs,
      readOnly: true,
    }),
    kernels: command({ description: "the kernelspecs installed on the session's host", args: NoArgs }),
    history: command({
      description: "the evaluations so far, oldest first",
      args: NoArgs,
      whileLive: false,
      readOnly: true,
      run: ({ events }) => ({ history: historyFromEvents(events()) }),
    }),
  },
};
