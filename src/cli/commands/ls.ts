/** `dispatch ls [--json]`: name, kind, status, foreground command, age, last activity, bytes. */
import type { Command } from "commander";
import { HubClient } from "../HubClient.js";
import { formatSessionTable } from "../sessionTable.js";

export function registerLs(program: Command): void {
  program
    .command("ls")
    .description("list sessions")
    .option("--json", "print the sessions as a JSON array (stable field names)")
    .action(list);
}

async function list(options: { json?: boolean }): Promise<void> {
  const sessions = await HubClient.locate().listSessions();
  if (options.json) {
    console.log(JSON.stringify(sessions, null, 2));
  } else if (sessions.length === 0) {
    console.error("no sessions — create one with `dispatch new`");
  } else {
    console.log(formatSessionTable(sessions));
  }
}
