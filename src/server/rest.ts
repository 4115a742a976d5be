/**
 * REST for scripts: the same operations as the WebSocket protocol, JSON in and out, parsed
 * with the same schemas (see `protocol/api.ts` for the route list).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { parseDuration } from "../core/duration.js";
import { DispatchError } from "../core/errors.js";
import { isLiveStatus } from "../core/liveness.js";
import { VERSION } from "../core/version.js";
import type { HostCommands } from "../hub/HostCommands.js";
import type { SessionCommands } from "../hub/SessionCommands.js";
import {
  EventsQuery,
  InputRequest,
  LoginRequest,
  ResizeRequest,
  ReviveRequest,
  type StatusBody,
} from "../protocol/api.js";
import { isOutputEvent, type SessionEvent } from "../protocol/events.js";
import { CreateSessionRequest, RenameSessionRequest } from "../protocol/session.js";
import {
  type Authenticator,
  clearedSessionCookie,
  readCookie,
  SESSION_COOKIE,
  sessionCookie,
} from "./auth.js";

export interface RestOptions {
  sessions: SessionCommands;
  hostCommands: HostCommands;
  auth: Authenticator;
  /** Facts for `/api/status` that only the server knows. */
  status: () => Promise<Omit<StatusBody, "sessions">>;
  secureCookies: boolean;
}

const NameParams = z.object({ name: z.string().min(1).max(64) });
const CommandParams = NameParams.extend({ command: z.string().min(1).max(64) });
const GcRequest = z.object({ olderThan: z.string().max(32).optional() });
const KillQuery = z.object({
  signal: z.enum(["SIGHUP", "SIGTERM", "SIGKILL", "SIGINT", "SIGQUIT"]).default("SIGHUP"),
});

export function registerRest(app: FastifyInstance, options: RestOptions): void {
  const { sessions, auth } = options;

  app.get("/api/health", async () => ({ ok: true, version: VERSION }));

  app.post("/api/login", async (request, reply) => {
    if (auth.limiter.isBlocked(request.ip)) {
      throw new DispatchError("rate_limited", "too many failed logins; wait a minute and try again");
    }
    const { key } = LoginRequest.parse(request.body);
    if (!auth.checkKey(key)) {
      auth.limiter.recordFailure(request.ip);
      throw new DispatchError(
        "unauthorized",
        "wrong access key; it is in access.key in the hub's data directory",
      );
    }
    reply.header("set-cookie", sessionCookie(auth.issueWebToken(), options.secureCookies));
    return { ok: true };
  });

  app.post("/api/logout", async (request, reply) => {
    const token = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (token) auth.revokeWebToken(token);
    reply.header("set-cookie", clearedSessionCookie());
    return { ok: true };
  });

  app.get("/api/me", async () => ({ ok: true }));

  app.get("/api/status", async () => {
    const all = sessions.list();
    const base = await options.status();
    return {
      ...base,
      sessions: {
        total: all.length,
        running: all.filter((s) => isLiveStatus(s.status)).length,
        exited: all.filter((s) => s.status === "exited" || s.status === "failed").length,
        bytes: await options.hostCommands.sessionBytes(),
      },
    } satisfies StatusBody;
  });

  app.get("/api/sessions", async () => ({ sessions: sessions.list() }));

  app.post("/api/sessions", async (request, reply) => {
    const session = await sessions.create(CreateSessionRequest.parse(request.body ?? {}));
    reply.code(201);
    return { session };
  });

  app.get("/api/sessions/:name", async (request) => ({ session: sessions.get(name(request)) }));

  app.patch("/api/sessions/:name", async (request) => {
    const { name: newName } = RenameSessionRequest.parse(request.body);
    return { session: sessions.rename(name(request), newName) };
  });

  app.delete("/api/sessions/:name", async (request) => {
    const { signal } = KillQuery.parse(request.query);
    return { session: await sessions.kill(name(request), signal) };
  });

  app.post("/api/sessions/:name/input", async (request) => {
    sessions.input(name(request), InputRequest.parse(request.body).data);
    return { ok: true };
  });

  app.post("/api/sessions/:name/resize", async (request) => {
    const { cols, rows } = ResizeRequest.parse(request.body);
    sessions.resize(name(request), cols, rows);
    return { ok: true };
  });

  app.post("/api/sessions/:name/revive", async (request) => ({
    session: await sessions.revive(name(request), ReviveRequest.parse(request.body ?? {}).options),
  }));

  app.post("/api/sessions/:name/commands/:command", async (request) => {
    const { name: session, command } = CommandParams.parse(request.params);
    return { result: (await sessions.command(session, command, request.body)) ?? null };
  });

  app.post("/api/gc", async (request) => {
    const { olderThan } = GcRequest.parse(request.body ?? {});
    return { removed: sessions.gc(olderThan ? parseDuration(olderThan) : 0) };
  });

  app.get("/api/sessions/:name/events", async (request) => {
    const { after, limit } = EventsQuery.parse(request.query);
    const session = sessions.get(name(request));
    const events = sessions.readEvents(session.id, after, limit).map(toApiEvent);
    return { events, lastSeq: session.lastSeq, firstSeq: sessions.firstStoredSeq(session.id) };
  });
}

function name(request: FastifyRequest): string {
  return NameParams.parse(request.params).name;
}

/** Output bytes travel as base64 in JSON. */
export function toApiEvent(event: SessionEvent) {
  return {
    seq: event.seq,
    ts: event.ts,
    type: event.type,
    data: isOutputEvent(event) ? Buffer.from(event.data).toString("base64") : event.data,
  };
}
