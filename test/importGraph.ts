/**
 * What a module loads at run time: our modules it reaches through relative imports (`import
 * type` left out, as the build drops them) and the packages each of them imports. For tests of
 * what a worker thread loads as it starts, which is its start-up CPU.
 */
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../src");
const IMPORT = /^import\s+(?!type\s)(?:[^"']*?\sfrom\s+)?["']([^"']+)["']/gm;

export interface ImportGraph {
  /** Our modules, as paths under src/ (`hub/search/indexWorker.ts`). */
  modules: string[];
  /** Each package imported (`@xterm/headless`, `node:fs`), with the modules importing it. */
  packages: Map<string, string[]>;
}

/** The import graph of `entry`, a path under src/. */
export function importGraph(entry: string): ImportGraph {
  const seen = new Set<string>();
  const packages = new Map<string, string[]>();
  const walk = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const [, specifier] of readFileSync(join(SRC, file), "utf8").matchAll(IMPORT)) {
      const name = specifier as string;
      if (name.startsWith(".")) walk(relative(SRC, join(SRC, dirname(file), name.replace(/\.js$/, ".ts"))));
      else packages.set(name, [...(packages.get(name) ?? []), file]);
    }
  };
  walk(entry);
  return { modules: [...seen], packages };
}
