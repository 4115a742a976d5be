/**
 * The hub's HTTP and WebSocket surface: auth on every route but health and login, REST,
 * the client WebSocket at `/ws` (Origin checked), and the web UI.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import Fastify, { type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { WebSocketServer } from "ws";
import { ZodError } from "zod";
import { DispatchError, toDispatchError } from "../core/errors.js";
import type { Hub } from "../hub/Hub.js";
import type { StatusBody } from "../protocol/api.js";
import { MAX_CLIENT_MESSAGE_BYTES } from "../protocol/client.js";
import { describeIssues } from "../protocol/parse.js";
import type { EventStore } from "../store/EventStore.js";
import type { Authenticator } from "./auth.js";
import { ClientConnection } from "./ClientConnection.js";
import { registerHostEndpoint } from "./hostEndpoint.js";
import { type HostRoutesOptions, registerHostRoutes } from "./hostRoutes.js";
import { registerNotify, SESSION_TOKEN_ROUTE } from "./notify.js";
import { registerRest } from "./rest.js";
import { registerStatic } from "./static.js";
import { registerStorageRoutes } from "./storageRoutes.js";

/** Routes reachable without credentials: they reveal nothing but liveness. */
const PUBLIC_ROUTES = new Set(["/api/health", "/api/login", "/api/logout"]);
/** Frames above this close the socket; between the message limit and this, a clear error. */
const WS_MAX_PAYLOAD_BYTES = 16 * MAX_CLIENT_MESSAGE_BYTES;

export interface AppOptions {
  hub: Hub;
  /** For backups and integrity checks while the hub runs. */
  store: EventStore;
  auth: Authenticator;
  logger: Logger;
  status: () => Promise<Omit<StatusBody, "sessions">>;
  secureCookies: boolean;
  /** Remote hosts: REST under `/api/hosts`, the `/host` endpoint, `host` pushes to clients. */
  hosts?: HostRoutesOptions;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  // Fastify's own request logging stays off: the hub logs what matters through its logger.
  const app = Fastify({ logger: false, bodyLimit: 2 * MAX_CLIENT_MESSAGE_BYTES });

  app.setErrorHandler((err, _request, reply) => {
    const error = toHttpError(err);
    if (error.code === "internal") options.logger.error({ err }, "request failed");
    reply.code(error.httpStatus).send({ error: { code: error.code, message: error.message } });
  });

  app.addHook("onRequest", async (request) => {
    const path = request.url.split("?")[0] as string;
    if (!path.startsWith("/api/") || PUBLIC_ROUTES.has(path)) return;
    if (options.auth.limiter.isBlocked(request.ip)) {
      throw new DispatchError("rate_limited", "too many failed attempts; wait a minute and try again");
    }
    // The notify route also takes a session token and checks credentials itself.
    if (SESSION_TOKEN_ROUTE.test(path)) return;
    if (!options.auth.check(request.headers)) {
      if (request.headers.authorization) options.auth.limiter.recordFailure(request.ip);
      throw new DispatchError(
        "unauthorized",
        "missing or wrong access key: send `Authorization: Bearer KEY` or log in",
      );
    }
  });

  registerRest(app, {
    sessions: options.hub.sessions,
    hostCommands: options.hub.hostCommands,
    auth: options.auth,
    status: options.status,
    secureCookies: options.secureCookies,
  });
  if (options.hosts) {
    registerHostRoutes(app, options.hosts);
    registerHostEndpoint(app, { ...options.hosts, logger: options.logger });
  }
  registerNotify(app, {
    sessions: options.hub.sessions,
    auth: options.auth,
    tokens: options.hub.sessionTokens,
  });
  registerStorageRoutes(app, { store: options.store, logger: options.logger });
  await registerStatic(app);

  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD_BYTES });
  app.server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? "").split("?")[0];
    if (path !== "/ws") return; // Other upgrade paths (the host endpoint) have their own handler.
    const refusal = checkOrigin(request);
    if (refusal) {
      socket.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\n\r\n${refusal}\n`);
      return;
    }
    const address = request.socket.remoteAddress ?? "unknown";
    const authenticated = options.auth.check(request.headers);
    wss.handleUpgrade(request, socket, head, (ws) => {
      new ClientConnection({
        socket: ws,
        sessions: options.hub.sessions,
        attachments: options.hub.attachments,
        auth: options.auth,
        authenticated,
        address,
        logger: options.logger,
        hosts: options.hosts?.monitor,
        storage: options.hub.storage,
      });
    });
  });
  // preClose, not onClose: the HTTP server waits for upgraded sockets before closing.
  app.addHook("preClose", async () => {
    for (const client of wss.clients) client.terminate();
    wss.close();
  });
  return app;
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

function toHttpError(err: unknown): DispatchError {
  if (err instanceof DispatchError) return err;
  if (err instanceof ZodError)
    return new DispatchError("bad_request", `invalid request: ${describeIssues(err)}`);
  const statusCode = (err as { statusCode?: number }).statusCode;
  if (statusCode === 413) return new DispatchError("too_large", "request body too large");
  if (statusCode && statusCode >= 400 && statusCode < 500) {
    return new DispatchError("bad_request", (err as Error).message);
  }
  return toDispatchError(err);
}
