/** `dispatch ls [--json] [--host NAME [--include-orphaned]] [--project P]`: name, kind, status, foreground command, age, last activity, bytes. */
import type { Command } from "commander";
import type { SessionInfo } from "../../protocol/session.js";
import { HubClient } from "../HubClient.js";
import { HostsApi } from "../hostsApi.js";
import { inProject } from "../project/checkout.js";
import { byCheckout, type CheckoutGroup, checkoutHeading } from "../project/checkoutList.js";
import { SeenState } from "../seenState.js";
import { formatSessionTable } from "../sessionTable.js";
import { sayBytesUnknown } from "../storedBytes.js";
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

/** `dispatch ls` with `options`; also `dispatch` with no arguments and no terminal (`pick.ts`). */
export async function list(options: {
  json?: boolean;
  verbose?: boolean;
  host?: string;
  includeOrphaned?: boolean;
  project?: string;
}): Promise<void> {
  const client = HubClient.locate();
  const { sessions: listed, unknown } =
    options.host === undefined
      ? await client.listStoredSessions()
      : await new HostsApi(client).sessions(options.host, options.includeOrphaned === true);
  const table = { ...options, bytesUnknown: unknown !== undefined };
  const { project } = options;
  // Another checkout of the project runs as `NAME-2`: listed too, under its own heading.
  const sessions = project === undefined ? listed : listed.filter((s) => inProject(s, project));
  // The hub lists its sessions without its store; only the bytes each log holds need it.
  if (sessions.length > 0) sayBytesUnknown("BYTES", unknown);
  const groups = project === undefined ? [] : byCheckout(sessions, project);
  if (groups.length > 1 && !options.json) {
    const format = (group: CheckoutGroup) => formatTable(group.sessions, table, client);
    console.log(groups.map((g) => `${checkoutHeading(g, project as string)}\n${format(g)}`).join("\n\n"));
  } else if (options.json) {
    console.log(JSON.stringify(sessions, null, 2));
  } else if (sessions.length === 0) {
    console.error("no sessions — create one with `dispatch new`");
  } else {
    console.log(formatTable(sessions, table, client));
  }
}

function formatTable(
  sessions: SessionInfo[],
  options: { verbose?: boolean; bytesUnknown: boolean },
  client: HubClient,
): string {
  const { bytesUnknown } = options;
  if (!options.verbose) return formatSessionTable(sessions, { bytesUnknown });
  const seen = SeenState.inHome(client.paths.home);
  return formatVerboseTable(sessions, {
    bytesUnknown,
    isUnread: (s) => seen.isUnread(s),
    ...terminalWidth(),
  });
}

/** The width to fit: the terminal's, or `COLUMNS` (set by shells, and by tests); none for a pipe. */
function terminalWidth(): { width?: number } {
  if (process.stdout.isTTY && process.stdout.columns) return { width: process.stdout.columns };
  const columns = Number(process.env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? { width: columns } : {};
}
