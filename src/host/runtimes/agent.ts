/**
 * `agent`: an AI coding agent in a PTY (the terminal runtime), plus its state. The agent's
 * hook reports it with the `notify` command (`dispatch notify`); until it does, a
 * `StateGuesser` guesses from output and idleness. Either way the state is a `state` event
 * born here, where the session's seqs are assigned.
 */
import { DispatchError } from "../../core/errors.js";
import { StateData } from "../../protocol/agentState.js";
import { parseOrBadRequest } from "../../protocol/parse.js";
import type { RuntimeContext } from "./runtime.js";
import { StateGuesser } from "./StateGuesser.js";
import { TerminalRuntime } from "./terminal.js";

export class AgentRuntime extends TerminalRuntime {
  private readonly guesser: StateGuesser;

  constructor(context: RuntimeContext) {
    const guesser = new StateGuesser({ emit: (data) => context.events.emit("state", data) });
    super({
      ...context,
      events: {
        output: (data) => {
          context.events.output(data);
          guesser.observe(data);
        },
        emit: (type, data) => context.events.emit(type, data),
      },
      exited: () => {
        guesser.dispose();
        context.exited();
      },
    });
    this.guesser = guesser;
  }

  command(name: string, args: unknown): unknown {
    if (name !== "notify")
      throw new DispatchError("bad_request", `agent sessions have no host command '${name}'`);
    // The hook is exact: from now on no more guesses.
    this.guesser.dispose();
    this.context.events.emit("state", parseOrBadRequest(StateData, args, "invalid state"));
    return { ok: true };
  }

  override dispose(): void {
    this.guesser.dispose();
    super.dispose();
  }
}
