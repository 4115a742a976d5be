/**
 * A WebSocket upgrade refused before it became a socket: a plain HTTP answer with why, so the
 * CLI and a person reading the browser's network tab see the reason, not a bare reset.
 */
import type { Duplex } from "node:stream";

export function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const reason = {
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    503: "Service Unavailable",
  }[status];
  socket.end(
    `HTTP/1.1 ${status} ${reason ?? "Refused"}\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${message}\n`,
  );
}
