/**
 * The end of a session's stored output for `dispatch logs --tail N`: pages back from the newest
 * event until the last N lines are in hand, so a session with a gigabyte of history costs what
 * its last lines cost, not the whole log.
 */
import type { HubClient } from "./HubClient.js";

/** Events per page read backwards. */
const PAGE_EVENTS = 500;
const NEWLINE = 0x0a;

export interface Tail {
  /** The last lines of output, raw bytes (escape sequences kept, as `logs` writes them). */
  bytes: Buffer;
  /** The newest event read: live output (`--follow`) continues after it. */
  lastSeq: number;
}

export async function tailOf(client: HubClient, name: string, lines: number): Promise<Tail> {
  const chunks: Buffer[] = [];
  let newlines = 0;
  // The newest seq first: history pages back from just after it.
  const { lastSeq } = await client.events(name, 0, 1);
  let before = lastSeq + 1;
  for (;;) {
    const page = await client.history(name, before, PAGE_EVENTS);
    if (page.events.length === 0) break;
    for (let i = page.events.length - 1; i >= 0; i--) {
      const event = page.events[i] as { type: string; data: unknown };
      if (event.type !== "output" || typeof event.data !== "string") continue;
      const chunk = Buffer.from(event.data, "base64");
      chunks.unshift(chunk);
      newlines += countNewlines(chunk);
    }
    // One newline more than lines: the one before the first line wanted (a last line that ends
    // in a newline counts it too).
    if (newlines > lines) break;
    before = (page.events[0] as { seq: number }).seq;
    if (before <= page.firstSeq) break;
  }
  return { bytes: lastLines(Buffer.concat(chunks), lines), lastSeq };
}

/** The last `lines` lines of `output`; a final line without its newline is one of them. */
export function lastLines(output: Buffer, lines: number): Buffer {
  if (lines <= 0) return Buffer.alloc(0);
  let end = output.length;
  if (end > 0 && output[end - 1] === NEWLINE) end--;
  let seen = 0;
  for (let i = end - 1; i >= 0; i--) {
    if (output[i] === NEWLINE && ++seen === lines) return output.subarray(i + 1);
  }
  return output;
}

function countNewlines(chunk: Buffer): number {
  let count = 0;
  for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, at + 1)) count++;
  return count;
}
