/**
 * The runtimes this host can run, by session kind name, and the orphan sweepers of those that
 * can leave processes behind. Register a new kind's runtime here.
 */

import { DispatchError } from "../../core/errors.js";
import { type LazyModule, lazyModule } from "../../core/lazyModule.js";
import type { Orphan } from "../../protocol/host.js";
import { editorHostCommands } from "./editor/hostCommands.js";
import { sweepOrphanKernels } from "./jupyter/orphans.js";
import type { HostKindCommands, OrphanSweeper, RuntimeFactory } from "./runtime.js";
import { TerminalRuntime } from "./terminal.js";

/** A runtime whose module (and its dependencies) is imported when its first session starts. */
interface LazyRuntime {
  readonly load: LazyModule<RuntimeFactory>;
  loaded?: RuntimeFactory;
}

/** `what` names it in the error if its module cannot be loaded. */
export function lazyRuntime(what: string, load: () => Promise<RuntimeFactory>): LazyRuntime {
  return { load: lazyModule(what, load) };
}

const runtimes = new Map<string, RuntimeFactory | LazyRuntime>();
const hostCommands = new Map<string, HostKindCommands>();
const sweepers = new Map<string, OrphanSweeper>();

export function registerRuntime(
  kind: string,
  factory: RuntimeFactory | LazyRuntime,
  extras?: { commands?: HostKindCommands; orphans?: OrphanSweeper },
): void {
  runtimes.set(kind, factory);
  if (extras?.commands) hostCommands.set(kind, extras.commands);
  if (extras?.orphans) sweepers.set(kind, extras.orphans);
}

registerRuntime("terminal", (context) => new TerminalRuntime(context));
// Loaded with their first session: an idle host of terminals holds none of their code and schemas
// (chat's and agent's ~1 MB of heap), nor the Jupyter client and Yjs.
registerRuntime(
  "agent",
  lazyRuntime("the agent runtime", async () => {
    const { AgentRuntime } = await import("./agent.js");
    return (context) => new AgentRuntime(context);
  }),
);
registerRuntime(
  "chat",
  lazyRuntime("the chat runtime", async () => {
    const { ChatRuntime } = await import("./chat.js");
    return (context) => new ChatRuntime(context);
  }),
);
registerRuntime(
  "workspace",
  lazyRuntime("the workspace runtime", async () => {
    const { WorkspaceRuntime } = await import("./workspace.js");
    return (context) => new WorkspaceRuntime(context);
  }),
  { orphans: sweepOrphanKernels },
);
registerRuntime(
  "editor",
  lazyRuntime("the editor runtime (Yjs)", async () => {
    const { EditorRuntime } = await import("./editor.js");
    return (context) => new EditorRuntime(context);
  }),
  { commands: editorHostCommands },
);

/**
 * The kind's runtime factory; a promise while a lazy runtime's module is first loaded (its
 * rejection names what could not be loaded), and `bad_request` for a kind this host lacks.
 */
export function runtimeFor(kind: string): RuntimeFactory | Promise<RuntimeFactory> {
  const entry = runtimes.get(kind);
  if (!entry) {
    throw new DispatchError(
      "bad_request",
      `this host cannot run '${kind}' sessions (it runs ${[...runtimes.keys()].join(", ")})`,
    );
  }
  if (typeof entry === "function") return entry;
  if (entry.loaded) return entry.loaded;
  return entry.load().then((factory) => {
    entry.loaded = factory;
    return factory;
  });
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
