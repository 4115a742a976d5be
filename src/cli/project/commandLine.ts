/**
 * A command written as one string in a project file, split into argv the way a shell splits
 * words (quotes and backslashes), with no shell in between: the host runs the program
 * itself, so a missing program is a clear failure to start rather than a shell's exit 127.
 * Shell syntax (pipes, `&&`, redirections, `$VAR`) is refused with the way to ask for a shell.
 */

import { splitWords } from "../../core/argv.js";

const SHELL_SYNTAX = /[|&;<>()$`*?]/;

export type SplitCommand = { argv: string[] } | { error: string };

export function splitCommandLine(line: string): SplitCommand {
  const split = splitWords(line, SHELL_SYNTAX);
  if (split.stoppedAt !== undefined) {
    return {
      error: `'${split.stoppedAt}' is shell syntax, and commands run without a shell; write command = ["sh", "-c", ${JSON.stringify(line)}]`,
    };
  }
  if (split.unclosed) return { error: `unclosed ${split.unclosed} quote` };
  if (split.argv.length === 0) return { error: "the command is empty" };
  return { argv: split.argv };
}
