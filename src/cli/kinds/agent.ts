/**
 * The agent kind's CLI verbs: `dispatch new --agent` (via `createAgentSession`), `dispatch
 * agent diff NAME` (the agent's changes in its worktree), `dispatch agent finish NAME` (remove
 * the worktree safely) and `dispatch notify --state STATE [--message TEXT]`, run inside an
 * agent session by the agent's hook to report its state to the hub. The session, its token
 * (good for that session alone) and the hub's address come from the environment the session
 * was started with.
 */
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { z } from "zod";
import { DispatchError } from "../../core/errors.js";
import { isLiveStatus } from "../../core/liveness.js";
import { generateName } from "../../core/names.js";
import { AgentOptions, type AgentWorktree, agentKind } from "../../kinds/agent/index.js";
import { reviveAdvice } from "../../kinds/reviveAdvice.js";
import { HUB_HOST_ID } from "../../protocol/hosts.js";
import type { SessionInfo } from "../../protocol/session.js";
import { agentProfile, type DispatchConfig, loadConfig } from "../config.js";
import { UsageError } from "../exitCodes.js";
import { HubClient } from "../HubClient.js";
import { HostsApi } from "../hostsApi.js";
import {
  branchExists,
  createWorktree,
  ensureWorktree,
  finishRefusals,
  finishWorktree,
  requireWorktreeHere,
  worktreeDiff,
} from "../worktree.js";
import { registerNotify } from "./agentNotify.js";
import type { CliKind, DeclaredFields, LeftBehind } from "./cliKind.js";
import { readDeclaredOptions } from "./declaredOptions.js";

export const agentCli: CliKind = {
  kind: agentKind.name,
  register(program) {
    registerAgent(program);
    registerNotify(program);
  },
  declare: declareAgent,
  leftBehind: agentLeftBehind,
  reviveRefusal: agentReviveRefusal,
};

/** What a project file gives an agent session (`options = { profile = "claude" }`). */
const DeclaredAgent = z.object({
  profile: z.string().min(1),
  sandbox: z.boolean().optional(),
  worktree: z.boolean().optional(),
  branch: z.string().min(1).optional(),
});

/**
 * A declared agent as `dispatch new --agent PROFILE [--worktree] [--branch B]` makes it: the
 * profile's command and args, then the declaration's `command` as extra args; the profile's
 * env under the declaration's; with `worktree`, run in the session's worktree of the repository
 * its `cwd` is in, made on the first `up` and kept from then on.
 */
function declareAgent(declared: DeclaredFields, config: () => DispatchConfig): DeclaredFields {
  const { worktree, branch, ...options } = readDeclaredOptions(
    agentKind.name,
    DeclaredAgent,
    declared.options,
  );
  if (branch !== undefined && worktree !== true)
    throw new UsageError("'options.branch' goes with worktree = true");
  const profile = agentProfile(config(), options.profile);
  if (worktree)
    requireWorktreeHere(declared.runsOn, {
      asked: "worktree = true",
      instead: "create it there and declare its directory as the session's cwd",
    });
  const made = worktree
    ? ensureWorktree({ cwd: declared.cwd, name: declared.name, ...(branch !== undefined ? { branch } : {}) })
    : undefined;
  return {
    ...declared,
    cwd: made?.path ?? declared.cwd,
    command: [profile.command, ...profile.args, ...declared.command],
    env: { ...profile.env, ...declared.env },
    options: { ...options, ...(made ? { worktree: made } : {}) },
  };
}

/** A removed agent's worktree and branch: kept, saying so, unless asked to remove them. */
function agentLeftBehind(session: SessionInfo, options: { remove: boolean }): LeftBehind | undefined {
  const parsed = AgentOptions.safeParse(session.options ?? {});
  const worktree = parsed.success ? parsed.data.worktree : undefined;
  if (!worktree || !existsSync(worktree.path)) return undefined;
  // The hint holds for `down` and for `up` (a session no longer declared, which no later
  // `down --remove-worktrees` finds): git itself removes them.
  if (!options.remove)
    return {
      ok: true,
      said: `kept its worktree ${worktree.path} and branch ${worktree.branch} (once merged: git -C ${worktree.repo} worktree remove ${worktree.path} && git -C ${worktree.repo} branch -d ${worktree.branch})`,
    };
  const refusals = finishRefusals(worktree, { keepBranch: false });
  if (refusals.length > 0)
    return { ok: false, said: `kept its worktree, nothing was removed: ${refusals.join("; ")}` };
  const result = finishWorktree(worktree, { force: false, keepBranch: false });
  return {
    ok: true,
    said: `removed its worktree ${result.removed}; branch ${result.branch} ${result.branchKept ? "kept" : "deleted"}`,
  };
}

