/**
 * The hub's HTTP and WebSocket surface: the Host header checked on every request and upgrade,
 * authentication on every route but health, login and share links (the principal attached to
 * the request), REST, the client WebSocket at `/ws` (`clientEndpoint`), remote hosts at
 * `/host` (`hostEndpoint`), 404 for any other upgrade, and the web UI. Sockets that never finish their headers
 * or their hello are closed within seconds.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import Fastify, { type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { ZodError } from "zod";
import { mib } from "../core/byteSize.js";
import { DispatchError, errorFields, toDispatchError } from "../core/errors.js";
import type { Hub } from "../hub/Hub.js";
import type { HomePaths } from "../platform/home.js";
import { HUB_PROOF_HEADER } from "../platform/keyProof.js";
import type { StatusBody } from "../protocol/api.js";
import { MAX_CLIENT_MESSAGE_BYTES } from "../protocol/client.js";
import { describeIssues } from "../protocol/parse.js";
import type { Store } from "../store/Store.js";
import { storageFailure } from "../store/storageErrors.js";
import type { Authenticator } from "./auth.js";
import { Gate } from "./authorize.js";
import { CLIENT_ENDPOINT_PATH, clientEndpoint } from "./clientEndpoint.js";
import { clientErrorHandler } from "./clientErrors.js";
import { registerDocumentRoutes } from "./documentRoutes.js";
import { errorPage, opensInBrowser } from "./errorPage.js";
import { registerHistory } from "./history.js";
import { HOST_ENDPOINT_PATH, hostEndpoint } from "./hostEndpoint.js";
import type { HostNames } from "./hostNames.js";
import { type HostRoutesOptions, registerHostRoutes } from "./hostRoutes.js";
import { arrivalOf, provenBody } from "./keyProofs.js";
import { registerKindsRoute } from "./kindsRoute.js";
import type { HubMetrics } from "./metrics.js";
import { registerNotify, SESSION_TOKEN_ROUTE } from "./notify.js";
import { type OidcRoutes, registerPeopleRoutes } from "./peopleRoutes.js";
import { registerRest } from "./rest.js";
import { registerScreenRows } from "./screenRows.js";
import { registerSearchRoutes } from "./searchRoutes.js";
import { auditFailedSignIn } from "./signInAudit.js";
import { registerStatic, staticPathRefusal } from "./static.js";
import { registerStorageRoutes } from "./storageRoutes.js";
import { refuseUpgrade } from "./upgradeRefusal.js";

/** Prometheus scrapes here, with a bearer token like any script (or on DISPATCH_METRICS_PORT). */
const METRICS_ROUTE = "/metrics";
/** A REST body: room for a WebSocket message's worth of input once JSON escapes it. */
const BODY_LIMIT = 2 * MAX_CLIENT_MESSAGE_BYTES;
/** Routes reachable without credentials: they reveal nothing but liveness, or check their own. */
const PUBLIC_ROUTES = new Set(["/api/health", "/api/login", "/api/logout", "/api/auth/oidc"]);
/** A client must finish its request headers within this, or the socket is closed. */
export const HEADERS_TIMEOUT_MS = 5_000;
/**
 * A whole request (headers and body) must arrive within this. It bounds receiving, not
 * answering: Node stops the clock once the body is in, so a session command that runs for
 * minutes (an evaluation over REST) is answered whenever it finishes.
 */
const REQUEST_TIMEOUT_MS = 30_000;
/** How often Node checks sockets against the two timeouts above. */
const CONNECTIONS_CHECK_MS = 1_000;

export interface TlsFiles {
  key: Buffer;
  cert: Buffer;
}

