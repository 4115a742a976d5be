/**
 * Plug-in modules: `DISPATCH_PLUGINS` lists module files (separated by `:`), each exporting a
 * session kind's hub half as `kind` and/or its host half as `runtime`. The hub registers the
 * kinds, every host the runtimes, so a kind can be added without touching this tree.
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { importModule } from "../core/importModule.js";

export const PLUGINS_VARIABLE = "DISPATCH_PLUGINS";

/** The plug-in module files named in the environment, as absolute paths. */
export function pluginPaths(env: NodeJS.ProcessEnv): string[] {
  return (env[PLUGINS_VARIABLE] ?? "")
    .split(":")
    .map((path) => path.trim())
    .filter((path) => path.length > 0)
    .map((path) => (isAbsolute(path) ? path : resolve(path)));
}

/** Imports every plug-in module; a module that fails to load stops the process with its path. */
export async function loadPlugins(env: NodeJS.ProcessEnv): Promise<Record<string, unknown>[]> {
  const modules: Record<string, unknown>[] = [];
  for (const path of pluginPaths(env)) {
    try {
      modules.push((await importModule(pathToFileURL(path).href)) as Record<string, unknown>);
    } catch (err) {
      throw new Error(`cannot load plug-in '${path}' (from ${PLUGINS_VARIABLE}): ${(err as Error).message}`);
    }
  }
  return modules;
}
