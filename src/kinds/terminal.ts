/** `terminal`: a PTY running the user's shell or a given command. */
import type { SessionKind } from "./kind.js";

export function defaultShell(env: Record<string, string | undefined>): string {
  return env.SHELL && env.SHELL.length > 0 ? env.SHELL : "/bin/bash";
}

export const terminalKind: SessionKind = {
  name: "terminal",
  label: "terminal",
  runtime: "pty",
  resolveCommand(command, { env }) {
    return command.length > 0 ? [...command] : [defaultShell(env)];
  },
};
