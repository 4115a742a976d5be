/**
 * `dispatch up [--file F]`: start what the project file declares and is not running, restart
 * what changed, stop what it no longer declares; print what was done. Exit 1 when any
 * session could not come up (the others are up).
 */
import type { Command } from "commander";
import { EXIT_ERROR } from "../exitCodes.js";
import { HubClient } from "../HubClient.js";
import { writeProjectContext } from "../hostContext.js";
import { bringUp } from "../project/bringUp.js";
import { openProjectFile } from "../project/locate.js";
import { formatUpTable, summarize } from "../project/projectTable.js";
import { sayLeftBehind } from "../project/stopSession.js";

export function registerUp(program: Command): void {
  program
    .command("up")
    .description("bring the project in dispatch.toml up: create what is missing, restart what changed")
    .option("-f, --file <path>", "the project file (default: dispatch.toml here or in a parent directory)")
    .option("--json", "print the outcome per session as JSON")
    .action(up);
}

async function up(options: { file?: string; json?: boolean }): Promise<void> {
  const project = openProjectFile(options.file);
  const client = HubClient.locate();
  const rows = await bringUp(client, project);
  writeProjectContext(client.paths, project.name);
  const failed = rows.filter((r) => r.error !== undefined);
  if (options.json) {
    console.log(JSON.stringify({ project: project.name, sessions: rows }, null, 2));
  } else if (rows.length === 0) {
    console.log(
      `${project.name}: nothing to bring up; ${project.path} declares no sessions (add a [[session]] table with a name and a command)`,
    );
  } else {
    console.log(formatUpTable(rows));
    console.log(`\n${project.name}: ${summarize(rows)}`);
    // What sessions no longer declared left on disk, said as `down` says it.
    sayLeftBehind(rows);
  }
  for (const row of failed) console.error(`dispatch: ${row.name}: ${row.error}`);
  if (failed.length > 0) process.exitCode = EXIT_ERROR;
}
