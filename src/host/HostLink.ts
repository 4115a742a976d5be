/**
 * The host end of one WebSocket to a hub, whoever opened it (the hub over the local Unix
 * socket, or the host dialing a remote hub). Validates every inbound message; a hub that
 * sends garbage gets an error logged and the message dropped.
 */
import type { Logger } from "pino";
import type { WebSocket } from "ws";
import { HubToHostMessage, MAX_HOST_MESSAGE_BYTES } from "../protocol/host.js";
import type { HostDaemon, HubPeer } from "./HostDaemon.js";

export function bindHubSocket(socket: WebSocket, daemon: HostDaemon, logger: Logger): void {
  const peer: HubPeer = {
    send: (wire, onWritten) => {
      if (socket.readyState === socket.OPEN) socket.send(wire, () => onWritten());
      else onWritten();
    },
    close: (code, reason) => socket.close(code, reason),
  };
  socket.on("message", (raw, isBinary) => {
    if (isBinary) {
      logger.warn("hub sent a binary frame; the host protocol has none in this direction");
      return;
    }
    const text = raw.toString();
    if (text.length > MAX_HOST_MESSAGE_BYTES) {
      logger.warn({ bytes: text.length }, "hub message too large; dropped");
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      logger.warn("hub sent malformed JSON; dropped");
      return;
    }
    const parsed = HubToHostMessage.safeParse(json);
    if (!parsed.success) {
      logger.warn({ issues: parsed.error.issues.slice(0, 3) }, "hub sent an invalid message; dropped");
      // A newer hub's request this host does not know still gets its answer, so the hub says
      // "upgrade the host" at once instead of waiting for its timeout.
      const request = json as { type?: unknown; ref?: unknown };
      if (typeof request.ref === "number" && typeof request.type === "string")
        daemon.refuseRequest(request.ref, request.type);
      return;
    }
    logger.trace({ type: parsed.data.type }, "hub message");
    try {
      daemon.handle(peer, parsed.data);
    } catch (err) {
      logger.error({ err }, "failed to handle hub message");
    }
  });
  socket.on("close", () => daemon.disconnect(peer));
  socket.on("error", (err) => logger.warn({ err }, "hub socket error"));
  daemon.connect(peer);
}
