/**
 * The last line a session printed, as plain text, for session lists and previews. Only the
 * tail of the newest output is examined, so this costs the same for any history size.
 */

import { stripEscapes } from "../core/plainText.js";

const TAIL_BYTES = 2048;
const MAX_PREVIEW_CHARS = 160;

const decoder = new TextDecoder();

/** Returns the last non-empty line in `data`, or `previous` when it has none. */
export function lastLine(data: Uint8Array, previous: string): string {
  const tail = decoder.decode(data.length > TAIL_BYTES ? data.subarray(data.length - TAIL_BYTES) : data);
  const lines = stripEscapes(tail).split(/\r?\n|\r/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = (lines[i] as string).trim();
    if (line.length > 0) return line.slice(0, MAX_PREVIEW_CHARS);
  }
  return previous;
}
