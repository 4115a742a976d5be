/**
 * The `/host` WebSocket where remote hosts dial in: `Authorization: Bearer HOST_TOKEN` is
 * checked at the upgrade (401 otherwise), and the socket becomes a `HostConnection` whose
 * identity the token decides. From there the host protocol is the local host's.
 *
 * Wrong tokens count in the hub's one failure limiter; a valid token is accepted at once and
 * never counted, so a noisy neighbour on the same address cannot keep a healthy host out.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { WebSocketServer } from "ws";
import { toDispatchError } from "../core/errors.js";
import { HostConnection } from "../hub/HostConnection.js";
import type { HostMonitor } from "../hub/HostMonitor.js";
import { MAX_HOST_MESSAGE_BYTES } from "../protocol/host.js";
import type { FailureLimiter } from "./auth.js";
import type { HostTokens } from "./HostTokens.js";

export const HOST_ENDPOINT_PATH = "/host";

export interface HostEndpointOptions {
  monitor: HostMonitor;
  tokens: HostTokens;
  logger: Logger;
  limiter: FailureLimiter;
}

export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** The upgrade handler for `/host` (the app routes upgrades by path). */
export function hostEndpoint(app: FastifyInstance, options: HostEndpointOptions): UpgradeHandler {
  const { monitor, tokens, logger, limiter } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_HOST_MESSAGE_BYTES });
  // preClose: the HTTP server waits for upgraded sockets before it closes.
  app.addHook("preClose", async () => {
    for (const client of wss.clients) client.terminate();
    wss.close();
  });
  return (request, socket, head) => {
    const address = request.socket.remoteAddress ?? "unknown";
    const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? "")?.[1]?.trim() ?? "";
    limiter
      .attempt(address, () => tokens.verify(bearer))
      .then(
        (id) => {
          if (!id) {
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
        },
        (err: unknown) => {
          socket.end(
            `HTTP/1.1 429 Too Many Requests\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${toDispatchError(err).message}\n`,
          );
        },
      );
  };
}
