/**
 * `agent`: an AI coding agent CLI (claude, codex, gemini, aider, ...) in a PTY, optionally in
 * its own git worktree. The CLI resolves the profile into a command; the hub keeps the
 * profile and worktree in the session's `meta`. Agents report their state with
 * `dispatch notify` (a token for that one session is in their environment); the host guesses
 * it from output and idleness for agents that have no hooks.
 */
import { z } from "zod";
import { DispatchError } from "../core/errors.js";
import type { SessionKind } from "./kind.js";

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
});
export type AgentOptions = z.infer<typeof AgentOptions>;

export const agentKind: SessionKind = {
  name: "agent",
  label: "agent",
  runtime: "pty",
  guessesState: true,
  sessionToken: true,
  resolveCommand(command) {
    if (command.length === 0)
      throw new DispatchError("bad_request", "an agent session needs a command (its profile's)");
    return [...command];
  },
  prepareOptions(options) {
    const parsed = AgentOptions.safeParse(options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DispatchError(
        "bad_request",
        `invalid agent options: '${issue?.path.join(".")}': ${issue?.message ?? "?"}`,
      );
    }
    return { meta: { agent: parsed.data }, spawn: {} };
  },
};