export interface AppOptions {
  hub: Hub;
  /** For backups and integrity checks while the hub runs. */
  store: Store;
  /** The data directory's files, which a backup must never be written over. */
  paths: HomePaths;
  auth: Authenticator;
  logger: Logger;
  status: () => Promise<Omit<StatusBody, "sessions">>;
  /** Cookies get `Secure` (TLS served here, or a TLS proxy in front). */
  secureCookies: boolean;
  /** Names the Host header may carry. */
  hostNames: HostNames;
  /** Serve HTTPS with this key and certificate. */
  tls?: TlsFiles | undefined;
  /** Believe X-Forwarded-For / -Proto from a proxy in front (`--trust-proxy`). */
  trustProxy?: boolean;
  /** Single sign-on, when configured. */
  oidc?: OidcRoutes | undefined;
  /** Remote hosts: REST under `/api/hosts`, the `/host` endpoint, `host` pushes to clients. */
  hosts?: HostRoutesOptions;
  /** Prometheus metrics, served at `/metrics` (owner) and fed by client connections. */
  metrics?: HubMetrics | undefined;
  /** A cluster node's peer credential: other nodes forward host messages over `/cluster/peer`. */
  peerToken?: string | undefined;
  /** How often clients are pinged; one that missed the last ping is dropped (default 30 s). */
  clientPingMs?: number | undefined;
  /** Client WebSockets one person may hold open (`SocketQuota`, default 64). */
  maxSocketsPerPerson?: number | undefined;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const timeouts = {
    headersTimeout: HEADERS_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionsCheckingInterval: CONNECTIONS_CHECK_MS,
  };
  // Fastify's own request logging stays off: the hub logs what matters through its logger.
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT,
    requestTimeout: REQUEST_TIMEOUT_MS,
    trustProxy: options.trustProxy === true,
    clientErrorHandler: clientErrorHandler(timeouts),
    ...(options.tls ? { https: { ...options.tls, ...timeouts } } : { http: timeouts }),
  }) as unknown as FastifyInstance;
  const { hub, auth } = options;
  const gate = new Gate(hub.people, hub.sessions, hub.audit);

  app.setErrorHandler((err, request, reply) => {
    const error =
      staticPathRefusal(err, request.url) ??
      toHttpError(err, request.headers["content-type"], request.routeOptions.bodyLimit ?? BODY_LIMIT);
    if (error.code === "internal") options.logger.error({ err }, "request failed");
    reply.code(error.httpStatus);
    if (opensInBrowser(request)) return reply.type("text/html; charset=utf-8").send(errorPage(error.message));
    return reply.send({ error: errorFields(error) });
  });

  app.decorateRequest("actor", null);
  app.addHook("onRequest", async (request, reply) => {
    const refusal = options.hostNames.refusal(request.headers.host);
    if (refusal) throw new DispatchError("forbidden", refusal);
    const path = request.url.split("?")[0] as string;
    const guarded = path.startsWith("/api/") || path === METRICS_ROUTE;
    if (!guarded || PUBLIC_ROUTES.has(path) || path.startsWith("/api/auth/")) return;
    // The notify route also takes a session token and checks credentials itself.
    if (SESSION_TOKEN_ROUTE.test(path)) return;
    let principal: Awaited<ReturnType<Authenticator["authenticate"]>>;
    try {
      principal = await auth.authenticate(
        request.headers,
        request.ip,
        arrivalOf(request.raw, options.trustProxy === true),
      );
    } catch (err) {
      auditFailedSignIn(hub.audit, request.ip, "rest", err);
      throw err;
    }
    // A key proof accepted: the CLI trusts this answer, errors included, only with the hub's own.
    const answer = auth.answerProof(request.headers);
    if (answer) reply.header(HUB_PROOF_HEADER, answer);
    if (!principal) {
      throw new DispatchError(
        "unauthorized",
        "missing credentials: send `Authorization: Bearer KEY` (the key in access.key, or your token) or sign in",
      );
    }
    request.actor = { principal, address: request.ip };
    if (path.startsWith("/api/hosts")) gate.hub(request.actor, "hosts");
    if (path === METRICS_ROUTE) gate.hub(request.actor, "metrics");
  });
  // Past onRequest, a key proof is good: its body must be the one it signed.
  app.addHook("preParsing", async (request, _reply, payload) =>
    request.actor ? provenBody(request.headers.authorization, payload) : payload,
  );
  const { metrics } = options;
  if (metrics) {
    app.get(METRICS_ROUTE, async (_request, reply) => {
      const { contentType, body } = await metrics.text();
      reply.header("content-type", contentType).send(body);
    });
  }

  registerRest(app, {
    sessions: hub.sessions,
    hostCommands: hub.hostCommands,
    auth,
    gate,
    audit: hub.audit,
    status: options.status,
    secureCookies: options.secureCookies,
    signOn: options.oidc !== undefined,
  });
  registerPeopleRoutes(app, {
    hub,
    auth,
    gate,
    secureCookies: options.secureCookies,
    oidc: options.oidc,
    hubUrl: () => hub.sessionTokens.hubUrl,
  });
  registerHistory(app, hub.sessions, gate);
  registerScreenRows(app, hub, gate);
  registerSearchRoutes(app, { search: hub.search, gate });
  registerKindsRoute(app);
  registerDocumentRoutes(app, { sessions: hub.sessions, hosts: hub.hostCommands, gate });
  if (options.hosts) registerHostRoutes(app, options.hosts);
  registerNotify(app, {
    sessions: hub.sessions,
    auth,
    gate,
    tokens: hub.sessionTokens,
    logger: options.logger,
    trustProxy: options.trustProxy === true,
  });
  registerStorageRoutes(app, { store: options.store, logger: options.logger, gate, paths: options.paths });
  await registerStatic(app);

  const hostUpgrade = options.hosts
    ? hostEndpoint(app, {
        ...options.hosts,
        logger: options.logger,
        auth,
      })
    : undefined;
  // Imported only on a cluster node: a lone hub never evaluates the peers' protocol.
  const { cluster } = hub;
  const { peerToken, logger } = options;
  const peer =
    cluster && peerToken
      ? await import("./clusterEndpoint.js").then(({ clusterEndpoint, PEER_ENDPOINT_PATH }) => ({
          path: PEER_ENDPOINT_PATH,
          upgrade: clusterEndpoint(app, { cluster, peerToken, logger }),
        }))
      : undefined;
  const clientUpgrade = clientEndpoint(app, {
    hub,
    auth,
    gate,
    logger: options.logger,
    trustProxy: options.trustProxy === true,
    hosts: options.hosts?.monitor,
    metrics,
    clientPingMs: options.clientPingMs,
    maxSocketsPerPerson: options.maxSocketsPerPerson,
  });
  app.server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => {
      // A peer resetting mid-upgrade: nothing to answer.
    });
    const hostRefusal = options.hostNames.refusal(request.headers.host);
    if (hostRefusal) return refuseUpgrade(socket, 403, hostRefusal);
    const path = (request.url ?? "").split("?")[0];
    if (path === HOST_ENDPOINT_PATH && hostUpgrade) return hostUpgrade(request, socket, head);
    if (peer && path === peer.path) return peer.upgrade(request, socket, head);
    if (path !== CLIENT_ENDPOINT_PATH)
      return refuseUpgrade(
        socket,
        404,
        `no WebSocket at '${path}'; clients connect to ${CLIENT_ENDPOINT_PATH}`,
      );
    clientUpgrade(request, socket, head);
  });
  return app;
}

function toHttpError(err: unknown, contentType: string | undefined, bodyLimit: number): DispatchError {
  if (err instanceof DispatchError) return err;
  if (err instanceof ZodError) {
    const path = err.issues[0]?.path ?? [];
    return new DispatchError("bad_request", `invalid request: ${describeIssues(err)}`, {
      field: path.length > 0 ? path.join(".") : undefined,
    });
  }
  const statusCode = (err as { statusCode?: number }).statusCode;
  if (statusCode === 413) {
    return new DispatchError(
      "too_large",
      `request body over the ${mib(bodyLimit)} a request may carry; send long text with \`dispatch send NAME --stdin\`, which sends it in pieces`,
    );
  }
  // Fastify's own words are "Unsupported Media Type": say which, and what to send instead.
  if (statusCode === 415) {
    return new DispatchError(
      "bad_request",
      `a body of content-type '${(contentType ?? "none").slice(0, 100)}' is not accepted; send JSON with \`content-type: application/json\``,
    );
  }
  if (statusCode && statusCode >= 400 && statusCode < 500) {
    return new DispatchError("bad_request", (err as Error).message);
  }
  return storageFailure(err) ?? toDispatchError(err);
}
