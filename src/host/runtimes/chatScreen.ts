/**
 * What a chat writes on a terminal (its `output` bytes): the opening lines, the echo of each
 * message, the reply's text and the notes under it. Clients that render the conversation from
 * `chat` events read none of it.
 */

import { MAX_HISTORY_BYTES } from "../../kinds/chat/conversation.js";
import { CUT_REPLY_NOTE } from "../../kinds/chat/events.js";

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

/** A dim line of its own, about the chat rather than in it. */
export function aside(text: string): string {
  return `\x1b[2m${text}\x1b[0m\r\n`;
}

export function opening(model: string, profile: string, forkedFrom: string | undefined): string {
  return aside(`chat with ${model} (${profile}${forkedFrom ? `, forked from ${forkedFrom}` : ""})`);
}

export function omittedNote(omitted: number): string {
  return aside(
    `(the ${omitted} oldest message${omitted === 1 ? "" : "s"} left out: the conversation is longer than ${MAX_HISTORY_BYTES / (1024 * 1024)} MiB, the most a chat takes along)`,
  );
}

export function restoredNote(count: number): string {
  return aside(`conversation restored (${plural(count, "message")})`);
}

/** The person's message, bold after `> `, with a blank line before the reply. */
export function userEcho(text: string): string {
  return `\r\n\x1b[1m> ${crlf(text)}\x1b[0m\r\n\r\n`;
}

/** Under a reply the provider stopped at the model's length limit. */
export const CUT_LINE = aside(`[${CUT_REPLY_NOTE}]`);

/** Under a reply stopped midway (`cancelled`, or why the host stopped it). */
export function stoppedLine(note: string): string {
  return `\r\n${aside(`[${note}]`)}`;
}

export function errorLine(message: string): string {
  return `\r\n\x1b[31merror: ${message}\x1b[0m\r\n`;
}

/** Terminals need `\r\n`; model text has bare `\n`. */
export function crlf(text: string): string {
  return text.replace(/\r?\n/g, "\r\n");
}
