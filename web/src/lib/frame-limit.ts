/**
 * What the page may send the hub in one message: at most `MAX_CLIENT_MESSAGE_BYTES` of JSON.
 * The hub refuses a larger one anyway: with an error up to `MAX_CLIENT_FRAME_BYTES`, past that
 * by closing the link, and a browser still uploading the message may see that close only as a
 * lost link ("Not connected to the hub"). Measured here, it is not sent: the person is told at
 * once what was too large, and the link stays. (Typed and pasted keys go in pieces below the
 * limit, `input-pieces.ts`; this is for the rest: a cell's `input()` answer, an editor's edit.)
 */
import { mib } from "../../../src/core/byteSize.js";
import { MAX_CLIENT_MESSAGE_BYTES } from "../../../src/protocol/client.js";

const encoder = new TextEncoder();

/** Why `frame` (a message as sent) is not sent, or undefined when it may go. */
export function oversizedFrame(frame: string): string | undefined {
  // A UTF-16 code unit is at most 3 bytes of UTF-8: a frame this short needs no measuring.
  if (frame.length * 3 <= MAX_CLIENT_MESSAGE_BYTES) return undefined;
  const bytes = encoder.encode(frame).byteLength;
  if (bytes <= MAX_CLIENT_MESSAGE_BYTES) return undefined;
  return `Not sent: ${mib(bytes)} is over the ${MAX_CLIENT_MESSAGE_BYTES / 1024 / 1024} MiB the hub takes in one message. Send less at once: a large text from a file rather than pasted whole.`;
}
