/**
 * Waiting for a client's WebSocket to drain: `ws` has no drain event of its own, so what is
 * queued for the client (`bufferedAmount`) is looked at every few milliseconds. Used by the
 * output's catch-up (`clientChannel`) and by the requests held for a client that does not
 * read its replies (`RequestValve`).
 */
import type { WebSocket } from "ws";

/** How often a draining socket is looked at. */
const DRAIN_POLL_MS = 10;

/**
 * Calls `callback` once the socket holds at most `bytes` unsent, or is no longer open (the
 * caller finds out which). Returns what cancels the wait.
 */
export function whenDrained(socket: WebSocket, bytes: number, callback: () => void): () => void {
  let timer: NodeJS.Timeout;
  const check = () => {
    if (socket.readyState !== socket.OPEN || socket.bufferedAmount <= bytes) callback();
    else timer = setTimeout(check, DRAIN_POLL_MS);
  };
  timer = setTimeout(check, DRAIN_POLL_MS);
  return () => clearTimeout(timer);
}
