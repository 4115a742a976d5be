/** `dispatch ls [--json] [--host NAME [--include-orphaned]] [--project P]`: name, kind, status, foreground command, age, last activity, bytes. */
import type { Command } from "commander";
import { HubClient } from "../HubClient.js";
import { HostsApi } from "../hostsApi.js";
import { SeenState } from "../seenState.js";
import { formatSessionTable } from "../sessionTable.js";
import { formatVerboseTable } from "../verboseTable.js";

export function registerLs(program: Command): void {
  program
    .command("ls")
    .description("list sessions")
    .option("--json", "print the sessions as a JSON array (stable field names, see docs/CLI.md)")
    .option("-v, --verbose", "also host, event count, unread marker (●) and the last output line")
    .option("--host <name>", "only the sessions of this host (orphaned ones need --include-orphaned)")
    .option("--include-orphaned", "with --host: also list orphaned sessions")
    .option("-p, --project <name>", "only the sessions of this project (`dispatch ps` adds their health)")
    .action(list);
}

async function list(options: {
  json?: boolean;
  verbose?: boolean;
  host?: string;
  includeOrphaned?: boolean;
  project?: string;
}): Promise<void> {
  const client = HubClient.locate();
  const listed =
    options.host === undefined
      ? await client.listSessions({ stored: true })
      : await new HostsApi(client).sessions(options.host, options.includeOrphaned === true);
  const sessions =
    options.project === undefined ? listed : listed.filter((s) => s.project === options.project);
  if (options.json) {
    console.log(JSON.stringify(sessions, null, 2));
  } else if (sessions.length === 0) {
    console.error("no sessions — create one with `dispatch new`");
  } else if (options.verbose) {
    const seen = SeenState.inHome(client.paths.home);
    console.log(formatVerboseTable(sessions, { isUnread: (s) => seen.isUnread(s), ...terminalWidth() }));
  } else {
    console.log(formatSessionTable(sessions));
  }
}

/** The width to fit: the terminal's, or `COLUMNS` (set by shells, and by tests); none for a pipe. */
function terminalWidth(): { width?: number } {
  if (process.stdout.isTTY && process.stdout.columns) return { width: process.stdout.columns };
  const columns = Number(process.env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? { width: columns } : {};
}
