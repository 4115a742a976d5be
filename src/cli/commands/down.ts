/**
 * `dispatch down [NAME...] [--keep-history] [--remove-worktrees]`: stop every session of the
 * project, or only the named ones (removed with their history unless kept, so a later `up`
 * continues them). What a removed
 * session leaves on disk (an agent's worktree and branch) is kept, and said, unless asked.
 */
import type { Command } from "commander";
import { didYouMean } from "../../core/names.js";
import type { SessionInfo } from "../../protocol/session.js";
import { EXIT_ERROR, UsageError } from "../exitCodes.js";
import { HubClient } from "../HubClient.js";
import { sessionInHub } from "../project/checkout.js";
import { projectSessions } from "../project/locate.js";
import { sayLeftBehind, stopProjectSession } from "../project/stopSession.js";
import { formatColumns, statusText } from "../sessionTable.js";

export function registerDown(program: Command): void {
  program
    .command("down")
    .argument("[names...]", "only these sessions of the project")
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

async function down(
  names: string[],
  options: {
    file?: string;
    project?: string;
    keepHistory?: boolean;
    removeWorktrees?: boolean;
  },
): Promise<void> {
  if (options.keepHistory && options.removeWorktrees)
    throw new UsageError(
      "--remove-worktrees goes without --keep-history: a kept agent is continued by `up` in its worktree",
    );
  const client = HubClient.locate();
  const { name, sessions: all, suffix } = await projectSessions(options, client);
  if (all.length === 0) {
    console.error(`project '${name}' has no sessions`);
    return;
  }
  // In a second checkout `db` is `db-2` in the hub: either name will do.
  const have = new Set(all.map((s) => s.name));
  const inHub = names.map((n) =>
    !have.has(n) && have.has(sessionInHub(n, suffix)) ? sessionInHub(n, suffix) : n,
  );
  const sessions = names.length > 0 ? named(all, inHub, name) : all;
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

/** The project's sessions of these names; a name that is none of them is a usage error. */
function named(sessions: readonly SessionInfo[], names: readonly string[], project: string): SessionInfo[] {
  const have = sessions.map((s) => s.name);
  const unknown = names.filter((n) => !have.includes(n));
  if (unknown.length > 0) {
    throw new UsageError(
      unknown
        .map((n) => {
          const guess = didYouMean(n, have);
          return `project '${project}' has no session '${n}'${guess ? ` — did you mean '${guess}'?` : ""} (it has: ${have.join(", ")})`;
        })
        .join("\n"),
    );
  }
  return sessions.filter((s) => names.includes(s.name));
}
