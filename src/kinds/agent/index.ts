/**
 * `agent`: an AI coding agent CLI (claude, codex, gemini, aider, ...) in a PTY, optionally in
 * its own git worktree (host runtime: `host/runtimes/agent.ts`). The CLI resolves the profile
 * into a command; the hub keeps the profile and worktree in the session's `meta`. Agents
 * report their state with `dispatch notify` (the `notify` command; a token for that one
 * session is in their environment); the host guesses it from output and idleness for agents
 * that have no hooks. Either way it arrives as a `state` event.
 */
import { z } from "zod";
import { DispatchError } from "../../core/errors.js";
import { AgentState, AgentStatus, StateData } from "../../protocol/agentState.js";
import { parseOrBadRequest } from "../../protocol/parse.js";
import type { SessionRecord } from "../../protocol/session.js";
import { command, type SessionKind } from "../kind.js";
import { isSandboxed, reviveWithOldScreen, sandboxParts } from "../terminal/index.js";

export const AgentWorktree = z.object({
  /** The repository's top-level directory the worktree was made from. */
  repo: z.string().min(1),
  /** The worktree's directory (the session's cwd). */
  path: z.string().min(1),
  branch: z.string().min(1),
  /** Commit the branch started from: `dispatch agent diff` compares against it. */
  base: z.string().regex(/^[0-9a-f]{7,64}$/),
});
export type AgentWorktree = z.infer<typeof AgentWorktree>;

export const AgentOptions = z.object({
  profile: z.string().min(1).max(64),
  worktree: AgentWorktree.optional(),
  /** Agents run in a sandbox unless asked not to (`--no-sandbox`): see `kinds/terminal`. */
  sandbox: z.boolean().optional(),
});
export type AgentOptions = z.infer<typeof AgentOptions>;

/** `notify`: what the agent's hook reports. */
export const NotifyArgs = z.object({
  state: AgentState,
  message: z.string().max(2000).default(""),
});

export const agentKind: SessionKind = {
  name: "agent",
  label: "agent",
  screen: true,
  sessionToken: true,
  prepare({ command, options }) {
    if (command.length === 0)
      throw new DispatchError("bad_request", "an agent session needs a command (its profile's)");
    const agent = parseOrBadRequest(AgentOptions, options ?? {}, "invalid agent options");
    const sandbox = sandboxParts(agent.sandbox !== false);
    return { meta: { agent, ...sandbox.meta }, spawn: sandbox.spawn };
  },
  events: { state: StateData },
  fold(record, event) {
    if (event.type !== "state") return undefined;
    return { meta: { ...record.meta, agentState: { ...event.data, at: event.ts } } };
  },
  describe(record) {
    const created = record.meta.agent as Record<string, unknown> | undefined;
    const options = created && isSandboxed(record) ? { ...created, sandbox: true } : created;
    const agent = agentStatus(record);
    return { ...(options ? { options } : {}), ...(agent ? { agent } : {}) };
  },
  revive: reviveWithOldScreen,
  commands: {
    notify: command({
      description: "report the agent's state (what its hook runs)",
      args: NotifyArgs,
      // The host emits the `state` event: seqs are assigned where events are born.
      run: (context, args) => context.host("notify", { ...args, source: "hook" }),
    }),
  },
};

/** The last reported or guessed state; once the agent has ended, done or failed by its exit. */
function agentStatus(record: SessionRecord): AgentStatus | undefined {
  const parsed = AgentStatus.safeParse(record.meta.agentState);
  if (record.status === "exited" || record.status === "failed") {
    if (parsed.success && (parsed.data.state === "done" || parsed.data.state === "failed"))
      return parsed.data;
    return {
      state: record.exitCode === 0 ? "done" : "failed",
      message: record.reason ?? (record.exitCode !== null ? `exit code ${record.exitCode}` : ""),
      source: "exit",
      at: record.lastActivityAt,
    };
  }
  return parsed.success ? parsed.data : undefined;
}
