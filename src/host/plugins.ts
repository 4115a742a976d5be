/**
 * The host halves of plug-in kinds (`DISPATCH_PLUGINS`): each module's `runtime` export is
 * registered by its kind's name, before the environment is scrubbed for sessions.
 */
import { loadPlugins } from "../kinds/plugins.js";
import { registerRuntime } from "./runtimes/registry.js";
import type { RuntimePlugin } from "./runtimes/runtime.js";

export async function registerPluginRuntimes(env: NodeJS.ProcessEnv): Promise<string[]> {
  const registered: string[] = [];
  for (const plugin of await loadPlugins(env)) {
    const runtime = plugin.runtime as Partial<RuntimePlugin> | undefined;
    if (typeof runtime?.kind !== "string" || typeof runtime.create !== "function") continue;
    registerRuntime(runtime.kind, runtime.create, { commands: runtime.hostCommands });
    registered.push(runtime.kind);
  }
  return registered;
}
