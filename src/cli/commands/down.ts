/**
 * `dispatch down [--keep-history] [--remove-worktrees]`: stop every session of the project
 * (removed with their history unless kept, so a later `up` continues them). What a removed
 * session leaves on disk (an agent's worktree and branch) is kept, and said, unless asked.
 */
import type { Command } from "commander";
import { EXIT_ERROR, UsageError } from "../exitCodes.js";
import { HubClient } from "../HubClient.js";
import { projectName } from "../project/locate.js";
import { sayLeftBehind, stopProjectSession } from "../project/stopSession.js";
import { formatColumns, statusText } from "../sessionTable.js";

export function registerDown(program: Command): void {
  program
    .command("down")
    .description("stop the project's sessions")
    .option("-f, --file <path>", "the project file (default: dispatch.toml here or above)")
    .option("-p, --project <name>", "the project by name instead of a file")
    .option("--keep-history", "keep the stopped sessions and their output (`dispatch up` continues them)")
    .option(
      "--remove-worktrees",
      "remove agents' worktrees and branches too, when that loses nothing (uncommitted changes, unmerged commits)",
    )
    .action(down);
}

async function down(options: {
  file?: string;
  project?: string;
  keepHistory?: boolean;
  removeWorktrees?: boolean;
}): Promise<void> {
  if (options.keepHistory && options.removeWorktrees)
    throw new UsageError(
      "--remove-worktrees goes without --keep-history: a kept agent is continued by `up` in its worktree",
    );
  const client = HubClient.locate();
  const name = projectName(options, client.paths);
  const sessions = (await client.listSessions()).filter((s) => s.project === name);
  if (sessions.length === 0) {
    console.error(`project '${name}' has no sessions`);
    return;
  }
  const keepHistory = options.keepHistory === true;
  const rows = await Promise.all(
    sessions.map(async (session) => {
      try {
        const { after, left } = await stopProjectSession(client, session, {
          keepHistory,
          removeWorktrees: options.removeWorktrees === true,
        });
        return {
          name: session.name,
          did: keepHistory ? "stopped" : "removed",
          status: statusText(after),
          ...(left ? { left } : {}),
        };
      } catch (err) {
        return {
          name: session.name,
          did: "failed",
          status: err instanceof Error ? err.message : String(err),
        };
      }
    }),
  );
  console.log(
    formatColumns(
      ["NAME", "DID", "STATUS"],
      rows.map((r) => [r.name, r.did, r.status]),
      "  ",
    ),
  );
  const refused = sayLeftBehind(rows);
  if (refused || rows.some((r) => r.did === "failed")) process.exitCode = EXIT_ERROR;
}
