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
import type { AuditTrail } from "../hub/AuditTrail.js";
import type { SessionAction } from "../hub/accessPolicy.js";
import type { HostCommands } from "../hub/HostCommands.js";
import type { SessionCommands } from "../hub/SessionCommands.js";
import { withStoredBytes } from "../hub/storedBytes.js";
import {
  EventsQuery,
  InputRequest,
  LoginRequest,
  ResizeRequest,
  ReviveRequest,
  SessionsQuery,
  type StatusBody,
} from "../protocol/api.js";
import { isOutputEvent, type SessionEvent } from "../protocol/events.js";
import { callerOf } from "../protocol/people.js";
import { CreateSessionRequest, RenameSessionRequest } from "../protocol/session.js";
import { KillSignal } from "../protocol/signals.js";
import { describeStorageError, isStorageError } from "../store/storageErrors.js";
import { auditedCommand } from "./auditedCommand.js";
import {
  type Authenticator,
  clearedSessionCookie,
  readCookie,
  refusedSecretHint,
  SESSION_COOKIE,
  sessionCookie,
} from "./auth.js";
import type { Gate } from "./authorize.js";
import { actorOf } from "./requestActor.js";
import { auditFailedSignIn } from "./signInAudit.js";

export interface RestOptions {
  sessions: SessionCommands;
  hostCommands: HostCommands;
  auth: Authenticator;
  gate: Gate;
  audit: AuditTrail;
  /** Facts for `/api/status` that only the server knows. */
  status: () => Promise<Omit<StatusBody, "sessions">>;
  secureCookies: boolean;
  /** Whether single sign-on is configured (the login page then offers it). */
  signOn: boolean;
}

const NameParams = z.object({ name: z.string().min(1).max(64) });
const CommandParams = NameParams.extend({ command: z.string().min(1).max(64) });
const GcRequest = z.object({ olderThan: z.string().max(32).optional() });
const KillQuery = z.object({
  signal: KillSignal.default("SIGHUP"),
});

