/**
 * What a line read at `dispatch chat`'s prompt becomes as a message to the chat.
 */
import { MAX_CLIENT_MESSAGE_BYTES } from "../../protocol/client.js";

/**
 * Control characters the chat would take as keys (`ChatConsole`: an input holding one is typed
 * at its line editor, `\x03` cancelling the reply in flight), not as text: a terminal's colours
 * in piped text, say. A line read here is text, so they are left out of the message, escape
 * sequences (`ESC [ 1 m`) whole. Tab stays. Sent as they were, the chat's text differed from
 * the line, and the prompt could not tell that line's reply from another's.
 */
const ESCAPE_SEQUENCE = /\x1b\[[0-?]*[ -/]*[@-~]/g;
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

/** The message a line read at the prompt sends (it may be empty: nothing to send). */
export function messageOf(line: string): string {
  return line.replace(ESCAPE_SEQUENCE, "").replace(CONTROL, "");
}

/**
 * Why `message` cannot be sent, or undefined: the hub refuses a message over
 * MAX_CLIENT_MESSAGE_BYTES, and the line was lost without a word.
 */
export function tooLong(message: string): string | undefined {
  const bytes = Buffer.byteLength(JSON.stringify(message)) + 200;
  if (bytes <= MAX_CLIENT_MESSAGE_BYTES) return undefined;
  return `not sent: the message is ${bytes} bytes, more than one message to the hub holds (${MAX_CLIENT_MESSAGE_BYTES}); send it in parts, or paste it in the web`;
}
