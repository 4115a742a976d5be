/** The runtimes this host can run, by session kind name. Register a new kind's runtime here. */
import { DispatchError } from "../../core/errors.js";
import { AgentRuntime } from "./agent.js";
import { ChatRuntime } from "./chat.js";
import { EditorRuntime } from "./editor.js";
import type { RuntimeFactory } from "./runtime.js";
import { TerminalRuntime } from "./terminal.js";
import { WorkspaceRuntime } from "./workspace.js";

const runtimes = new Map<string, RuntimeFactory>();

export function registerRuntime(kind: string, factory: RuntimeFactory): void {
  runtimes.set(kind, factory);
}

registerRuntime("terminal", (context) => new TerminalRuntime(context));
registerRuntime("agent", (context) => new AgentRuntime(context));
registerRuntime("chat", (context) => new ChatRuntime(context));
registerRuntime("workspace", (context) => new WorkspaceRuntime(context));
registerRuntime("editor", (context) => new EditorRuntime(context));

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
