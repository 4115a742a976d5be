/**
 * An agent's state, as its hook reports it (`dispatch notify`) or the host guesses it. Part of
 * the protocol because the session record carries the latest one (`SessionInfo.agent`) for
 * every client; the agent kind (`kinds/agent`) owns the `state` event that sets it.
 */
import { z } from "zod";

/** What an agent is doing: working, waiting for the person, or finished (well or not). */
export const AgentState = z.enum(["working", "waiting", "done", "failed"]);
export type AgentState = z.infer<typeof AgentState>;
/**
 * Where a state came from: `hook` (the agent said so, via `dispatch notify`), `guess` (from
 * output and idleness), `exit` (derived from the process's exit code).
 */
export const StateSource = z.enum(["hook", "guess", "exit"]);
export const StateData = z.object({
  state: AgentState,
  message: z.string().max(2000).default(""),
  source: StateSource,
});
export type StateData = z.infer<typeof StateData>;

/** The latest structured state of an agent session (from its `state` events). */
export const AgentStatus = z.object({
  state: AgentState,
  message: z.string(),
  source: StateSource,
  at: z.number(),
});
export type AgentStatus = z.infer<typeof AgentStatus>;
