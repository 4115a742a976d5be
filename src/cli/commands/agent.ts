/**
 * Agent sessions: `dispatch new --agent` (via `createAgentSession`), `dispatch agent diff
 * NAME` (the agent's changes in its worktree) and `dispatch agent finish NAME` (remove the
 * worktree safely).
 */
import type { Command } from "commander";
import { generateName } from "../../core/names.js";
import { AgentOptions, type AgentWorktree } from "../../kinds/agent.js";
import type { SessionInfo } from "../../protocol/session.js";
import { agentProfile, loadConfig } from "../config.js";
import { UsageError } from "../exitCodes.js";
import { HubClient } from "../HubClient.js";
import { createWorktree, finishWorktree, worktreeDiff } from "../worktree.js";

export interface AgentSessionRequest {
  profile: string;
  name: string | undefined;
  cwd: string;
  worktree: boolean;
  branch: string | undefined;
  extraArgs: string[];
  size: { cols?: number; rows?: number };
}

export async function createAgentSession(request: AgentSessionRequest): Promise<SessionInfo> {
  if (request.branch !== undefined && !request.worktree)
    throw new UsageError("--branch goes with --worktree");
  const profile = agentProfile(loadConfig(), request.profile);
  const client = HubClient.locate();
  let name = request.name;
  let worktree: AgentWorktree | undefined;
  if (request.worktree) {
    // The worktree is named after the session, so the name is settled first.
    if (name === undefined) {
      const taken = new Set((await client.listSessions()).map((s) => s.name));
      name = generateName((candidate) => taken.has(candidate));
    }
    worktree = createWorktree({
      cwd: request.cwd,
      name,
      ...(request.branch !== undefined ? { branch: request.branch } : {}),
    });
  }
  try {
    return await client.createSession({
      kind: "agent",
      ...(name !== undefined ? { name } : {}),
      command: [profile.command, ...profile.args, ...request.extraArgs],
      cwd: worktree?.path ?? request.cwd,
      env: profile.env,
      options: { profile: request.profile, ...(worktree ? { worktree } : {}) },
      ...request.size,
    });
  } catch (err) {
    // No session to work in it: the fresh worktree and branch go again.
    if (worktree) finishWorktree(worktree, { force: true, keepBranch: false });
    throw err;
  }
}

export function registerAgent(program: Command): void {
  const agent = program
    .command("agent")
    .description("AI coding agent sessions (create one with `dispatch new --agent`)");
  agent
    .command("diff")
    .description("show the changes an agent made in its worktree, against the commit it started from")
    .argument("<name>", "session name")
    .option("--stat", "a summary per file instead of the full diff")
    .action(async (name: string, options: { stat?: boolean }) => {
      const worktree = await worktreeOf(name);
      process.stdout.write(worktreeDiff(worktree, options.stat ? ["--stat"] : []));
    });
  agent
    .command("finish")
    .description("remove an agent's worktree (refuses when it has uncommitted changes, unless --force)")
    .argument("<name>", "session name")
    .option("--keep-branch", "keep the agent's branch (default: delete it when it is merged)")
    .option("--force", "discard uncommitted changes and unmerged commits; stop the agent if it still runs")
    .action(async (name: string, options: { keepBranch?: boolean; force?: boolean }) => {
      const client = HubClient.locate();
      const session = await client.getSession(name);
      const worktree = parseWorktree(session);
      if (session.status === "running" || session.status === "starting") {
        if (!options.force)
          throw new UsageError(
            `agent '${session.name}' is still running; stop it first (dispatch kill ${session.name}) or pass --force`,
          );
        await client.killSession(session.name);
      }
      const result = finishWorktree(worktree, {
        force: options.force === true,
        keepBranch: options.keepBranch === true,
      });
      console.log(
        `removed ${result.removed}; branch ${result.branch} ${result.branchKept ? "kept" : "deleted"}`,
      );
    });
}

async function worktreeOf(name: string): Promise<AgentWorktree> {
  return parseWorktree(await HubClient.locate().getSession(name));
}

function parseWorktree(session: SessionInfo): AgentWorktree {
  const options = AgentOptions.safeParse(session.options ?? {});
  if (session.kind !== "agent" || !options.success)
    throw new UsageError(`'${session.name}' is not an agent session`);
  if (!options.data.worktree)
    throw new UsageError(
      `agent '${session.name}' has no worktree (create one with \`dispatch new --agent P --worktree\`)`,
    );
  return options.data.worktree;
}
