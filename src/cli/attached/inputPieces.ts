/**
 * Keys to send in pieces that each fit in one message to the hub, in order. Typed while the
 * hub was away, they were sent as one input once it was back, and a paste over
 * `MAX_CLIENT_MESSAGE_BYTES` was refused whole.
 */
import { MAX_CLIENT_MESSAGE_BYTES } from "../../protocol/client.js";

/** Most JSON bytes of one piece: half the limit leaves room for the rest of the message. */
const PIECE_BYTES = MAX_CLIENT_MESSAGE_BYTES / 2;

export function inputPieces(keys: string, pieceBytes = PIECE_BYTES): string[] {
  const pieces: string[] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < keys.length; i++) {
    const code = keys.charCodeAt(i);
    // A surrogate pair stays in one piece: its halves alone are not UTF-8.
    const pair = code >= 0xd800 && code <= 0xdbff && i + 1 < keys.length;
    const cost = pair ? 4 : jsonBytes(code);
    if (bytes + cost > pieceBytes && i > start) {
      pieces.push(keys.slice(start, i));
      start = i;
      bytes = 0;
    }
    bytes += cost;
    if (pair) i++;
  }
  if (start < keys.length) pieces.push(keys.slice(start));
  return pieces;
}

/** At most what one UTF-16 unit takes in the JSON message, as UTF-8 (`\u001b` for a control). */
function jsonBytes(code: number): number {
  if (code < 0x20) return 6;
  if (code === 0x22 || code === 0x5c) return 2;
  return code < 0x80 ? 1 : code < 0x800 ? 2 : 3;
}