export function registerRest(app: FastifyInstance, options: RestOptions): void {
  const { sessions, auth, gate, audit } = options;
  /** Checks the request's actor may do `action` to the session named in the path. */
  const allow = (request: FastifyRequest, action: SessionAction) => {
    const actor = actorOf(request);
    return { actor, session: gate.session(actor, action, name(request)) };
  };

  app.get("/api/health", async () => ({ ok: true, version: VERSION }));
  // Public like health (under /api/auth/): the login page asks which ways in the hub offers,
  // and a page opened by a link asks whether it holds a sign-in cookie at all (`cookie`) before
  // asking /api/me, whose 401 a browser logs as an error in the console.
  app.get("/api/auth/methods", async (request) => ({
    key: true,
    signOn: options.signOn,
    cookie: readCookie(request.headers.cookie, SESSION_COOKIE) !== undefined,
  }));

  app.post("/api/login", async (request, reply) => {
    const { key } = LoginRequest.parse(request.body);
    const principal = await auth
      .verify(
        key,
        request.ip,
        refusedSecretHint(
          key,
          "wrong access key or token; the key is in access.key in the hub's data directory",
        ),
      )
      .catch((err: unknown) => {
        auditFailedSignIn(audit, request.ip, "login", err);
        throw err;
      });
    if (principal.via === "share") {
      throw new DispatchError("bad_request", "that is a share link's token: open the link itself instead");
    }
    audit.record({ principal, address: request.ip }, "sign-in", { detail: { over: "login" } });
    reply.header("set-cookie", sessionCookie(auth.issueWebToken(principal), options.secureCookies));
    return { ok: true };
  });

  app.post("/api/logout", async (request, reply) => {
    const token = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (token) auth.revokeWebToken(token);
    reply.header("set-cookie", clearedSessionCookie(options.secureCookies));
    return { ok: true };
  });

  app.get("/api/status", async (request) => {
    const actor = actorOf(request);
    gate.hub(actor, "list");
    // Sessions counted as the caller may see them; the processes, paths and store are the
    // hosts' and owners' business (`dispatch status` as an owner shows them).
    const seen = gate.visible(actor.principal, sessions.list());
    const names = new Set(seen.map((s) => s.name));
    const base = await options.status();
    const full = gate.allows(actor, "metrics");
    // A store that cannot be read now (the PostgreSQL server away) leaves out the stored
    // bytes and says so, rather than failing the one command an operator runs to find out.
    let bytes: { name: string; stored: number; buffered: number }[] | undefined;
    let storage = base.storage;
    try {
      bytes = (await options.hostCommands.sessionBytes()).filter((entry) => names.has(entry.name));
    } catch (err) {
      if (!isStorageError(err)) throw err;
      if (storage?.ok !== false) storage = { ok: false, problem: describeStorageError(err), since: null };
    }
    return {
      ...base,
      storage,
      ...(full
        ? {}
        : {
            hub: { running: base.hub.running, pid: null, port: null },
            host: { running: base.host.running, pid: null },
            dataDir: "",
            store: undefined,
            cluster: undefined,
          }),
      sessions: {
        total: seen.length,
        running: seen.filter((s) => isLiveStatus(s.status)).length,
        exited: seen.filter((s) => s.status === "exited" || s.status === "failed").length,
        ...(bytes ? { bytes } : {}),
      },
    } satisfies StatusBody;
  });

  app.get("/api/sessions", async (request) => {
    const actor = actorOf(request);
    gate.hub(actor, "list");
    const { stored } = SessionsQuery.parse(request.query);
    const visible = gate.visible(actor.principal, sessions.list());
    if (stored === "false") return { sessions: visible };
    return withStoredBytes(visible, (id) => options.hostCommands.storedBytes(id));
  });

  app.post("/api/sessions", async (request, reply) => {
    const actor = actorOf(request);
    gate.hub(actor, "create");
    const session = await sessions.create(CreateSessionRequest.parse(request.body ?? {}));
    audit.record(actor, "create", {
      session: session.id,
      detail: { name: session.name, kind: session.kind },
    });
    reply.code(201);
    return { session };
  });

  app.get("/api/sessions/:name", async (request) => ({ session: allow(request, "read").session }));

  app.patch("/api/sessions/:name", async (request) => {
    const { actor, session } = allow(request, "rename");
    const { name: newName } = RenameSessionRequest.parse(request.body);
    const renamed = sessions.rename(session.id, newName);
    audit.record(actor, "rename", { session: session.id, detail: { from: session.name, to: newName } });
    return { session: renamed };
  });

  app.delete("/api/sessions/:name", async (request) => {
    const { actor, session } = allow(request, "kill");
    const { signal } = KillQuery.parse(request.query);
    audit.record(actor, "kill", { session: session.id, detail: { name: session.name, signal } });
    return { session: await sessions.kill(session.id, signal) };
  });

  app.post("/api/sessions/:name/input", async (request) => {
    const { actor, session } = allow(request, "input");
    const { data, id } = InputRequest.parse(request.body);
    await sessions.input(session.id, data, callerOf(actor.principal), id);
    audit.input(actor, session.id);
    return { ok: true };
  });

  app.post("/api/sessions/:name/resize", async (request) => {
    const { actor, session } = allow(request, "resize");
    const { cols, rows } = ResizeRequest.parse(request.body);
    sessions.resize(session.id, cols, rows);
    audit.record(actor, "resize", { session: session.id, detail: { cols, rows } });
    return { ok: true };
  });

  app.post("/api/sessions/:name/revive", async (request) => {
    const { actor, session } = allow(request, "revive");
    audit.record(actor, "revive", { session: session.id, detail: { name: session.name } });
    return { session: await sessions.revive(session.id, ReviveRequest.parse(request.body ?? {}).options) };
  });

  app.post("/api/sessions/:name/commands/:command", async (request) => {
    const { name: ref, command } = CommandParams.parse(request.params);
    const actor = actorOf(request);
    const session = gate.command(actor, ref, command);
    const run = () => sessions.command(session.id, command, request.body, callerOf(actor.principal));
    return { result: (await auditedCommand(audit, actor, session.id, command, run)) ?? null };
  });

  app.post("/api/gc", async (request) => {
    const actor = actorOf(request);
    gate.hub(actor, "gc");
    const { olderThan } = GcRequest.parse(request.body ?? {});
    return { removed: sessions.gc(olderThan ? parseDuration(olderThan) : 0) };
  });

  app.get("/api/sessions/:name/events", async (request) => {
    const { session } = allow(request, "read");
    const { after, limit } = EventsQuery.parse(request.query);
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
