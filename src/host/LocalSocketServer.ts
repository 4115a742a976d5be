/**
 * Serves the host protocol on a Unix socket (mode 0600) for the hub on the same machine.
 */
import { chmodSync, unlinkSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { Logger } from "pino";
import { WebSocketServer } from "ws";
import { MAX_HOST_MESSAGE_BYTES } from "../protocol/host.js";
import type { HostDaemon } from "./HostDaemon.js";
import { bindHubSocket } from "./HostLink.js";

export async function listenLocal(socketPath: string, daemon: HostDaemon, logger: Logger): Promise<Server> {
  try {
    // A socket file left by a host that died; main.ts has checked no host is alive.
    unlinkSync(socketPath);
  } catch {
    // No stale socket: nothing to remove.
  }
  const server = createServer((_req, res) => {
    res.writeHead(426).end("dispatch host: WebSocket only\n");
  });
  const wss = new WebSocketServer({ server, maxPayload: MAX_HOST_MESSAGE_BYTES });
  wss.on("connection", (socket) => bindHubSocket(socket, daemon, logger));
  const previousUmask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(socketPath, () => resolve());
    });
  } finally {
    process.umask(previousUmask);
  }
  chmodSync(socketPath, 0o600);
  return server;
}
