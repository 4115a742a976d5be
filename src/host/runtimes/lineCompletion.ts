/**
 * What Tab does to a line with the completions its host found (a workspace's kernel): one match
 * replaces the word; several put in their common start and are listed, in columns, for the line
 * to be drawn again below them (as IPython's terminal and bash do); none leave it be.
 */
import { columns } from "./lineScreen.js";

/** What completes the word at the cursor: `matches` for the line's `[start, end)` (in characters). */
export interface Completion {
  start: number;
  end: number;
  matches: string[];
}

/** A completion, or why there is none to offer (shown above the line). */
export type CompletionAnswer = Completion | { note: string };

/** Bound on completions listed: the rest are counted. */
const MAX_LISTED = 200;
const DIM = "\x1b[2m";
const RESET = "\x1b[0m";

/**
 * The line (one entry per character) and cursor after Tab, with the text to show above it;
 * undefined when nothing changes.
 */
export function completed(
  chars: readonly string[],
  cursor: number,
  answer: CompletionAnswer,
  cols: number,
): { chars: string[]; cursor: number; list?: string } | undefined {
  if ("note" in answer) return { chars: [...chars], cursor, list: `${DIM}${answer.note}${RESET}\r\n` };
  const { matches } = answer;
  if (matches.length === 0) return undefined;
  const start = Math.max(0, Math.min(answer.start, chars.length));
  const end = Math.max(start, Math.min(answer.end, chars.length));
  const word = chars.slice(start, end).join("");
  const common = matches.length === 1 ? (matches[0] as string) : commonPrefix(matches);
  let line = [...chars];
  let at = cursor;
  if (matches.length === 1 || common.length > word.length) {
    const typed = [...common];
    line = [...chars.slice(0, start), ...typed, ...chars.slice(end)];
    at = start + typed.length;
  }
  if (matches.length === 1) return { chars: line, cursor: at };
  const listed = matches.slice(0, MAX_LISTED);
  const more = matches.length - listed.length;
  const list = `${columns(listed, cols)}${more > 0 ? `${DIM}… and ${more} more${RESET}\r\n` : ""}`;
  return { chars: line, cursor: at, list };
}

function commonPrefix(words: readonly string[]): string {
  let prefix = words[0] ?? "";
  for (const word of words) while (!word.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}
