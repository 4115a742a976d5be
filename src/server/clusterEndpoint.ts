/**
 * `/cluster/peer`: where other nodes of the cluster hand this node host messages for the
 * hosts linked to it (`hub/cluster/PeerLinks` dials it). `Authorization: Bearer PEER_TOKEN`
 * (derived from the owner key every node shares) is checked at the upgrade; each message is
 * parsed, handled by the hub's cluster part and answered on the same socket.
 */
import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { WebSocketServer } from "ws";
import type { ClusterNode } from "../hub/cluster/ClusterNode.js";
import { encodePeerReply } from "../hub/cluster/PeerRequests.js";
import { MAX_PEER_MESSAGE_BYTES, PeerMessage } from "../protocol/cluster.js";

export { PEER_ENDPOINT_PATH } from "../protocol/cluster.js";

import type { UpgradeHandler } from "./hostEndpoint.js";

export interface ClusterEndpointOptions {
  cluster: ClusterNode;
  peerToken: string;
  logger: Logger;
}

export function clusterEndpoint(app: FastifyInstance, options: ClusterEndpointOptions): UpgradeHandler {
  const { cluster, peerToken, logger } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PEER_MESSAGE_BYTES });
  app.addHook("preClose", async () => {
    for (const client of wss.clients) client.terminate();
    wss.close();
  });
  const expected = Buffer.from(peerToken);
  return (request, socket, head) => {
    const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? "")?.[1]?.trim() ?? "";
    const given = Buffer.from(bearer);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      logger.warn({ address: request.socket.remoteAddress }, "peer node refused: wrong cluster credential");
      socket.end(
        "HTTP/1.1 401 Unauthorized\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n" +
          "wrong cluster credential: every node needs the same DISPATCH_KEY\n",
      );
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      // A message over the limit (from a node of another release) closes this socket alone; an
      // 'error' without a listener would be thrown, and take the whole node down with it.
      ws.on("error", (err) => logger.warn({ err }, "peer node link failed; it dials again on next use"));
      ws.on("message", (data) => {
        let message: PeerMessage;
        try {
          message = PeerMessage.parse(JSON.parse(String(data)));
        } catch (err) {
          logger.warn({ err }, "peer node sent a message this node does not understand");
          return;
        }
        cluster.handlePeer(message).then(
          (reply) => {
            if (reply && ws.readyState === ws.OPEN) ws.send(encodePeerReply(reply));
          },
          (err: unknown) => logger.error({ err }, "peer request failed"),
        );
      });
    });
  };
}
