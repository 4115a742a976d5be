/**
 * A command written as one string in a project file, split into argv the way a shell splits
 * words (quotes and backslashes), with no shell in between: the host runs the program
 * itself, so a missing program is a clear failure to start rather than a shell's exit 127.
 * Shell syntax (pipes, `&&`, redirections, `$VAR`) is refused with the way to ask for a shell.
 */

const SHELL_SYNTAX = /[|&;<>()$`*?]/;

export type SplitCommand = { argv: string[] } | { error: string };

export function splitCommandLine(line: string): SplitCommand {
  const argv: string[] = [];
  let current = "";
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === "\\" && quote === '"' && i + 1 < line.length) current += line[++i];
      else current += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === "\\" && i + 1 < line.length) {
      current += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) argv.push(current);
      current = "";
      inWord = false;
    } else if (SHELL_SYNTAX.test(ch)) {
      return {
        error: `'${ch}' is shell syntax, and commands run without a shell; write command = ["sh", "-c", ${JSON.stringify(line)}]`,
      };
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (quote) return { error: `unclosed ${quote} quote` };
  if (inWord) argv.push(current);
  if (argv.length === 0) return { error: "the command is empty" };
  return { argv };
}
