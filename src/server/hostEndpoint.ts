/**
 * The `/host` WebSocket where remote hosts dial in: `Authorization: Bearer HOST_TOKEN` is
 * checked at the upgrade (401 otherwise), and the socket becomes a `HostConnection` whose
 * identity the token decides. From there the host protocol is the local host's.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { WebSocketServer } from "ws";
import { HostConnection } from "../hub/HostConnection.js";
import type { HostMonitor } from "../hub/HostMonitor.js";
import { MAX_HOST_MESSAGE_BYTES } from "../protocol/host.js";
import { FailureLimiter } from "./auth.js";
import type { HostTokens } from "./HostTokens.js";

export const HOST_ENDPOINT_PATH = "/host";

export interface HostEndpointOptions {
  monitor: HostMonitor;
  tokens: HostTokens;
  logger: Logger;
}

export function registerHostEndpoint(app: FastifyInstance, options: HostEndpointOptions): void {
  const { monitor, tokens, logger } = options;
  // Its own limiter: hosts retrying a revoked token must not lock people out of the API.
  const limiter = new FailureLimiter();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_HOST_MESSAGE_BYTES });
  app.server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if ((request.url ?? "").split("?")[0] !== HOST_ENDPOINT_PATH) return;
    const address = request.socket.remoteAddress ?? "unknown";
    const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? "")?.[1]?.trim();
    const id = bearer && !limiter.isBlocked(address) ? tokens.verify(bearer) : undefined;
    if (!id) {
      limiter.recordFailure(address);
      logger.warn({ address }, "host refused: missing, unknown or revoked host token");
      socket.end(
        "HTTP/1.1 401 Unauthorized\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n" +
          "unknown or revoked host token; create one with `dispatch hosts token create NAME`\n",
      );
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      logger.info({ host: id, address }, "host dialed in");
      const link = logger.child({ host: id });
      new HostConnection(ws, monitor.eventsFor({ id, name: id, kind: "remote", address }), link);
    });
  });
  // preClose: the HTTP server waits for upgraded sockets before it closes.
  app.addHook("preClose", async () => {
    for (const client of wss.clients) client.terminate();
    wss.close();
  });
}