/**
 * An agent whose worktree is gone (`dispatch agent finish` removed it) would be started in a
 * directory that is not there. Judged only where the worktree was made: with its repository
 * missing too, this is not that machine, and the hub's answer stands.
 */
function agentReviveRefusal(session: SessionInfo): string | undefined {
  const parsed = AgentOptions.safeParse(session.options ?? {});
  const worktree = parsed.success ? parsed.data.worktree : undefined;
  if (!parsed.success || !worktree || existsSync(worktree.path) || !existsSync(worktree.repo))
    return undefined;
  const { repo, path, branch } = worktree;
  const gone = `agent '${session.name}' cannot be revived: its worktree ${path} is gone (\`dispatch agent finish\` removes it)`;
  if (branchExists(worktree))
    return `${gone}; its branch ${branch} is kept: make the worktree again with \`git -C ${repo} worktree add ${path} ${branch}\`, then ${reviveAdvice(session.name, agentKind.revivedAs)}`;
  return `${gone}, and its branch ${branch} with it: start a new agent (\`dispatch new --agent ${parsed.data.profile} --worktree --cwd ${repo}\`)`;
}

export interface AgentSessionRequest {
  profile: string;
  name: string | undefined;
  /** The host to run on (`--host`, else the host context); undefined: the hub's own. */
  host: string | undefined;
  cwd: string;
  worktree: boolean;
  branch: string | undefined;
  /** false: `--no-sandbox`; undefined: the kind's default (sandboxed). */
  sandbox?: boolean;
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
    // Before anything is made: a worktree made here is no use to an agent on another machine.
    requireWorktreeHere(await new HostsApi(client).get(request.host ?? HUB_HOST_ID), {
      asked: "--worktree",
      instead: "create it there and pass --cwd",
    });
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
      kind: agentKind.name,
      ...(name !== undefined ? { name } : {}),
      ...(request.host !== undefined ? { host: request.host } : {}),
      command: [profile.command, ...profile.args, ...request.extraArgs],
      cwd: worktree?.path ?? request.cwd,
      env: profile.env,
      options: {
        profile: request.profile,
        ...(worktree ? { worktree } : {}),
        ...(request.sandbox !== undefined ? { sandbox: request.sandbox } : {}),
      },
      ...request.size,
    });
  } catch (err) {
    // No session to work in it: the fresh worktree and branch go again.
    if (worktree) finishWorktree(worktree, { force: true, keepBranch: false });
    throw err;
  }
}

function registerAgent(program: Command): void {
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
    .description(
      "remove an agent's worktree and branch (refuses, removing nothing, while it runs, has uncommitted changes or unmerged commits, unless --force)",
    )
    .argument("<name>", "session name")
    .option("--keep-branch", "keep the agent's branch (default: delete it when it is merged)")
    .option("--force", "discard uncommitted changes and unmerged commits; stop the agent if it still runs")
    .action(async (name: string, options: { keepBranch?: boolean; force?: boolean }) => {
      const client = HubClient.locate();
      const session = await client.getSession(name);
      const worktree = parseWorktree(session);
      const running = isLiveStatus(session.status);
      if (!options.force) {
        // Everything finish would refuse for is found before anything is stopped or removed:
        // a refusal leaves the agent's worktree for it to be revived in.
        const refusals = [
          ...(running ? [`it is still running (stop it first: dispatch kill ${session.name})`] : []),
          ...finishRefusals(worktree, { keepBranch: options.keepBranch === true }),
        ];
        if (refusals.length > 0) {
          const message = `cannot finish agent '${session.name}', nothing was removed: ${refusals.join("; ")}; or pass --force to ${running ? "stop it and " : ""}discard it all`;
          // Only a running agent is a usage mistake (exit 2); work that would be lost is a conflict.
          throw refusals.length === 1 && running
            ? new UsageError(message)
            : new DispatchError("conflict", message);
        }
      }
      if (running) await client.killSession(session.name);
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
  if (session.kind !== agentKind.name || !options.success)
    throw new UsageError(`'${session.name}' is not an agent session`);
  if (!options.data.worktree)
    throw new UsageError(
      `agent '${session.name}' has no worktree (create one with \`dispatch new --agent P --worktree\`)`,
    );
  return options.data.worktree;
}
