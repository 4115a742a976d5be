/**
 * Input cut to the size of one client message. The hub refuses a message over
 * MAX_CLIENT_MESSAGE_BYTES; a paste of a log or a generated file is easily larger, and was
 * refused whole. A character costs at most 6 bytes in JSON (`\u001b`), so pieces of an eighth
 * of the limit in characters stay well under it, whatever they hold.
 */
import { MAX_CLIENT_MESSAGE_BYTES } from "../../../src/protocol/client.js";

/** The most characters one input message carries. */
export const MAX_INPUT_PIECE = Math.floor(MAX_CLIENT_MESSAGE_BYTES / 8);

/**
 * `text` cut into pieces of at most `max` characters, never between the two halves of a
 * surrogate pair (an emoji), which would reach the hub as two invalid characters.
 */
export function inputPieces(text: string, max = MAX_INPUT_PIECE): string[] {
  if (text.length <= max) return [text];
  const pieces: string[] = [];
  for (let at = 0; at < text.length; ) {
    let end = Math.min(text.length, at + max);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && end - at > 1 && last >= 0xd800 && last <= 0xdbff) end--;
    pieces.push(text.slice(at, end));
    at = end;
  }
  return pieces;
}
