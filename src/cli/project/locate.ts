/**
 * Which project a command means: `--file F`, else the `dispatch.toml` in this directory or
 * the nearest one above it (a repository's root); for the commands that need only the name
 * (`ps`, `down`), `--project P` or the current project do too.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { SessionInfo } from "../../protocol/session.js";
import { UsageError } from "../exitCodes.js";
import type { HubClient } from "../HubClient.js";
import { readProjectContext } from "../hostContext.js";
import { projectInHub, suffixOf } from "./checkout.js";
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

/**
 * The project a command is about, by its name in the hub (this checkout's, when found from its
 * file), its sessions there, and what the checkout's session names end with (`-2`; "" for the
 * first checkout, or a project given by name).
 */
export async function projectSessions(
  options: { project?: string; file?: string },
  hub: HubClient,
): Promise<{ name: string; sessions: SessionInfo[]; suffix: string }> {
  const all = await hub.listSessions();
  const found = options.project === undefined ? fromFile(options.file, all) : undefined;
  const name = options.project ?? found?.name ?? readProjectContext(hub.paths);
  if (name === undefined) {
    throw new UsageError(
      `which project? no ${PROJECT_FILE} here or above and no current project; pass --project NAME or --file F`,
    );
  }
  return { name, sessions: all.filter((s) => s.project === name), suffix: found?.suffix ?? "" };
}

function fromFile(
  file: string | undefined,
  sessions: readonly SessionInfo[],
): { name: string; suffix: string } | undefined {
  const path = file !== undefined ? resolve(file) : findProjectFile();
  if (path === undefined) return undefined;
  const project = openProjectFile(path);
  const name = projectInHub(project, sessions);
  return { name, suffix: suffixOf(project.name, name) };
}
