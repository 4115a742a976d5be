/** The runtimes this host can run, by session kind name. Register a new kind's runtime here. */
import { DispatchError } from "../../core/errors.js";
import { AgentRuntime } from "./agent.js";
import { ChatRuntime } from "./chat.js";
import { editorHostCommands } from "./editor/hostCommands.js";
import { EditorRuntime } from "./editor.js";
import type { HostKindCommands, RuntimeFactory } from "./runtime.js";
import { TerminalRuntime } from "./terminal.js";
import { WorkspaceRuntime } from "./workspace.js";

const runtimes = new Map<string, RuntimeFactory>();
const hostCommands = new Map<string, HostKindCommands>();

export function registerRuntime(kind: string, factory: RuntimeFactory, commands?: HostKindCommands): void {
  runtimes.set(kind, factory);
  if (commands) hostCommands.set(kind, commands);
}

registerRuntime("terminal", (context) => new TerminalRuntime(context));
registerRuntime("agent", (context) => new AgentRuntime(context));
registerRuntime("chat", (context) => new ChatRuntime(context));
registerRuntime("workspace", (context) => new WorkspaceRuntime(context));
registerRuntime("editor", (context) => new EditorRuntime(context), editorHostCommands);

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
