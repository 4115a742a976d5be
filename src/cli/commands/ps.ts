/** `dispatch ps [--project P]`: the project's sessions, on every host, with their health. */
import type { Command } from "commander";
import { HubClient } from "../HubClient.js";
import { projectSessions } from "../project/locate.js";
import { formatPsTable } from "../project/projectTable.js";

export function registerPs(program: Command): void {
  program
    .command("ps")
    .description("the current project's sessions with their health (= ls --project P)")
    .option("-p, --project <name>", "this project (default: dispatch.toml here, else the current project)")
    .option("-f, --file <path>", "the project of this file")
    .option("--json", "print the sessions as a JSON array")
    .action(ps);
}

async function ps(options: { project?: string; file?: string; json?: boolean }): Promise<void> {
  const client = HubClient.locate();
  const { name, sessions } = await projectSessions(options, client);
  if (options.json) console.log(JSON.stringify(sessions, null, 2));
  else if (sessions.length === 0)
    console.error(`project '${name}' has no sessions — start it with \`dispatch up\``);
  else console.log(formatPsTable(sessions));
}
