/**
 * Messages a WebSocket is sent in one turn of the event loop (a page of history replayed to a
 * client, the acks of a commit to a host) leave in one write: the first send of the turn corks
 * the socket underneath and the turn's end uncorks it. Without it every message is its own
 * `writev` system call, and catching up after a hub restart costs thousands of them.
 */
import type { Socket } from "node:net";
import type { WebSocket } from "ws";

const corked = new WeakSet<Socket>();

export function corkForTurn(socket: WebSocket): void {
  // ws keeps its TCP socket in `_socket` and offers no cork of its own; its sender corks each
  // frame's header and payload the same way, nested inside this one.
  const raw = (socket as unknown as { _socket?: Socket })._socket;
  if (!raw || corked.has(raw) || typeof raw.cork !== "function") return;
  corked.add(raw);
  raw.cork();
  process.nextTick(() => {
    corked.delete(raw);
    raw.uncork();
  });
}
