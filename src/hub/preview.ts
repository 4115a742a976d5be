/**
 * The last line a session printed, as plain text, for session lists and previews. Only the
 * tail of the newest output is examined, so this costs the same for any history size.
 */

import { stripEscapes } from "../core/plainText.js";

const TAIL_BYTES = 2048;
const MAX_PREVIEW_CHARS = 160;

const decoder = new TextDecoder();

/**
 * Returns the last non-empty line in `data`, or `previous` when it has none. Read from the end
 * back, a line at a time, escapes stripped from that line only: splitting the whole stripped
 * tail made a string per line (~700 for `yes`), and stripping it one per carriage return;
 * together nine tenths of everything the hub allocated during a flood.
 */
export function lastLine(data: Uint8Array, previous: string): string {
  const tail = decoder.decode(data.length > TAIL_BYTES ? data.subarray(data.length - TAIL_BYTES) : data);
  let end = tail.length;
  while (end > 0) {
    const start = tail.lastIndexOf("\n", end - 1) + 1;
    // Carriage returns are control characters: stripped with the escapes.
    const line = stripEscapes(tail.slice(start, end)).trim();
    if (line.length > 0) return line.slice(0, MAX_PREVIEW_CHARS);
    end = start - 1;
  }
  return previous;
}
