/**
 * The runtimes this host can run, by session kind name, and the orphan sweepers of those that
 * can leave processes behind. Register a new kind's runtime here.
 */

import { DispatchError } from "../../core/errors.js";
import type { Orphan } from "../../protocol/host.js";
import { AgentRuntime } from "./agent.js";
import { ChatRuntime } from "./chat.js";
import { editorHostCommands } from "./editor/hostCommands.js";
import { EditorRuntime } from "./editor.js";
import { sweepOrphanKernels } from "./jupyter/orphans.js";
import type { HostKindCommands, OrphanSweeper, RuntimeFactory } from "./runtime.js";
import { TerminalRuntime } from "./terminal.js";
import { WorkspaceRuntime } from "./workspace.js";

const runtimes = new Map<string, RuntimeFactory>();
const hostCommands = new Map<string, HostKindCommands>();
const sweepers = new Map<string, OrphanSweeper>();

export function registerRuntime(
  kind: string,
  factory: RuntimeFactory,
  extras?: { commands?: HostKindCommands; orphans?: OrphanSweeper },
): void {
  runtimes.set(kind, factory);
  if (extras?.commands) hostCommands.set(kind, extras.commands);
  if (extras?.orphans) sweepers.set(kind, extras.orphans);
}

registerRuntime("terminal", (context) => new TerminalRuntime(context));
registerRuntime("agent", (context) => new AgentRuntime(context));
registerRuntime("chat", (context) => new ChatRuntime(context));
registerRuntime("workspace", (context) => new WorkspaceRuntime(context), { orphans: sweepOrphanKernels });
registerRuntime("editor", (context) => new EditorRuntime(context), { commands: editorHostCommands });

export function runtimeFor(kind: string): RuntimeFactory {
  const factory = runtimes.get(kind);
  if (!factory) {
    throw new DispatchError(
      "bad_request",
      `this host cannot run '${kind}' sessions (it runs ${[...runtimes.keys()].join(", ")})`,
    );
  }
  return factory;
}

/** The kinds this host runs (its hello's capabilities). */
export function runtimeKinds(): string[] {
  return [...runtimes.keys()];
}

/** Runs a kind's sessionless command (`kind-command`); `bad_request` naming what it has. */
export function runKindCommand(kind: string, name: string, args: unknown): unknown {
  runtimeFor(kind);
  const commands = hostCommands.get(kind) ?? {};
  const run = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!run) {
    const known = Object.keys(commands);
    throw new DispatchError(
      "bad_request",
      `'${kind}' has no host command '${name}'${known.length > 0 ? ` (it has ${known.join(", ")})` : ""}`,
    );
  }
  return run(args);
}

/** What every runtime left behind in this host's run directory; removed with `clean`. */
export async function sweepOrphans(options: { runDir: string; clean: boolean }): Promise<Orphan[]> {
  const found = await Promise.all([...sweepers.values()].map((sweep) => sweep(options)));
  return found.flat();
}
