/** Session runtimes this host can run, by the `runtime` a session kind names. */
import { DispatchError } from "../core/errors.js";
import type { RuntimeFactory } from "./HostedSession.js";
import { PtySession } from "./PtySession.js";

const runtimes = new Map<string, RuntimeFactory>([["pty", (context) => new PtySession(context)]]);

export function registerRuntime(name: string, factory: RuntimeFactory): void {
  runtimes.set(name, factory);
}

export function runtimeFor(name: string): RuntimeFactory {
  const factory = runtimes.get(name);
  if (!factory) throw new DispatchError("bad_request", `this host cannot run '${name}' sessions`);
  return factory;
}
