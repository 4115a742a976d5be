/** Session runtimes this host can run, by the `runtime` a session kind names. */
import { DispatchError } from "../core/errors.js";
import { getKind } from "../kinds/registry.js";
import { ChatSession } from "./ChatSession.js";
import type { HostedSession, RuntimeContext, RuntimeFactory } from "./HostedSession.js";
import { PtySession } from "./PtySession.js";
import { StateGuesser } from "./StateGuesser.js";

const runtimes = new Map<string, RuntimeFactory>([
  ["pty", createPtySession],
  ["chat", (context) => new ChatSession(context)],
]);

export function registerRuntime(name: string, factory: RuntimeFactory): void {
  runtimes.set(name, factory);
}

export function runtimeFor(name: string): RuntimeFactory {
  const factory = runtimes.get(name);
  if (!factory) throw new DispatchError("bad_request", `this host cannot run '${name}' sessions`);
  return factory;
}

/** A PTY session; kinds that want it (agents) get their state guessed from output and idleness. */
function createPtySession(context: RuntimeContext): HostedSession {
  if (!getKind(context.spec.kind).guessesState) return new PtySession(context);
  let guesser: StateGuesser | undefined;
  const session = new PtySession({
    ...context,
    onEvent: (from, event) => {
      context.onEvent(from, event);
      guesser?.observe(event);
    },
    onExit: (ended) => {
      guesser?.dispose();
      context.onExit(ended);
    },
  });
  guesser = new StateGuesser({ emit: (data) => session.note("state", data) });
  return session;
}
