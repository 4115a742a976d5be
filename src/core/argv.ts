/**
 * A command line typed as one string (the web's create dialog, a project file's `command`)
 * split into argv the way a shell splits words: single and double quotes, backslash escapes,
 * no expansion (the host runs argv as is).
 */

export interface SplitWords {
  argv: string[];
  /** A quote left open at the end. */
  unclosed: '"' | "'" | null;
  /** The first unquoted character matching `stopAt`, when one was met (the split stops there). */
  stoppedAt?: string;
}

/** Splits `line`; an unquoted character matching `stopAt` (e.g. shell syntax) stops it. */
export function splitWords(line: string, stopAt?: RegExp): SplitWords {
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
    } else if (stopAt?.test(ch)) {
      return { argv, unclosed: null, stoppedAt: ch };
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) argv.push(current);
  return { argv, unclosed: quote };
}

/** argv of a typed command line (an open quote runs to the end, as the person typed it). */
export function splitCommand(line: string): string[] {
  return splitWords(line).argv;
}
