/**
 * Commander's usage errors in dispatch's style: one line, `dispatch: <message>` (`exitCodes.ts`).
 * Commander words an unknown command or option as `error: unknown command 'lss'` and puts its
 * guess on a line of its own (`(Did you mean ls?)`); dispatch says `no command 'lss' — did you
 * mean 'ls'?`, as for an unknown session, and where the list is.
 */
import type { Command } from "commander";
import { errorMessage } from "./exitCodes.js";

/** Every command of `program` (registered by now) prints its usage errors as one line. */
export function oneLineUsageErrors(program: Command): void {
  const visit = (command: Command, path: string): void => {
    command.configureOutput({
      outputError: (text, write) => write(`dispatch: ${usageErrorLine(text, path)}\n`),
    });
    for (const sub of command.commands) visit(sub, `${path} ${sub.name()}`);
  };
  visit(program, program.name());
}

/**
 * Commander's error `text` (perhaps several lines) as one line. `commandPath` is the command
 * it is about (`dispatch hosts token`), whose `--help` lists what may be given.
 */
export function usageErrorLine(text: string, commandPath: string): string {
  const [first = "", ...rest] = text
    .trim()
    .replace(/^error: /, "")
    .split("\n");
  const unknown = /^unknown (command|option) '(.*)'$/.exec(first);
  if (!unknown) return errorMessage([first, ...rest].map((line) => line.trim()).join(" "));
  const [, what, given] = unknown;
  const guesses = commanderGuesses(rest.join(" "));
  const guess = guesses.length > 0 ? ` — did you mean ${guesses.map((g) => `'${g}'`).join(" or ")}?` : "";
  return errorMessage(`no ${what} '${given}'${guess} (${commandPath} --help lists them)`);
}

/** The names in commander's `(Did you mean ls?)` or `(Did you mean one of a, b?)`. */
function commanderGuesses(text: string): string[] {
  const names = /^\(Did you mean (?:one of )?(.+)\?\)$/.exec(text.trim())?.[1];
  return names ? names.split(", ") : [];
}
