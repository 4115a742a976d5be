/**
 * The client WebSocket at `/ws`, where browsers and the CLI connect. A browser's Origin must be
 * this hub's own; the person is authenticated at the upgrade (a refusal audited as a failed
 * sign-in, a store that could not be read to check it not: `signInAudit`), their open sockets
 * counted against `SocketQuota`, and the `101` carries the hub's key proof back. Each socket
 * becomes a `ClientConnection`, pinged while it lives (`clientLiveness`).
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { type WebSocket, WebSocketServer } from "ws";
import { toDispatchError } from "../core/errors.js";
import { InputStreams } from "../core/InputStreams.js";
import type { HostMonitor } from "../hub/HostMonitor.js";
import type { Hub } from "../hub/Hub.js";
import { HUB_PROOF_HEADER } from "../platform/keyProof.js";
import { MAX_CLIENT_FRAME_BYTES } from "../protocol/client.js";
import type { Authenticator } from "./auth.js";
import type { Gate } from "./authorize.js";
import { ClientConnection } from "./ClientConnection.js";
import { watchClientLiveness } from "./clientLiveness.js";
import type { UpgradeHandler } from "./hostEndpoint.js";
import { arrivalOf } from "./keyProofs.js";
import type { HubMetrics } from "./metrics.js";
import { SocketQuota } from "./SocketQuota.js";
import { auditFailedSignIn } from "./signInAudit.js";
import { refuseUpgrade } from "./upgradeRefusal.js";

export const CLIENT_ENDPOINT_PATH = "/ws";

/** What a socket not signed in at its upgrade may send before its hello (`capUntilGreeted`). */
const PRE_HELLO_BYTES = 64 * 1024;
/** How long its close frame gets to go out before the socket is ended. */
const PRE_HELLO_CLOSE_MS = 1_000;

export interface ClientEndpointOptions {
  hub: Hub;
  auth: Authenticator;
  gate: Gate;
  logger: Logger;
  /** Believe X-Forwarded-For / -Proto from a proxy in front. */
  trustProxy: boolean;
  /** Remote hosts' changes, pushed to clients as `host` messages. */
  hosts?: HostMonitor | undefined;
  metrics?: HubMetrics | undefined;
  /** How often clients are pinged; one that missed the last ping is dropped (default 30 s). */
  clientPingMs?: number | undefined;
  /** Client WebSockets one person may hold open (`SocketQuota`, default 64). */
  maxSocketsPerPerson?: number | undefined;
}

/** The upgrade handler for `/ws` (the app routes upgrades by path). */
export function clientEndpoint(app: FastifyInstance, options: ClientEndpointOptions): UpgradeHandler {
  const { hub, auth, metrics } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES });
  const inputs = new InputStreams();
  const quota = new SocketQuota(options.maxSocketsPerPerson);
  const stopLiveness = watchClientLiveness(wss, options.clientPingMs);
  // Upgrades happen only once authenticated: a key proof's answer tells the CLI it reached its hub.
  wss.on("headers", (headers, request) => {
    const answer = auth.answerProof(request.headers);
    if (answer) headers.push(`${HUB_PROOF_HEADER}: ${answer}`);
  });
  if (metrics) metrics.clients = () => wss.clients.size;
  // preClose, not onClose: the HTTP server waits for upgraded sockets before closing.
  app.addHook("preClose", async () => {
    stopLiveness();
    for (const client of wss.clients) client.terminate();
    wss.close();
  });

  return (request, socket, head) => {
    const originRefusal = checkOrigin(request);
    if (originRefusal) return refuseUpgrade(socket, 403, originRefusal);
    const address = addressOf(request, options.trustProxy);
    auth.authenticate(request.headers, address, arrivalOf(request, options.trustProxy)).then(
      (principal) => {
        try {
          // Given back when the TCP socket closes, whether or not the upgrade completed.
          if (principal) socket.once("close", quota.take(principal));
        } catch (err) {
          const error = toDispatchError(err);
          return refuseUpgrade(socket, error.httpStatus, error.message);
        }
        wss.handleUpgrade(request, socket, head, (ws) => {
          const connection = new ClientConnection({
            socket: ws,
            hub,
            gate: options.gate,
            auth,
            principal,
            address,
            logger: options.logger,
            hosts: options.hosts,
            storage: hub.storage,
            sent: metrics ? (event) => metrics.sent(event) : undefined,
            inputs,
            quota,
          });
          // Signed in at the upgrade, a person's sockets are counted (`SocketQuota`); one that is
          // to sign in with its hello is not yet anyone's, so what it may send first is small.
          if (!principal) capUntilGreeted(socket, ws, connection);
        });
      },
      (err: unknown) => {
        const error = toDispatchError(err);
        auditFailedSignIn(hub.audit, address, "websocket", err);
        refuseUpgrade(socket, error.httpStatus, error.message);
      },
    );
  };
}

/**
 * A socket not signed in at its upgrade may send `PRE_HELLO_BYTES` before its hello lets it in:
 * a hello is a few hundred bytes, and the socket's frames up to `MAX_CLIENT_FRAME_BYTES` (16 MiB)
 * would otherwise be read whole into the hub's memory for anyone who can reach the port, on as
 * many sockets as they open. Counted on the TCP socket, as bytes arrive, so a large frame is cut
 * off before it is held. Past the bound, the socket stops being read and is closed, saying why.
 */
function capUntilGreeted(socket: Duplex, ws: WebSocket, connection: ClientConnection): void {
  let received = 0;
  const count = (chunk: Buffer): void => {
    if (connection.isGreeted) {
      socket.off("data", count);
      return;
    }
    received += chunk.length;
    if (received <= PRE_HELLO_BYTES) return;
    socket.off("data", count);
    socket.pause();
    ws.close(1009, `send 'hello' first: at most ${PRE_HELLO_BYTES / 1024} KiB before it`);
    // The peer's closing answer is not read (the socket is paused): end it without waiting.
    setTimeout(() => ws.terminate(), PRE_HELLO_CLOSE_MS).unref();
  };
  socket.on("data", count);
}

/** The client's address; behind a declared proxy, the first hop it forwarded for. */
function addressOf(request: IncomingMessage, trustProxy: boolean): string {
  const forwarded = request.headers["x-forwarded-for"];
  if (trustProxy && typeof forwarded === "string" && forwarded.length > 0) {
    return forwarded.split(",")[0]?.trim() || "unknown";
  }
  return request.socket.remoteAddress ?? "unknown";
}

/**
 * Browsers send an Origin; it must be this hub's own (the cookie is SameSite=Strict, this
 * closes the cross-site WebSocket hole). Clients without an Origin (the CLI) pass.
 */
function checkOrigin(request: IncomingMessage): string | undefined {
  const origin = request.headers.origin;
  if (!origin) return undefined;
  try {
    if (new URL(origin).host === request.headers.host) return undefined;
  } catch {
    // Unparseable Origin: refused below.
  }
  return `WebSocket origin '${origin}' is not this hub's; open the UI from the hub's own address`;
}
