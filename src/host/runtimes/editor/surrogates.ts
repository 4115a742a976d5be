/**
 * Keeping characters whole in the editor's Yjs document. A character outside Unicode's basic
 * plane (an emoji, many CJK ideographs) is two UTF-16 code units, a surrogate pair, and
 * positions count code units. Yjs stores and sends strings as UTF-8, where half a pair cannot
 * exist: a string cut inside a pair, or an item split there, reaches the log with each half
 * as U+FFFD (and Yjs puts U+FFFD in the live document too when it splits one). So the host
 * never inserts, deletes or cuts at a position inside a pair, nor inserts a lone half.
 */

/** U+FFFD, what a half of a pair becomes in UTF-8. */
export const REPLACEMENT = "\uFFFD";

function isHigh(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLow(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Whether `position` falls between the two halves of a pair in `text`. */
export function splitsPair(text: string, position: number): boolean {
  return isHigh(text.charCodeAt(position - 1)) && isLow(text.charCodeAt(position));
}

/** The end of a chunk of about `size` code units from `at`: one less when it would split a pair. */
export function chunkEnd(text: string, at: number, size: number): number {
  const end = Math.min(at + size, text.length);
  return end > at + 1 && splitsPair(text, end) ? end - 1 : end;
}

const LONE_HALF = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Where `text` holds half a pair on its own (it could only be stored as U+FFFD), or -1. */
export function loneHalfAt(text: string): number {
  return text.search(LONE_HALF);
}

/** A range of code units where a text lost characters to U+FFFD (`from` inclusive, `to` not). */
export interface LostRange {
  from: number;
  to: number;
}

/**
 * Where `damaged` is `whole` with halves of pairs turned into U+FFFD and nothing else changed
 * (what an old host's load left in the log of a file nobody edited), as ranges of whole pairs;
 * undefined when the texts differ in any other way (someone edited).
 */
export function lostHalves(damaged: string, whole: string): LostRange[] | undefined {
  if (damaged.length !== whole.length) return undefined;
  const ranges: LostRange[] = [];
  for (let at = 0; at < whole.length; at++) {
    if (damaged.charCodeAt(at) === whole.charCodeAt(at)) continue;
    if (damaged[at] !== REPLACEMENT) return undefined;
    // The whole pair is put back, so the repair neither cuts nor inserts half of one.
    const from = isLow(whole.charCodeAt(at)) ? at - 1 : at;
    if (!splitsPair(whole, from + 1)) return undefined;
    for (const half of [from, from + 1]) {
      if (damaged.charCodeAt(half) !== whole.charCodeAt(half) && damaged[half] !== REPLACEMENT)
        return undefined;
    }
    const last = ranges.at(-1);
    if (last && last.to === from) last.to = from + 2;
    else ranges.push({ from, to: from + 2 });
    at = from + 1;
  }
  return ranges;
}

/** How many U+FFFD `text` holds. */
export function replacementCount(text: string): number {
  let count = 0;
  for (let at = text.indexOf(REPLACEMENT); at !== -1; at = text.indexOf(REPLACEMENT, at + 1)) count++;
  return count;
}

/**
 * The smallest middle change from `current` to `next` (common prefix and suffix kept, as the
 * kind's `replaceText`), widened so neither end falls inside a pair of either text.
 */
export function middleChange(current: string, next: string): { start: number; end: number } {
  const max = Math.min(current.length, next.length);
  let start = 0;
  while (start < max && current.charCodeAt(start) === next.charCodeAt(start)) start++;
  // The prefix is the same in both: a high half at its end has its partner after it in one.
  if (start > 0 && isHigh(current.charCodeAt(start - 1))) start--;
  let end = 0;
  while (
    end < max - start &&
    current.charCodeAt(current.length - 1 - end) === next.charCodeAt(next.length - 1 - end)
  )
    end++;
  if (end > 0 && isLow(current.charCodeAt(current.length - end))) end--;
  return { start, end };
}

/** "'😀' (U+1F600)" for the character at `position` of `text`, for messages. */
export function describeCharacter(text: string, position: number): string {
  const code = text.codePointAt(position) ?? 0;
  return `'${String.fromCodePoint(code)}' (U+${code.toString(16).toUpperCase().padStart(4, "0")})`;
}
