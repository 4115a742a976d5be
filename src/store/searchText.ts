/**
 * How stored output becomes searchable lines, and how a query's words match a line: shared by
 * both engines' search indexes so they find the same lines.
 */
import { plainLines } from "../core/plainText.js";

/** A line still open after this many characters is indexed as it is (a runaway line without `\n`). */
const MAX_CARRY_CHARS = 4096;
/** More words than this in one search are ignored (the query stays small). */
const MAX_WORDS = 16;

/** The words of a search pattern (letters and digits), lower case; empty when it has none. */
export function searchWords(pattern: string): string[] {
  return wordsOf(pattern).slice(0, MAX_WORDS);
}

function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * The plain-text lines one output event completes, given the start of a line left open by the
 * events before it (`carry`); returns the new carry.
 */
export function completedLines(carry: string, text: string): { lines: string[]; carry: string } {
  const all = carry + text;
  const end = all.lastIndexOf("\n");
  let rest = end < 0 ? all : all.slice(end + 1);
  let complete = end < 0 ? "" : all.slice(0, end);
  if (rest.length > MAX_CARRY_CHARS) {
    complete = `${complete}\n${rest}`;
    rest = "";
  }
  return { lines: plainLines(complete), carry: rest };
}

/** Whether every word starts some word of `line` (what an index matched, narrowed to one line). */
export function lineHasWords(line: string, words: readonly string[]): boolean {
  // Cheap first: most lines of a matching row hold none of the words.
  const lower = line.toLowerCase();
  if (!words.every((word) => lower.includes(word))) return false;
  const own = wordsOf(line);
  return words.every((word) => own.some((w) => w.startsWith(word)));
}
