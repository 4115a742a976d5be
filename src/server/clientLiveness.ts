/**
 * The hub's half of a client link's keepalive. Clients ping the hub (the web UI notices a dead
 * link that way); the hub pings them, so that a client whose network died without a word (a
 * laptop closed, a Wi-Fi gone) is let go: until then it stays attached, listed as present to
 * everyone watching the session, and its window size still counts. Without this it lingers
 * until the operating system gives up on the TCP connection, which takes many minutes.
 *
 * Every `everyMs` each client gets a WebSocket ping (browsers and the `ws` library answer it
 * themselves); one that has not answered the previous ping by then is closed.
 */
import type { WebSocket, WebSocketServer } from "ws";

export const CLIENT_PING_MS = 30_000;

export function watchClientLiveness(wss: WebSocketServer, everyMs: number = CLIENT_PING_MS): () => void {
  const watched = new WeakSet<WebSocket>();
  const answered = new WeakSet<WebSocket>();
  const timer = setInterval(() => {
    for (const socket of wss.clients) {
      if (!watched.has(socket)) {
        // First seen: counts as answered, so it has a whole period to answer its first ping.
        watched.add(socket);
        answered.add(socket);
        socket.on("pong", () => answered.add(socket));
      }
      if (!answered.has(socket)) {
        socket.terminate();
        continue;
      }
      answered.delete(socket);
      socket.ping();
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
