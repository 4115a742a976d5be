/**
 * Which project a command means: `--file F`, else the `dispatch.toml` in this directory or
 * the nearest one above it (a repository's root); for the commands that need only the name
 * (`ps`, `down`), `--project P` or the current project do too.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { HomePaths } from "../../platform/home.js";
import { UsageError } from "../exitCodes.js";
import { readProjectContext } from "../hostContext.js";
import { loadProjectFile, PROJECT_FILE, type ProjectFile } from "./projectFile.js";

export function findProjectFile(from: string = process.cwd()): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, PROJECT_FILE);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

export function openProjectFile(file: string | undefined): ProjectFile {
  const path = file !== undefined ? resolve(file) : findProjectFile();
  if (!path) {
    throw new UsageError(
      `no ${PROJECT_FILE} in ${process.cwd()} or above it; write one with \`dispatch init\`, or pass --file`,
    );
  }
  return loadProjectFile(path);
}

/** The project a command is about, by name. */
export function projectName(options: { project?: string; file?: string }, paths: HomePaths): string {
  if (options.project) return options.project;
  if (options.file !== undefined) return openProjectFile(options.file).name;
  const found = findProjectFile();
  if (found) return loadProjectFile(found).name;
  const current = readProjectContext(paths);
  if (current) return current;
  throw new UsageError(
    `which project? no ${PROJECT_FILE} here or above and no current project; pass --project NAME or --file F`,
  );
}
