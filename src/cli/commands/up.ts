/**
 * `dispatch up [NAME...] [--file F]`: start what the project file declares and is not running,
 * restart what changed, stop what it no longer declares; print what was done. With names, only
 * those sessions and the ones they wait for, stopping nothing. Exit 1 when any session could
 * not come up (the others are up).
 */
import { dirname } from "node:path";
import type { Command } from "commander";
import { didYouMean } from "../../core/names.js";
import { EXIT_ERROR, UsageError } from "../exitCodes.js";
import { HubClient } from "../HubClient.js";
import { writeProjectContext } from "../hostContext.js";
import { bringUp } from "../project/bringUp.js";
import { sessionInHub, suffixOf } from "../project/checkout.js";
import { withDependencies } from "../project/dependencies.js";
import { openProjectFile } from "../project/locate.js";
import type { ProjectFile } from "../project/projectFile.js";
import { formatUpTable, summarize } from "../project/projectTable.js";
import { sayLeftBehind } from "../project/stopSession.js";

export function registerUp(program: Command): void {
  program
    .command("up")
    .argument("[names...]", "only these sessions, and those they wait for (`after`)")
    .description("bring the project in dispatch.toml up: create what is missing, restart what changed")
    .option("-f, --file <path>", "the project file (default: dispatch.toml here or in a parent directory)")
    .option("--json", "print the outcome per session as JSON")
    .action(up);
}

async function up(names: string[], options: { file?: string; json?: boolean }): Promise<void> {
  const project = openProjectFile(options.file);
  const only = names.length > 0 ? names : undefined;
  if (only) checkDeclared(project, only);
  const client = HubClient.locate();
  const { project: name, rows } = await bringUp(client, project, only ? { only } : {});
  writeProjectContext(client.paths, name);
  const failed = rows.filter((r) => r.error !== undefined);
  if (options.json) {
    console.log(JSON.stringify({ project: name, sessions: rows }, null, 2));
  } else if (rows.length === 0) {
    console.log(
      `${name}: nothing to bring up; ${project.path} declares no sessions (add a [[session]] table with a name and a command)`,
    );
  } else {
    console.log(formatUpTable(rows));
    if (name !== project.name) console.log(`\n${checkoutNote(project, name)}`);
    console.log(`\n${name}: ${summarize(rows)}`);
    // What sessions no longer declared left on disk, said as `down` says it.
    sayLeftBehind(rows);
  }
  for (const row of failed) console.error(`dispatch: ${row.name}: ${row.error}`);
  if (failed.length > 0) process.exitCode = EXIT_ERROR;
}

/** Why this checkout's names are not the declared ones, and which they are. */
function checkoutNote(project: ProjectFile, name: string): string {
  const suffix = suffixOf(project.name, name);
  const names = project.sessions.map((s) => `${s.name} → ${sessionInHub(s.name, suffix)}`).join(", ");
  return (
    `this checkout (${dirname(project.path)}) runs as project '${name}', its sessions as NAME${suffix} (${names}): ` +
    `another checkout of '${project.name}' held the name when it came up, and ${suffix} is the first suffix that gives none of them a name already in use`
  );
}

/** A name `up` is given must be one the file declares: said before anything starts. */
function checkDeclared(project: ProjectFile, names: readonly string[]): void {
  const declared = project.sessions.map((s) => s.name);
  const { unknown } = withDependencies(project.sessions, names);
  if (unknown.length === 0) return;
  throw new UsageError(
    unknown
      .map((name) => {
        const guess = didYouMean(name, declared);
        return `${project.path} declares no session '${name}'${guess ? ` — did you mean '${guess}'?` : ""} (it declares: ${declared.join(", ") || "none"})`;
      })
      .join("\n"),
  );
}
